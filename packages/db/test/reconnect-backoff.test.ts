import { describe, expect, it } from "vitest";
import { reconnectBackoffSeconds } from "../src/client.ts";

describe("reconnectBackoffSeconds", () => {
  it("grows with the failures but never keeps a service waiting more than 2 s for a database that is back", () => {
    const longest = (failures: number) =>
      Math.max(...Array.from({ length: 200 }, () => reconnectBackoffSeconds(failures)));
    expect(longest(0)).toBeLessThanOrEqual(0.05);
    expect(longest(3)).toBeLessThanOrEqual(0.4);
    // postgres.js's own backoff reaches 10–20 s here, after one burst of dropped connections.
    for (const failures of [8, 20, 100]) expect(longest(failures)).toBeLessThanOrEqual(2);
    expect(reconnectBackoffSeconds(100)).toBeGreaterThanOrEqual(1);
  });
});
