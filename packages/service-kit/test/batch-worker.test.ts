import { describe, expect, it } from "vitest";
import { BatchWorker } from "../src/batch-worker.ts";
import { createLogger } from "../src/logger.ts";

const logger = createLogger("test", "silent");

describe("BatchWorker", () => {
  it("runs rounds while they come back full, and coalesces wakes during a run into one more run", async () => {
    const claims = [2, 2, 1, 0];
    let rounds = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const worker = new BatchWorker({
      round: async () => {
        rounds += 1;
        if (rounds === 1) await gate;
        return claims.shift() ?? 0;
      },
      batch: 2,
      logger,
      what: "test work",
    });
    worker.wake();
    worker.wake();
    worker.wake();
    release();
    while (claims.length > 0) await new Promise((resolve) => setImmediate(resolve));
    await worker.stop();
    // Full, full, short (the first run); then one more run for the wakes that came meanwhile.
    expect(rounds).toBe(4);
  });

  it("leaves a failed round to the next wake", async () => {
    let rounds = 0;
    const worker = new BatchWorker({
      round: async () => {
        rounds += 1;
        if (rounds === 1) throw new Error("database down");
        return 0;
      },
      batch: 5,
      logger,
      what: "test work",
    });
    worker.wake();
    await new Promise((resolve) => setImmediate(resolve));
    worker.wake();
    await worker.stop();
    expect(rounds).toBe(2);
  });
});
