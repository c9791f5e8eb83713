// A fixed-duration HTTP load with autocannon from this process, summed up the same way everywhere.

import autocannon from "autocannon";

/**
 * `connections` keep-alive connections (no pipelining) send `requests` (each connection cycles through
 * them) to `url` for `seconds`. requests/s is autocannon's mean of its per-second samples; p50/p99 its
 * latency percentiles (whole milliseconds); errors are socket errors (resets, refused) and timeouts.
 */
export async function load(url, { requests, connections, seconds }) {
  const result = await autocannon({ url, connections, duration: seconds, requests });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
