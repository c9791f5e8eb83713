import type { RunPolicy } from "./replay.ts";
import { substitute } from "./substitute.ts";

export interface HostTools {
  /** `turbo --version` on this machine. */
  turboVersion: string;
  /** `pnpm --version` on this machine. */
  pnpmVersion: string;
  /** The pnpm version package.json's packageManager pins (what corepack would activate in the image). */
  pinnedPnpmVersion: string;
  /** This machine's pnpm store root (`pnpm store path` without its v10 suffix). */
  pnpmStoreDir: string;
}

/**
 * How this machine, without network, stands in for the Dockerfile's RUN steps: the tool installs are
 * provided by the machine's own turbo and pnpm (refused when their versions differ from the pinned
 * ones, so the replay proves the same tools), the pnpm store cache mount is the machine's store, and
 * `pnpm install` runs `--offline` from it. Every other RUN runs as written.
 */
export function offlineRunPolicy(tools: HostTools): RunPolicy {
  return (step) => {
    const command = substitute(step.command, step.variables).replaceAll('"', "");
    const turbo = /^npm install (?:--global|-g) turbo@(\S+)$/.exec(command);
    if (turbo) {
      if (turbo[1] !== tools.turboVersion) {
        throw new Error(
          `line ${step.line}: the image installs turbo ${turbo[1]}, this workspace has ${tools.turboVersion}`,
        );
      }
      return "provided";
    }
    if (/^corepack enable(?: pnpm)?$/.test(command)) {
      if (tools.pinnedPnpmVersion !== tools.pnpmVersion) {
        throw new Error(
          `line ${step.line}: corepack would activate pnpm ${tools.pinnedPnpmVersion}, this machine has ${tools.pnpmVersion}`,
        );
      }
      return "provided";
    }
    let rewritten = step.command;
    for (const target of step.cacheTargets) {
      if (!/^pnpm /.test(rewritten)) throw new Error(`line ${step.line}: no host cache stands in for ${target} here`);
      rewritten = rewritten.replaceAll(target, tools.pnpmStoreDir);
    }
    if (/^pnpm install\b/.test(rewritten)) rewritten += " --offline";
    return { command: rewritten };
  };
}
