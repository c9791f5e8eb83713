// Resident memory of a benchmark's child processes, from /proc (Linux only; undefined elsewhere).

import { readFileSync } from "node:fs";

/** The resident set size of process `pid` in bytes, or undefined when it cannot be read. */
export function rssBytes(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((candidate) => candidate.startsWith("VmRSS:"));
    return line ? Number(line.split(/\s+/)[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Samples the RSS of every named process (`{ name: pid }`) every `intervalMs` and keeps each one's
 * peak; `now()` reads them all at once, `stop()` ends the sampling and gives the peaks.
 */
export function watchMemory(pids, intervalMs = 250) {
  const now = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssBytes(pid)]));
  const peaks = now();
  const timer = setInterval(() => {
    for (const [name, bytes] of Object.entries(now())) peaks[name] = Math.max(peaks[name] ?? 0, bytes ?? 0);
  }, intervalMs);
  return {
    now,
    stop: () => {
      clearInterval(timer);
      return peaks;
    },
  };
}

export const mebibytes = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MB` : "n/a");
