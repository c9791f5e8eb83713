import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { FakeLinear } from "../../linear/support/fake-linear.ts";
import type { InProcessGateway } from "./in-process-gateway.ts";

/** A fresh TOKEN_ENCRYPTION_KEY (32 bytes, base64). */
export const newEncryptionKey = () => randomBytes(32).toString("base64");

/**
 * Starts an authorization and lets the fake Linear approve it; resolves with the gateway-relative
 * callback address (code and state) that Linear sends the browser back to, not yet followed.
 */
export async function approvedCallback(gateway: InProcessGateway): Promise<{ path: string; state: string }> {
  const authorize = await gateway.request("/oauth/linear/authorize", { redirect: "manual" });
  expect(authorize.status).toBe(302);
  const consent = await fetch(authorize.headers.get("location") ?? "", { redirect: "manual" });
  const back = new URL(consent.headers.get("location") ?? "");
  return { path: `${back.pathname}${back.search}`, state: back.searchParams.get("state") ?? "" };
}

/** The code-for-token exchanges the fake Linear has received. */
export const codeExchanges = (linear: FakeLinear) => linear.grants("authorization_code");
