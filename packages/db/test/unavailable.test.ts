import { describe, expect, it } from "vitest";
import { databaseUnavailable } from "../src/unavailable.ts";

const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });

describe("databaseUnavailable", () => {
  it.each([
    "CONNECTION_CLOSED",
    "CONNECTION_DESTROYED",
    "CONNECT_TIMEOUT",
    "ECONNREFUSED",
    "ECONNRESET",
    "57P01",
    "57P03",
    "08006",
  ])("recognises %s as the database being out of reach", (code) => {
    expect(databaseUnavailable(withCode(code))).toBe("the database is unavailable; try again shortly");
  });

  it("finds the connection failure under the errors that wrap it", () => {
    const wrapped = new Error("Failed query: select 1", { cause: withCode("ECONNREFUSED") });
    expect(databaseUnavailable(new Error("batch failed", { cause: wrapped }))).toBeDefined();
  });

  it.each([
    ["a unique violation", withCode("23505")],
    ["a syntax error", withCode("42601")],
    ["an error without a code", new Error("boom")],
    ["a thrown string", "CONNECTION_CLOSED"],
  ])("leaves %s alone", (_, error) => {
    expect(databaseUnavailable(error)).toBeUndefined();
  });
});
