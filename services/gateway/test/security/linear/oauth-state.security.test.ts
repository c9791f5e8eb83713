import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sha256Hex } from "../../../src/linear/pkce.ts";
import { readProblem } from "../../front-door/support.ts";
import { type FakeLinear, startFakeLinear } from "../../linear/support/fake-linear.ts";
import { type InProcessGateway, startInProcessGateway } from "../support/in-process-gateway.ts";
import { approvedCallback, codeExchanges, newEncryptionKey } from "../support/linear-connect.ts";

const STATE_TTL_SECONDS = 30;

let linear: FakeLinear;
let gateway: InProcessGateway;
beforeAll(async () => {
  linear = await startFakeLinear();
  gateway = await startInProcessGateway({
    ...linear.env,
    TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
    LINEAR_OAUTH_STATE_TTL_SECONDS: String(STATE_TTL_SECONDS),
  });
});
afterAll(async () => {
  await gateway?.stop();
  await linear?.close();
});

const count = async (table: string) =>
  Number((await gateway.database.query<{ n: number }>(`select count(*)::int as n from ${table}`, []))[0]?.n);

/** Follows `path` and asserts the refusal: 400 problem+json about the state, no code exchanged, nothing stored. */
async function expectRefusedWithoutEffect(path: string) {
  const exchangesBefore = codeExchanges(linear);
  const connectionsBefore = await count("linear_connections");
  const response = await gateway.request(path);
  expect(response.status).toBe(400);
  expect((await readProblem(response)).detail).toMatch(/state is unknown, already used or expired/);
  expect(codeExchanges(linear)).toBe(exchangesBefore);
  expect(await count("linear_connections")).toBe(connectionsBefore);
}

beforeEach(async () => {
  await gateway.database.query("delete from linear_connections", []);
  await gateway.database.query("delete from oauth_states", []);
});

describe("the OAuth state of a Linear connection", () => {
  it("is stored only as a hash, expiring after LINEAR_OAUTH_STATE_TTL_SECONDS", async () => {
    const { state } = await approvedCallback(gateway);
    const rows = await gateway.database.query<{ state_hash: string; ttl: number }>(
      "select state_hash, extract(epoch from expires_at - now())::float as ttl from oauth_states",
      [],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.state_hash).toBe(sha256Hex(state));
    expect(JSON.stringify(await gateway.database.query("select * from oauth_states", []))).not.toContain(state);
    expect(rows[0]?.ttl).toBeGreaterThan(STATE_TTL_SECONDS - 10);
    expect(rows[0]?.ttl).toBeLessThanOrEqual(STATE_TTL_SECONDS);
  });

  it("is single-use: the replayed callback exchanges no code and stores nothing more", async () => {
    const { path } = await approvedCallback(gateway);
    expect((await gateway.request(path)).status).toBe(200);
    expect(await count("linear_connections")).toBe(1);
    expect(await count("oauth_states")).toBe(0);
    await expectRefusedWithoutEffect(path);
  });

  it("is refused once expired (the clock past its expiry), and is spent by that attempt", async () => {
    const { path } = await approvedCallback(gateway);
    // The TTL's floor is 30 s: rather than wait, the stored expiry is moved to where the clock would be by then.
    await gateway.database.query("update oauth_states set expires_at = now() - interval '1 second'", []);
    await expectRefusedWithoutEffect(path);
    expect(await count("oauth_states")).toBe(0);
  });

  it("is refused when unknown or tampered with, and a tampered copy does not spend the real one", async () => {
    const { path, state } = await approvedCallback(gateway);
    const code = new URL(path, "http://x").searchParams.get("code") ?? "";
    const flipped = `${state.slice(0, -1)}${state.endsWith("A") ? "B" : "A"}`;
    for (const forged of [flipped, `${state}x`, state.slice(1), state.toUpperCase(), "forged", sha256Hex(state)]) {
      await expectRefusedWithoutEffect(`/oauth/linear/callback?${new URLSearchParams({ state: forged, code })}`);
    }
    expect((await gateway.request(path)).status).toBe(200);
  });

  it("is refused when the callback carries none", async () => {
    const response = await gateway.request("/oauth/linear/callback?code=abc");
    expect(response.status).toBe(400);
    expect((await readProblem(response)).detail).toContain("state");
    expect(await count("linear_connections")).toBe(0);
  });
});
