import { lstat, mkdir, realpath, writeFile } from "node:fs/promises";
import { dirname, relative, resolve, sep } from "node:path";
import type { Task } from "@devtools/contracts/task";
import { artifactTarget } from "./artifact-path.ts";

export interface RefusedArtifact {
  subtaskId: string;
  path: string;
  reason: string;
}

export interface WrittenArtifacts {
  folder: string;
  /** Paths of the files written, relative to the folder, `task.json` first. */
  files: string[];
  refused: RefusedArtifact[];
}

/** The folder of each subtask with artifacts: its agent's name, then `<agent>-2`, `<agent>-3`… for later subtasks of the same agent. */
function subtaskFolders(task: Task): Map<string, string> {
  const seen = new Map<string, number>();
  const folders = new Map<string, string>();
  const order = new Map(task.routing_plan.execution_order.map((id, index) => [id, index]));
  const withArtifacts = task.subtasks
    .filter((subtask) => (subtask.result?.artifacts.length ?? 0) > 0)
    .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  for (const subtask of withArtifacts) {
    const n = (seen.get(subtask.agent_type) ?? 0) + 1;
    seen.set(subtask.agent_type, n);
    folders.set(subtask.id, n === 1 ? subtask.agent_type : `${subtask.agent_type}-${n}`);
  }
  return folders;
}

const isInside = (root: string, path: string) => path === root || path.startsWith(`${root}${sep}`);

/**
 * Writes `task.json` (the whole task, results included) and each subtask's artifacts into
 * `<folder>/<agent>/<path>`. A path that would land outside its agent's folder, directly or
 * through a symbolic link already there, is refused and reported, never written.
 */
export async function writeArtifacts(task: Task, folder: string): Promise<WrittenArtifacts> {
  const root = resolve(folder);
  await mkdir(root, { recursive: true });
  const realRoot = await realpath(root);
  await writeFile(resolve(root, "task.json"), `${JSON.stringify(task, null, 2)}\n`);
  const written: WrittenArtifacts = { folder: root, files: ["task.json"], refused: [] };
  const folders = subtaskFolders(task);
  for (const subtask of task.subtasks) {
    const agentFolder = folders.get(subtask.id);
    if (!agentFolder || !subtask.result) continue;
    const base = resolve(root, agentFolder);
    for (const artifact of subtask.result.artifacts) {
      const target = artifactTarget(base, artifact.path);
      const refuse = (reason: string) => written.refused.push({ subtaskId: subtask.id, path: artifact.path, reason });
      if (!target.ok) {
        refuse(target.reason);
        continue;
      }
      await mkdir(dirname(target.path), { recursive: true });
      const existing = await lstat(target.path).catch(() => undefined);
      if (existing?.isSymbolicLink() || !isInside(realRoot, await realpath(dirname(target.path)))) {
        refuse("leads outside the folder through a symbolic link");
        continue;
      }
      if (existing?.isDirectory()) {
        refuse("is a folder already");
        continue;
      }
      await writeFile(target.path, artifact.content);
      written.files.push(relative(root, target.path));
    }
  }
  return written;
}
