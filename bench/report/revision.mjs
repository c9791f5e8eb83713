// Which code a report describes: the git commit, and whether the tree had changes on top of it.

import { execFileSync } from "node:child_process";
import { ROOT } from "../support/processes.mjs";

const git = (...args) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();

/** `{ commit, subject, dirty }` of the checkout, or `{ commit: "unknown" }` outside git. */
export function revision() {
  try {
    return {
      commit: git("rev-parse", "--short=12", "HEAD"),
      subject: git("log", "-1", "--format=%s"),
      dirty: git("status", "--porcelain").length > 0,
    };
  } catch {
    return { commit: "unknown", subject: "", dirty: false };
  }
}

export const describeRevision = ({ commit, dirty }) => `\`${commit}\`${dirty ? " with uncommitted changes" : ""}`;
