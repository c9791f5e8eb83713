import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenCipher } from "../../../src/linear/token-cipher.ts";
import { FAKE_WORKSPACE, type FakeLinear, startFakeLinear } from "../../linear/support/fake-linear.ts";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.ts";
import { approvedCallback, newEncryptionKey } from "../support/linear-connect.ts";

const ENCRYPTION_KEY = newEncryptionKey();

/** A token as it could sit in a row: in clear or in the encodings a careless store would use. */
const encodings = (token: string) => [
  token,
  Buffer.from(token).toString("base64"),
  Buffer.from(token).toString("base64url"),
  Buffer.from(token).toString("hex"),
  encodeURIComponent(token),
];

let linear: FakeLinear;
let gateway: InProcessGateway;
let rows: { access_token_ciphertext: string; refresh_token_ciphertext: string }[];
beforeAll(async () => {
  linear = await startFakeLinear();
  gateway = await startInProcessGateway({ ...linear.env, TOKEN_ENCRYPTION_KEY: ENCRYPTION_KEY });
  const { path } = await approvedCallback(gateway);
  expect((await gateway.request(path)).status).toBe(200);
  rows = await gateway.database.query("select * from linear_connections", []);
});
afterAll(async () => {
  await gateway?.stop();
  await linear?.close();
});

describe("Linear tokens at rest", () => {
  it("leave no access or refresh token in any table, in clear, base64, base64url, hex or URL-encoded", async () => {
    expect(rows).toHaveLength(1);
    expect(linear.issued).toHaveLength(2);
    const tables = await gateway.database.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = current_schema()",
      [],
    );
    expect(tables.map((table) => table.table_name)).toContain("linear_connections");
    const dump = JSON.stringify(
      await Promise.all(tables.map(({ table_name }) => gateway.database.query(`select * from "${table_name}"`, []))),
    );
    for (const token of linear.issued) {
      for (const form of encodings(token)) expect(dump).not.toContain(form);
    }
  });

  it("decrypt under the configured key and workspace only: another key fails", () => {
    const [row] = rows;
    const [access, refresh] = linear.issued;
    const right = new TokenCipher(Buffer.from(ENCRYPTION_KEY, "base64"));
    expect(right.decrypt(row?.access_token_ciphertext ?? "", FAKE_WORKSPACE.id)).toBe(access);
    expect(right.decrypt(row?.refresh_token_ciphertext ?? "", FAKE_WORKSPACE.id)).toBe(refresh);
    const wrong = new TokenCipher(randomBytes(32));
    expect(() => wrong.decrypt(row?.access_token_ciphertext ?? "", FAKE_WORKSPACE.id)).toThrow();
    expect(() => wrong.decrypt(row?.refresh_token_ciphertext ?? "", FAKE_WORKSPACE.id)).toThrow();
  });
});
