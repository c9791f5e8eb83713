/** A node of a plan's dependency graph. */
export interface PlanNode {
  id: string;
  dependsOn: readonly string[];
  /** Expected minutes; weights the critical path. */
  minutes: number;
}

export interface Layout {
  /** Stage index of each node: one more than the latest stage it depends on. */
  stageOf: Map<string, number>;
  stages: string[][];
  executionOrder: string[];
  criticalPath: string[];
  /** Minutes along the critical path. */
  minutes: number;
}

/**
 * Lays out a DAG given in an order where dependencies come first: stages of nodes that can run in
 * parallel, a topological order (stage by stage, input order within a stage) and the longest chain.
 * @throws Error when a node depends on an unknown or later node (a cycle, or a malformed plan).
 */
export function layOut(nodes: readonly PlanNode[]): Layout {
  const stageOf = new Map<string, number>();
  const finish = new Map<string, { minutes: number; via: string | undefined }>();
  for (const node of nodes) {
    let stage = 0;
    let via: { minutes: number; id: string | undefined } = { minutes: 0, id: undefined };
    for (const dependency of node.dependsOn) {
      const dependencyStage = stageOf.get(dependency);
      const dependencyFinish = finish.get(dependency);
      if (dependencyStage === undefined || dependencyFinish === undefined) {
        throw new Error(`subtask ${node.id} depends on ${dependency}, which does not come before it`);
      }
      stage = Math.max(stage, dependencyStage + 1);
      if (dependencyFinish.minutes > via.minutes) via = { minutes: dependencyFinish.minutes, id: dependency };
    }
    stageOf.set(node.id, stage);
    finish.set(node.id, { minutes: via.minutes + node.minutes, via: via.id });
  }
  const stages: string[][] = [];
  for (const node of nodes) {
    const stage = stageOf.get(node.id) as number;
    stages[stage] = [...(stages[stage] ?? []), node.id];
  }
  let last: string | undefined;
  for (const [id, { minutes }] of finish)
    if (last === undefined || minutes > (finish.get(last)?.minutes ?? 0)) last = id;
  const criticalPath: string[] = [];
  for (let id = last; id !== undefined; id = finish.get(id)?.via) criticalPath.unshift(id);
  return {
    stageOf,
    stages,
    executionOrder: stages.flat(),
    criticalPath,
    minutes: last === undefined ? 0 : (finish.get(last)?.minutes ?? 0),
  };
}
