import { mkdir, mkdtemp, readFile, rm, stat, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { artifactTarget } from "../src/artifacts/artifact-path.ts";
import { writeArtifacts } from "../src/artifacts/write-artifacts.ts";
import { CODE, featureDevResult, plannedTask } from "./support/task-fixture.ts";

describe("artifactTarget", () => {
  it("keeps relative paths inside the folder and refuses those that leave it", () => {
    expect(artifactTarget("/out/feature-dev", "src/app.ts")).toEqual({ ok: true, path: "/out/feature-dev/src/app.ts" });
    expect(artifactTarget("/out/feature-dev", "./a/../b.ts")).toEqual({ ok: true, path: "/out/feature-dev/b.ts" });
    expect(artifactTarget("/out/feature-dev", "../cicd/x.yml")).toEqual({ ok: false, reason: "escapes the folder" });
    expect(artifactTarget("/out/feature-dev", "a/../../../etc/passwd")).toEqual({
      ok: false,
      reason: "escapes the folder",
    });
    expect(artifactTarget("/out/feature-dev", "..\\..\\x")).toEqual({ ok: false, reason: "escapes the folder" });
    expect(artifactTarget("/out/feature-dev", ".")).toEqual({ ok: false, reason: "escapes the folder" });
    expect(artifactTarget("/out/feature-dev", "/etc/passwd")).toEqual({ ok: false, reason: "is absolute" });
    expect(artifactTarget("/out/feature-dev", "C:/Windows/x")).toEqual({ ok: false, reason: "is absolute" });
    expect(artifactTarget("/out/feature-dev", "a\0b")).toEqual({ ok: false, reason: "contains a NUL byte" });
  });
});

describe("writeArtifacts", () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), "devtools-artifacts-"));
  });
  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("writes task.json and each artifact under <agent>/<path>, refusing paths that escape", async () => {
    const task = plannedTask();
    const code = task.subtasks.find((subtask) => subtask.id === CODE);
    if (!code) throw new Error("fixture without feature-dev");
    Object.assign(code, {
      status: "succeeded",
      result: featureDevResult(["src/app.ts", "../../outside.txt", "/etc/evil"]),
    });
    const written = await writeArtifacts(task, join(folder, "out"));
    expect(written.files).toEqual(["task.json", join("feature-dev", "src", "app.ts")]);
    expect(await readFile(join(folder, "out", "feature-dev", "src", "app.ts"), "utf8")).toBe("content of src/app.ts");
    expect(JSON.parse(await readFile(join(folder, "out", "task.json"), "utf8")).task_id).toBe(task.task_id);
    expect(written.refused).toEqual([
      { subtaskId: CODE, path: "../../outside.txt", reason: "escapes the folder" },
      { subtaskId: CODE, path: "/etc/evil", reason: "is absolute" },
    ]);
    await expect(stat(join(folder, "outside.txt"))).rejects.toThrow();
  });

  it("does not follow a symbolic link out of the folder", async () => {
    const outside = join(folder, "elsewhere");
    await mkdir(join(folder, "out", "feature-dev"), { recursive: true });
    await mkdir(outside);
    await symlink(outside, join(folder, "out", "feature-dev", "src"));
    const task = plannedTask();
    Object.assign(task.subtasks[1] ?? {}, { status: "succeeded", result: featureDevResult(["src/app.ts"]) });
    const written = await writeArtifacts(task, join(folder, "out"));
    expect(written.refused).toEqual([
      { subtaskId: CODE, path: "src/app.ts", reason: "leads outside the folder through a symbolic link" },
    ]);
    await expect(stat(join(outside, "app.ts"))).rejects.toThrow();
  });
});
