// Where the CPU goes during a measurement, from /proc (Linux only; undefined elsewhere). Clock ticks are 1/100 s.

import { readdirSync, readFileSync } from "node:fs";

/** CPU seconds (user + system) used so far by one process. */
function processCpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by every process named `postgres`. */
function postgresCpuSeconds() {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres") total += processCpuSeconds(pid) ?? 0;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** CPU seconds every core has spent busy (not idle, not waiting for I/O). */
function machineBusySeconds() {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  return (ticks.slice(0, 8).reduce((sum, tick) => sum + tick, 0) - ticks[3] - ticks[4]) / 100;
}

/**
 * Samples the counters; calling the result gives each one's share of a core (100 = one core) since
 * then: the server `serverPid`, PostgreSQL, this process (the load generator), the whole machine, and
 * `other` (the machine minus those three: the kernel, and anything else running, which skews a figure).
 */
export function cpuMeter(serverPid) {
  const read = () => {
    try {
      const { user, system } = process.cpuUsage();
      return {
        server: processCpuSeconds(serverPid),
        postgres: postgresCpuSeconds(),
        client: (user + system) / 1e6,
        machine: machineBusySeconds(),
        at: performance.now(),
      };
    } catch {
      return undefined;
    }
  };
  const before = read();
  return () => {
    const after = read();
    if (!before || !after) return {};
    const seconds = (after.at - before.at) / 1000;
    const share = (key) => (100 * (after[key] - before[key])) / seconds;
    const shares = { server: share("server"), postgres: share("postgres"), client: share("client") };
    const machine = share("machine");
    return { ...shares, machine, other: machine - shares.server - shares.postgres - shares.client };
  };
}
