import { createHash, randomBytes } from "node:crypto";
import { type Database, openDatabase } from "@devtools/db/client";
import { createLogger } from "@devtools/service-kit/logger";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "@devtools/testkit/database";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { LinearConnectionStore } from "../../src/linear/connection-store.ts";
import { LinearClient } from "../../src/linear/linear-client.ts";
import { LinearCredentials } from "../../src/linear/linear-credentials.ts";
import { LinearGraphQL } from "../../src/linear/linear-graphql.ts";
import { LinearOAuthClient } from "../../src/linear/linear-oauth-client.ts";
import { TokenCipher } from "../../src/linear/token-cipher.ts";
import {
  FAKE_CLIENT_ID,
  FAKE_CLIENT_SECRET,
  FAKE_VIEWER,
  FAKE_WORKSPACE,
  type FakeLinear,
  startFakeLinear,
} from "./support/fake-linear.ts";

const logger = createLogger("gateway", "silent");

describe.each(await testDatabaseKinds())("Linear credentials on %s", (kind) => {
  let testDatabase: TestDatabase;
  let database: Database;
  let linear: FakeLinear;
  let store: LinearConnectionStore;
  let oauth: LinearOAuthClient;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
    database = await openDatabase(testDatabase.target);
    linear = await startFakeLinear({ apiKey: "lin_api_personal" });
    store = new LinearConnectionStore(database.query, new TokenCipher(randomBytes(32)));
    oauth = new LinearOAuthClient({
      clientId: FAKE_CLIENT_ID,
      clientSecret: FAKE_CLIENT_SECRET,
      tokenUrl: linear.env.LINEAR_TOKEN_URL,
      revokeUrl: linear.env.LINEAR_REVOKE_URL,
    });
  });
  afterAll(async () => {
    await linear?.close();
    await database?.close();
    await testDatabase?.drop();
  });
  beforeEach(async () => {
    await database.query("delete from linear_connections", []);
    linear.tokenRequests.length = 0;
    linear.graphql.length = 0;
    linear.state.refreshDelayMs = 0;
  });

  /** Stores a connection to the fake workspace with a pair the fake issued, expiring in `expiresInMs`. */
  async function connect(expiresInMs = 86_400_000) {
    const pair = await issuePair();
    await store.connect(
      { ...FAKE_WORKSPACE, viewerId: FAKE_VIEWER.id },
      { scopes: ["read"], actor: "user", tokens: { ...pair, expiresAt: new Date(Date.now() + expiresInMs) } },
    );
    linear.tokenRequests.length = 0;
    return pair;
  }

  /** A pair the fake holds, obtained through the real authorization-code flow. */
  async function issuePair() {
    const verifier = randomBytes(32).toString("base64url");
    const authorize = new URL(linear.env.LINEAR_AUTHORIZE_URL);
    authorize.search = new URLSearchParams({
      redirect_uri: "http://gateway.test/cb",
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      state: "s",
    }).toString();
    const redirect = await fetch(authorize, { redirect: "manual" });
    const code = new URL(redirect.headers.get("location") ?? "").searchParams.get("code") ?? "";
    const granted = await oauth.exchangeCode(code, "http://gateway.test/cb", verifier);
    return { accessToken: granted.accessToken, refreshToken: granted.refreshToken };
  }

  const clientWith = (apiKey?: string) => {
    const credentials = new LinearCredentials({
      store,
      oauth,
      apiKey,
      pinnedWorkspaceId: undefined,
      refreshMarginMs: 5 * 60_000,
      logger,
    });
    return new LinearClient(new LinearGraphQL(linear.env.LINEAR_API_URL), credentials);
  };

  it("sends the stored OAuth token as a Bearer token", async () => {
    const pair = await connect();
    const issues = await clientWith().searchIssues({ query: "login", first: 5 });
    expect(issues).toEqual([expect.objectContaining({ identifier: "ENG-1", state: "Todo" })]);
    expect(linear.calls("SearchIssues")[0]?.authorization).toBe(`Bearer ${pair.accessToken}`);
    expect(linear.grants("refresh_token")).toBe(0);
  });

  it("refreshes a token about to expire before using it, and saves the rotated pair", async () => {
    const old = await connect(60_000);
    await clientWith().searchIssues({ query: "login", first: 5 });
    expect(linear.grants("refresh_token")).toBe(1);
    const used = linear.calls("SearchIssues")[0]?.authorization;
    expect(used).not.toBe(`Bearer ${old.accessToken}`);
    const stored = await store.find(FAKE_WORKSPACE.id);
    expect(stored?.tokenVersion).toBe(2);
    const tokens = store.tokensOf(stored as NonNullable<typeof stored>);
    expect(`Bearer ${tokens.accessToken}`).toBe(used);
    expect(tokens.refreshToken).not.toBe(old.refreshToken);
    expect(tokens.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
  });

  it("after a 401, refreshes once for all the concurrent callers and retries each once", async () => {
    await connect();
    linear.expireAccessTokens();
    linear.state.refreshDelayMs = 100;
    const client = clientWith();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => client.searchIssues({ query: "login", first: 5 })),
    );
    expect(results.every((issues) => issues.length === 1)).toBe(true);
    expect(linear.grants("refresh_token")).toBe(1);
    expect(linear.refused("SearchIssues")).toBe(6);
    expect(linear.calls("SearchIssues")).toHaveLength(6);
    // A caller refused after the refresh finished uses the new pair rather than refreshing again.
    linear.state.refreshDelayMs = 0;
    await client.searchIssues({ query: "again", first: 1 });
    expect(linear.grants("refresh_token")).toBe(1);
  });

  it("marks the connection disconnected, with the reason, when Linear answers invalid_grant", async () => {
    await connect();
    linear.expireAccessTokens();
    linear.forgetRefreshTokens();
    await expect(clientWith().createComment({ issue_id: "ENG-1", body: "hi" })).rejects.toMatchObject({ status: 503 });
    const stored = await store.find(FAKE_WORKSPACE.id);
    expect(stored).toMatchObject({ status: "disconnected", accessTokenCiphertext: null, refreshTokenCiphertext: null });
    expect(stored?.disconnectedReason).toMatch(/invalid_grant/);
  });

  it("falls back to the personal API key, sent without Bearer, when no connection is usable", async () => {
    await clientWith("lin_api_personal").createComment({ issue_id: "ENG-1", body: "hi" });
    expect(linear.calls("CommentCreate")[0]?.authorization).toBe("lin_api_personal");
    await expect(clientWith().searchIssues({ query: "x", first: 1 })).rejects.toMatchObject({ status: 503 });
  });
});
