import { posix } from "node:path";
import { Keyword } from "dockerfile-ast";
import {
  type DockerfileModel,
  globalArgValues,
  type Stage,
  type Step,
  stageChain,
  stageNamed,
} from "./dockerfile-model.ts";
import { substitute } from "./substitute.ts";

export interface Healthcheck {
  /** --interval, --timeout, --start-period, --retries… */
  options: Record<string, string>;
  /** The exec-form command: ["node", "-e", "…"]. */
  command: string[];
}

/** What `docker inspect` would say of the image a target stage builds, plus the stages it went through. */
export interface ImageConfig {
  /** The image the first stage of the chain starts from, variables substituted. */
  baseImage: string;
  /** The stages whose steps made the image, base first. */
  stages: Stage[];
  env: Record<string, string>;
  exposedPorts: number[];
  cmd: string[] | undefined;
  user: string | undefined;
  workdir: string;
  healthcheck: Healthcheck | undefined;
  labels: Record<string, string>;
  stopSignal: string | undefined;
}

/**
 * Tracks the variables in scope while a stage's steps apply: ARGs declared in the stage (build
 * arg, else the ARG's default, else the global ARG's) and ENVs, which later stages inherit.
 */
export class StageScope {
  readonly args = new Map<string, string>();
  readonly env: Map<string, string>;
  workdir: string;
  private readonly globals: Map<string, string>;
  private readonly buildArgs: Record<string, string>;

  constructor(
    model: DockerfileModel,
    buildArgs: Record<string, string>,
    inherited: { env: Map<string, string>; workdir: string },
  ) {
    this.globals = globalArgValues(model, buildArgs);
    this.buildArgs = buildArgs;
    this.env = new Map(inherited.env);
    this.workdir = inherited.workdir;
  }

  variables(): Map<string, string> {
    return new Map([...this.args, ...this.env]);
  }

  expand(text: string): string {
    return substitute(text, this.variables());
  }

  /** Applies the steps that change the scope (ARG, ENV, WORKDIR); the others are the caller's. */
  apply(step: Step): void {
    if (step.keyword === Keyword.ARG) {
      for (const { name, value } of step.properties) {
        const resolved =
          this.buildArgs[name] ?? (value === undefined ? this.globals.get(name) : this.expand(value)) ?? undefined;
        if (resolved !== undefined) this.args.set(name, resolved);
      }
    } else if (step.keyword === Keyword.ENV) {
      for (const { name, value } of step.properties) this.env.set(name, this.expand(value ?? ""));
    } else if (step.keyword === Keyword.WORKDIR) {
      this.workdir = posix.resolve(this.workdir, this.expand(step.text));
    }
  }
}

function healthcheckOf(step: Step): Healthcheck {
  const [subcommand] = step.args;
  if (subcommand?.toUpperCase() !== "CMD") throw new Error(`line ${step.line}: HEALTHCHECK needs CMD (or is NONE)`);
  const exec = step.text.slice(step.text.toUpperCase().indexOf("CMD") + 3).trim();
  // Shell form would need /bin/sh in the image to run; the exec form is what we write.
  if (!exec.startsWith("[")) throw new Error(`line ${step.line}: HEALTHCHECK CMD should use the exec (JSON) form`);
  return { options: { ...step.flags }, command: JSON.parse(exec) as string[] };
}

/** The image configuration the target stage (default: the last) builds with `buildArgs`. */
export function imageConfig(model: DockerfileModel, buildArgs: Record<string, string>, target?: string): ImageConfig {
  const stages = stageChain(model, stageNamed(model, target), buildArgs);
  const config: ImageConfig = {
    baseImage: substitute(stages[0]?.from ?? "", globalArgValues(model, buildArgs)),
    stages,
    env: {},
    exposedPorts: [],
    cmd: undefined,
    user: undefined,
    workdir: "/",
    healthcheck: undefined,
    labels: {},
    stopSignal: undefined,
  };
  let inherited = { env: new Map<string, string>(), workdir: "/" };
  for (const stage of stages) {
    const scope = new StageScope(model, buildArgs, inherited);
    for (const step of stage.steps) {
      scope.apply(step);
      switch (step.keyword) {
        case Keyword.EXPOSE:
          for (const port of step.args) config.exposedPorts.push(Number.parseInt(scope.expand(port), 10));
          break;
        case Keyword.CMD:
          config.cmd = step.exec ?? ["/bin/sh", "-c", step.text];
          break;
        case Keyword.USER:
          config.user = scope.expand(step.text);
          break;
        case Keyword.HEALTHCHECK:
          config.healthcheck = healthcheckOf(step);
          break;
        case Keyword.LABEL:
          for (const { name, value } of step.properties) config.labels[name] = scope.expand(value ?? "");
          break;
        case Keyword.STOPSIGNAL:
          config.stopSignal = scope.expand(step.text);
          break;
      }
    }
    inherited = { env: scope.env, workdir: scope.workdir };
  }
  config.env = Object.fromEntries(inherited.env);
  config.workdir = inherited.workdir;
  return config;
}
