import { DockerfileParser, Keyword } from "dockerfile-ast";
import { firstProblems } from "./entries.ts";

const KEYWORDS = new Set<string>(Object.values(Keyword));

/**
 * The Dockerfile parses with dockerfile-ast (the parser behind VS Code's Docker support): every
 * instruction is one Docker knows, it has a FROM with an image, and only ARG comes before the first FROM.
 */
export function dockerfileProblems(content: string): string[] {
  if (content.trim() === "") return ["is empty; write the Dockerfile"];
  const dockerfile = DockerfileParser.parse(content);
  const instructions = dockerfile.getInstructions();
  const problems: string[] = [];
  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    if (!KEYWORDS.has(keyword)) {
      const line = instruction.getRange().start.line + 1;
      problems.push(`line ${line}: unknown instruction "${instruction.getInstruction()}"`);
    }
  }
  const firstFrom = instructions.findIndex((instruction) => instruction.getKeyword() === Keyword.FROM);
  if (firstFrom === -1) {
    problems.push("has no FROM instruction; a Dockerfile must start from a base image");
  } else {
    const early = instructions
      .slice(0, firstFrom)
      .find((instruction) => KEYWORDS.has(instruction.getKeyword()) && instruction.getKeyword() !== Keyword.ARG);
    if (early) {
      problems.push(
        `line ${early.getRange().start.line + 1}: ${early.getKeyword()} comes before the first FROM; only ARG may`,
      );
    }
  }
  for (const from of dockerfile.getFROMs()) {
    if (!from.getImage()) problems.push(`line ${from.getRange().start.line + 1}: FROM names no image`);
  }
  return firstProblems(problems);
}
