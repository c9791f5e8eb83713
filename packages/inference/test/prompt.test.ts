import { describe, expect, it } from "vitest";
import { buildPrompt, renderParts } from "../src/prompt.ts";

describe("buildPrompt", () => {
  const staticParts = ["You write Dockerfiles.", { title: "Rules", content: "Pin the base image." }];

  it("puts the static parts in the system message and the variable parts in the user message", () => {
    const messages = buildPrompt({
      staticParts,
      variableParts: [{ title: "Subtask", content: "Containerise the API" }],
    });

    expect(messages).toEqual([
      { role: "system", content: "You write Dockerfiles.\n\n## Rules\n\nPin the base image." },
      { role: "user", content: "## Subtask\n\nContainerise the API" },
    ]);
  });

  it("gives calls with different inputs the same leading bytes", () => {
    const render = (input: unknown) =>
      JSON.stringify(buildPrompt({ staticParts, variableParts: [{ title: "Upstream results", content: input }] }));
    const a = render({ files: ["a.ts"] });
    const b = render("something else entirely");
    const system = JSON.stringify(buildPrompt({ staticParts, variableParts: [] })[0]);

    expect(a.startsWith(`[${system},`)).toBe(true);
    expect(b.startsWith(`[${system},`)).toBe(true);
  });

  it("writes non-text content as indented JSON and skips empty parts", () => {
    expect(renderParts(["a", undefined, "", { title: "Data", content: { x: 1 } }])).toBe(
      'a\n\n## Data\n\n{\n  "x": 1\n}',
    );
  });

  it("leaves out the system message when there is no static part", () => {
    expect(buildPrompt({ staticParts: [], variableParts: ["hi"] })).toEqual([{ role: "user", content: "hi" }]);
  });
});
