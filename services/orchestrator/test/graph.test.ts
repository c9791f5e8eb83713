import { describe, expect, it } from "vitest";
import { layOut } from "../src/planner/graph.ts";

describe("layOut", () => {
  it("puts independent nodes in one stage and weights the critical path by minutes", () => {
    const layout = layOut([
      { id: "a", dependsOn: [], minutes: 1 },
      { id: "b", dependsOn: [], minutes: 5 },
      { id: "c", dependsOn: ["a", "b"], minutes: 2 },
    ]);
    expect(layout.stages).toEqual([["a", "b"], ["c"]]);
    expect(layout.executionOrder).toEqual(["a", "b", "c"]);
    expect(layout.criticalPath).toEqual(["b", "c"]);
    expect(layout.minutes).toBe(7);
  });

  it("rejects a dependency on a node that does not come first, which is how a cycle shows", () => {
    expect(() =>
      layOut([
        { id: "a", dependsOn: ["b"], minutes: 1 },
        { id: "b", dependsOn: ["a"], minutes: 1 },
      ]),
    ).toThrow(/a depends on b/);
  });

  it("lays out an empty plan", () => {
    expect(layOut([])).toMatchObject({ stages: [], executionOrder: [], criticalPath: [], minutes: 0 });
  });
});
