// Reads a service's Prometheus /metrics: histograms, to split a measured time into its hops, and gauges.

/** Every sample on `metricsUrl` now, as [metric name, value] (labels dropped). */
async function samples(metricsUrl) {
  const text = await (await fetch(metricsUrl)).text();
  const found = [];
  for (const line of text.split("\n")) {
    const match = /^(\S+?)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (match) found.push([match[1], Number(match[2])]);
  }
  return found;
}

/** The sum and count of histogram `name` over all its label sets, as `/metrics` shows them now. */
export async function histogramTotals(metricsUrl, name) {
  const totals = { sum: 0, count: 0 };
  for (const [metric, value] of await samples(metricsUrl)) {
    if (metric === `${name}_sum`) totals.sum += value;
    else if (metric === `${name}_count`) totals.count += value;
  }
  return totals;
}

/** Sums the totals of `name` across several services. */
export async function histogramTotalsAcross(metricsUrls, name) {
  const all = await Promise.all(metricsUrls.map((url) => histogramTotals(url, name)));
  return all.reduce((total, each) => ({ sum: total.sum + each.sum, count: total.count + each.count }), {
    sum: 0,
    count: 0,
  });
}

/** The value of gauge `name` (summed over its label sets) on `metricsUrl`, or undefined when it has none. */
export async function gaugeValue(metricsUrl, name) {
  let total;
  for (const [metric, value] of await samples(metricsUrl)) if (metric === name) total = (total ?? 0) + value;
  return total;
}
