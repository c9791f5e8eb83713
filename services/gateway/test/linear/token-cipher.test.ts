import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { TokenCipher } from "../../src/linear/token-cipher.ts";

describe("TokenCipher", () => {
  const cipher = new TokenCipher(randomBytes(32));

  it("seals a token so that only the same key and workspace open it", () => {
    const sealed = cipher.encrypt("lin_oauth_secret", "org-1");
    expect(sealed).not.toContain("lin_oauth_secret");
    expect(sealed).not.toBe(cipher.encrypt("lin_oauth_secret", "org-1"));
    expect(cipher.decrypt(sealed, "org-1")).toBe("lin_oauth_secret");
    expect(() => cipher.decrypt(sealed, "org-2")).toThrow();
    expect(() => new TokenCipher(randomBytes(32)).decrypt(sealed, "org-1")).toThrow();
  });

  it("refuses a ciphertext that was altered", () => {
    const [version, iv, tag, body] = cipher.encrypt("lin_oauth_secret", "org-1").split(".");
    const flipped = Buffer.from(body ?? "", "base64url");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => cipher.decrypt([version, iv, tag, flipped.toString("base64url")].join("."), "org-1")).toThrow();
  });
});

describe("TOKEN_ENCRYPTION_KEY", () => {
  it("accepts 32 bytes as base64 or hex", () => {
    const key = randomBytes(32);
    expect(loadConfig({ TOKEN_ENCRYPTION_KEY: key.toString("base64") }).TOKEN_ENCRYPTION_KEY).toEqual(key);
    expect(loadConfig({ TOKEN_ENCRYPTION_KEY: key.toString("hex") }).TOKEN_ENCRYPTION_KEY).toEqual(key);
  });

  it("refuses another length, naming the variable without echoing the value", () => {
    const short = randomBytes(16).toString("base64");
    expect(() => loadConfig({ TOKEN_ENCRYPTION_KEY: short })).toThrow(/TOKEN_ENCRYPTION_KEY: must be 32 bytes/);
    try {
      loadConfig({ TOKEN_ENCRYPTION_KEY: short });
    } catch (error) {
      expect(String(error)).not.toContain(short);
    }
  });
});
