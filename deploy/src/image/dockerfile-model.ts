import {
  type Arg,
  DockerfileParser,
  type Instruction,
  type JSONInstruction,
  Keyword,
  type ModifiableInstruction,
  type PropertyInstruction,
} from "dockerfile-ast";
import { substitute } from "./substitute.ts";

/** One instruction, reduced to what the build needs from it. */
export interface Step {
  keyword: string;
  /** 1-based, for messages. */
  line: number;
  /** `--from=pruner` → { from: "pruner" }. */
  flags: Record<string, string>;
  /** Arguments after the flags, split as Docker splits them (quotes kept). */
  args: string[];
  /** The arguments as one text (a RUN's shell command), line continuations joined. */
  text: string;
  /** Exec-form (JSON) arguments: CMD ["node", "main.ts"]. */
  exec: string[] | undefined;
  /** NAME=value pairs of ENV, LABEL and ARG (value undefined for `ARG NAME`). */
  properties: { name: string; value: string | undefined }[];
}

export interface Stage {
  /** The name after AS, if any. */
  name: string | undefined;
  index: number;
  /** The FROM argument as written: an image, or an earlier stage (either may hold ${VARIABLES}). */
  from: string;
  line: number;
  steps: Step[];
}

export interface DockerfileModel {
  /** ARGs declared before the first FROM, with their defaults: only these may appear in FROM lines. */
  globalArgs: Map<string, string | undefined>;
  stages: Stage[];
}

function stepOf(instruction: Instruction): Step {
  const flags: Record<string, string> = {};
  if ("getFlags" in instruction) {
    for (const flag of (instruction as ModifiableInstruction).getFlags()) flags[flag.getName()] = flag.getValue() ?? "";
  }
  const exec =
    "getJSONStrings" in instruction && (instruction as JSONInstruction).getOpeningBracket()
      ? (instruction as JSONInstruction).getJSONStrings().map((argument) => argument.getJSONValue())
      : undefined;
  const properties =
    "getProperties" in instruction
      ? (instruction as PropertyInstruction).getProperties().map((property) => ({
          name: property.getName(),
          value: property.getValue() ?? undefined,
        }))
      : instruction.getKeyword() === Keyword.ARG
        ? [(instruction as Arg).getProperty()]
            .filter((property) => property !== null)
            .map((property) => ({ name: property.getName(), value: property.getValue() ?? undefined }))
        : [];
  return {
    keyword: instruction.getKeyword(),
    line: instruction.getRange().start.line + 1,
    flags,
    args: instruction.getArguments().map((argument) => argument.getValue()),
    text: instruction.getArgumentsContent() ?? "",
    exec,
    properties,
  };
}

/** Splits a Dockerfile into its global ARGs and its stages (dockerfile-ast parses it). */
export function readDockerfile(content: string): DockerfileModel {
  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(content).getInstructions()) {
    const step = stepOf(instruction);
    if (step.keyword === Keyword.FROM) {
      const [from = "", as, name] = step.args;
      stages.push({
        name: as?.toUpperCase() === "AS" ? name : undefined,
        index: stages.length,
        from,
        line: step.line,
        steps: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (stage) stage.steps.push(step);
    else if (step.keyword === Keyword.ARG) for (const { name, value } of step.properties) globalArgs.set(name, value);
    else throw new Error(`line ${step.line}: ${step.keyword} before the first FROM`);
  }
  return { globalArgs, stages };
}

/** The values of the global ARGs for a build with `buildArgs`. */
export function globalArgValues(model: DockerfileModel, buildArgs: Record<string, string>): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, fallback] of model.globalArgs) {
    const value = buildArgs[name] ?? fallback;
    if (value !== undefined) values.set(name, value);
  }
  return values;
}

/** The stage a FROM line names after substitution, or undefined when it names an image. */
export function parentStage(
  model: DockerfileModel,
  stage: Stage,
  buildArgs: Record<string, string>,
): Stage | undefined {
  const from = substitute(stage.from, globalArgValues(model, buildArgs));
  return model.stages.slice(0, stage.index).find((earlier) => earlier.name === from);
}

/** A stage by name, or the last one (what `docker build` builds without --target). */
export function stageNamed(model: DockerfileModel, name?: string): Stage {
  const stage = name === undefined ? model.stages.at(-1) : model.stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(name === undefined ? "the Dockerfile has no stage" : `no stage named ${name}`);
  return stage;
}

/** The stage and its ancestors through FROM, the base image's first: the order their steps apply in. */
export function stageChain(model: DockerfileModel, stage: Stage, buildArgs: Record<string, string>): Stage[] {
  const chain: Stage[] = [];
  for (let current: Stage | undefined = stage; current; current = parentStage(model, current, buildArgs)) {
    chain.unshift(current);
  }
  return chain;
}
