// Reads histograms off a service's Prometheus /metrics, to split a measured time into its hops.

/** The sum and count of histogram `name` over all its label sets, as `/metrics` shows them now. */
export async function histogramTotals(metricsUrl, name) {
  const text = await (await fetch(metricsUrl)).text();
  const totals = { sum: 0, count: 0 };
  for (const line of text.split("\n")) {
    const match = /^(\S+?)(?:\{[^}]*\})? (\S+)$/.exec(line);
    if (match?.[1] === `${name}_sum`) totals.sum += Number(match[2]);
    else if (match?.[1] === `${name}_count`) totals.count += Number(match[2]);
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
