import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServiceProcess, startService } from "@devtools/testkit/process";
import { createKeyWithAdmin, type FakeUpstream, startFakeUpstream } from "../../front-door/support.ts";

export const INTERNAL_TOKEN = "planted-internal-token-for-the-proxy-security-tests";
/** feature-dev's base URL has this path: nothing the proxy sends it may leave it. */
export const ALLOWED_PREFIX = "/allowed";

export interface GatewayBeforeFakeServices {
  gateway: ServiceProcess;
  /** One recording server stands in for every internal service. */
  upstream: FakeUpstream;
  key: string;
  stop: () => Promise<void>;
}

/**
 * The gateway as a real process with API keys on and INTERNAL_TOKEN set, in front of one recording
 * server: the orchestrator at its root, feature-dev under ALLOWED_PREFIX. Answers 200 `UPSTREAM <path>`.
 */
export async function startGatewayBeforeFakeServices(): Promise<GatewayBeforeFakeServices> {
  const dataDir = await mkdtemp(join(tmpdir(), "gateway-security-"));
  const key = await createKeyWithAdmin("security-tests", { DATA_DIR: dataDir });
  const upstream = await startFakeUpstream((request, response) => {
    request.resume();
    response.writeHead(200, { "content-type": "text/plain" });
    response.end(`UPSTREAM ${request.url}`);
  });
  const gateway = await startService("gateway", {
    DATA_DIR: dataDir,
    INTERNAL_TOKEN,
    ORCHESTRATOR_URL: upstream.url,
    FEATURE_DEV_URL: `${upstream.url}${ALLOWED_PREFIX}`,
  });
  return {
    gateway,
    upstream,
    key,
    stop: async () => {
      await gateway.stop();
      await upstream.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
