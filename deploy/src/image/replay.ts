import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { Keyword } from "dockerfile-ast";
import { type DockerfileModel, parentStage, type Stage, type Step, stageNamed } from "./dockerfile-model.ts";
import { StageScope } from "./image-config.ts";

/** A RUN about to be replayed: its shell command, its variables, and its `--mount` cache targets. */
export interface RunStep {
  stage: string;
  line: number;
  command: string;
  variables: ReadonlyMap<string, string>;
  cacheTargets: string[];
}

/** How a RUN replays here: a (possibly rewritten) command to run, or "provided" when this machine already has what it sets up. */
export type RunPolicy = (step: RunStep) => { command: string } | "provided";

export interface ReplayOptions {
  model: DockerfileModel;
  buildArgs: Record<string, string>;
  /** The build context (what .dockerignore lets through). */
  contextDir: string;
  /** Each stage's filesystem goes to `<workDir>/<stage>`, standing for its `/`. */
  workDir: string;
  run: RunPolicy;
  /** The environment RUN commands find their tools in (PATH, HOME). */
  hostEnv: Record<string, string | undefined>;
}

export interface ReplayedStage {
  /** The stage's `/` on this machine. */
  root: string;
  workdir: string;
  env: Map<string, string>;
}

const UNSUPPORTED = new Set<string>([Keyword.ADD, Keyword.ONBUILD, Keyword.VOLUME, Keyword.SHELL]);

/** A container path inside a stage's root; relative paths start at the working directory. */
function hostPath(root: string, workdir: string, path: string): string {
  return join(root, posix.resolve(workdir, path));
}

function cacheTargets(step: Step): string[] {
  const mount = step.flags.mount;
  if (mount === undefined) return [];
  const options = Object.fromEntries(mount.split(",").map((option) => option.split("=", 2) as [string, string]));
  if (options.type !== "cache") throw new Error(`line ${step.line}: only cache mounts replay, not ${options.type}`);
  return options.target ? [options.target] : [];
}

/**
 * Replays the filesystem side of `docker build --target <target>` on this machine, stage by stage
 * as BuildKit would (only the stages the target needs): each stage starts from a copy of its parent
 * stage's files (an image base starts empty), then its WORKDIR, COPY and RUN steps apply, RUN through
 * `options.run`. What needs a container (USER, file ownership) is left to the image config.
 */
export function replayBuild(options: ReplayOptions, target?: string): ReplayedStage {
  const built = new Map<Stage, ReplayedStage>();
  const build = (stage: Stage): ReplayedStage => {
    const done = built.get(stage);
    if (done) return done;
    const parent = parentStage(options.model, stage, options.buildArgs);
    const inherited = parent ? build(parent) : { root: "", workdir: "/", env: new Map<string, string>() };
    const root = join(options.workDir, stage.name ?? `stage-${stage.index}`);
    if (parent) cpSync(inherited.root, root, { recursive: true, verbatimSymlinks: true });
    else mkdirSync(root, { recursive: true });
    const scope = new StageScope(options.model, options.buildArgs, inherited);
    for (const step of stage.steps) {
      if (UNSUPPORTED.has(step.keyword)) throw new Error(`line ${step.line}: ${step.keyword} does not replay`);
      scope.apply(step);
      if (step.keyword === Keyword.WORKDIR) mkdirSync(hostPath(root, "/", scope.workdir), { recursive: true });
      else if (step.keyword === Keyword.COPY) copyStep(step, scope, root, build);
      else if (step.keyword === Keyword.RUN) runStep(step, scope, root, stage);
    }
    const result = { root, workdir: scope.workdir, env: scope.env };
    built.set(stage, result);
    return result;
  };

  const copyStep = (step: Step, scope: StageScope, root: string, buildStage: (stage: Stage) => ReplayedStage) => {
    const paths = (step.exec ?? step.args).map((path) => scope.expand(path));
    const destination = paths.pop();
    if (destination === undefined || paths.length === 0) throw new Error(`line ${step.line}: COPY needs a source`);
    const fromName = step.flags.from;
    const from = fromName === undefined ? undefined : buildStage(stageNamed(options.model, scope.expand(fromName)));
    for (const source of paths) {
      if (/[*?[]/.test(source)) throw new Error(`line ${step.line}: COPY wildcards do not replay`);
      const sourcePath = from ? hostPath(from.root, from.workdir, source) : join(options.contextDir, source);
      if (!existsSync(sourcePath)) throw new Error(`line ${step.line}: COPY source ${source} does not exist`);
      let target = hostPath(root, scope.workdir, destination);
      // A file copied to a folder (`dest/`) keeps its name; a folder's contents go into the destination.
      if (!statSync(sourcePath).isDirectory() && destination.endsWith("/"))
        target = join(target, posix.basename(source));
      cpSync(sourcePath, target, { recursive: true, verbatimSymlinks: true, force: true });
    }
  };

  const runStep = (step: Step, scope: StageScope, root: string, stage: Stage) => {
    const variables = scope.variables();
    const decision = options.run({
      stage: stage.name ?? `stage-${stage.index}`,
      line: step.line,
      command: step.exec ? step.exec.join(" ") : step.text,
      variables,
      cacheTargets: cacheTargets(step),
    });
    if (decision === "provided") return;
    const result = spawnSync("/bin/sh", ["-c", decision.command], {
      cwd: hostPath(root, "/", scope.workdir),
      env: { ...options.hostEnv, ...Object.fromEntries(variables) },
      encoding: "utf8",
    });
    if (result.status !== 0) {
      throw new Error(
        `line ${step.line}: RUN ${decision.command} exited with ${result.status}:\n${result.stdout}${result.stderr}`,
      );
    }
  };

  return build(stageNamed(options.model, target));
}
