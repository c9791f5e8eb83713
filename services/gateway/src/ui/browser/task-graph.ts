/// <reference lib="dom" />
import type { Subtask, SubtaskStatus, Task } from "@devtools/contracts/task";
import { svg } from "./dom.ts";

const NODE_WIDTH = 210;
const NODE_HEIGHT = 62;
const COLUMN_GAP = 70;
const ROW_GAP = 18;
const MARGIN = 16;
const LABEL_CHARACTERS = 30;

/** The routing plan drawn as a graph, whose nodes' statuses change as the task runs. */
export interface TaskGraph {
  element: SVGSVGElement;
  setStatus(subtaskId: string, status: SubtaskStatus, note?: string): void;
  select(subtaskId: string | undefined): void;
}

const truncate = (text: string) => (text.length > LABEL_CHARACTERS ? `${text.slice(0, LABEL_CHARACTERS - 1)}…` : text);

/** Each subtask's column (its stage) and row; stages missing from the plan fall back to the subtask's own `stage`. */
function layout(task: Task): Map<string, { x: number; y: number }> {
  const columns: string[][] = task.routing_plan.stages.map((stage) => [...stage]);
  const placed = new Set(columns.flat());
  for (const subtask of task.subtasks) {
    if (placed.has(subtask.id)) continue;
    while (columns.length <= subtask.stage) columns.push([]);
    columns[subtask.stage]?.push(subtask.id);
  }
  const positions = new Map<string, { x: number; y: number }>();
  columns.forEach((column, stage) => {
    column.forEach((id, row) => {
      positions.set(id, {
        x: MARGIN + stage * (NODE_WIDTH + COLUMN_GAP),
        y: MARGIN + row * (NODE_HEIGHT + ROW_GAP),
      });
    });
  });
  return positions;
}

/**
 * Draws the plan left to right: one column per parallel stage, one box per subtask, an edge from
 * each dependency to its dependant. `onSelect` gets the id of a clicked (or keyboard-activated) box.
 */
export function drawTaskGraph(task: Task, onSelect: (subtaskId: string) => void): TaskGraph {
  const positions = layout(task);
  let width = 0;
  let height = 0;
  for (const { x, y } of positions.values()) {
    width = Math.max(width, x + NODE_WIDTH + MARGIN);
    height = Math.max(height, y + NODE_HEIGHT + MARGIN);
  }
  const element = svg("svg", {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": "Routing plan",
  });

  for (const subtask of task.subtasks) {
    const to = positions.get(subtask.id);
    for (const dependency of subtask.depends_on) {
      const from = positions.get(dependency);
      if (!from || !to) continue;
      const [x1, y1] = [from.x + NODE_WIDTH, from.y + NODE_HEIGHT / 2];
      const [x2, y2] = [to.x, to.y + NODE_HEIGHT / 2];
      const bend = (x2 - x1) / 2;
      element.append(
        svg("path", {
          class: "edge",
          d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`,
          "data-from": dependency,
          "data-to": subtask.id,
        }),
      );
    }
  }

  const nodes = new Map<string, { group: SVGGElement; state: SVGTextElement }>();
  for (const subtask of task.subtasks) {
    const position = positions.get(subtask.id);
    if (!position) continue;
    const { group, state } = drawNode(subtask, position);
    group.addEventListener("click", () => onSelect(subtask.id));
    group.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") onSelect(subtask.id);
    });
    nodes.set(subtask.id, { group, state });
    element.append(group);
  }

  return {
    element,
    setStatus(subtaskId, status, note) {
      const node = nodes.get(subtaskId);
      if (!node) return;
      node.group.dataset.status = status;
      node.state.textContent = note ? `${status} · ${note}` : status;
    },
    select(subtaskId) {
      for (const [id, { group }] of nodes) group.classList.toggle("selected", id === subtaskId);
    },
  };
}

function drawNode(subtask: Subtask, { x, y }: { x: number; y: number }) {
  const state = svg("text", { class: "state", x: 12, y: 52 }, subtask.status);
  const group = svg(
    "g",
    {
      class: "node",
      transform: `translate(${x} ${y})`,
      tabindex: 0,
      role: "button",
      "data-subtask-id": subtask.id,
      "data-agent": subtask.agent_type,
      "data-status": subtask.status,
    },
    svg("title", {}, `${subtask.agent_type}: ${subtask.description}`),
    svg("rect", { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 8, ry: 8 }),
    svg("text", { class: "agent", x: 12, y: 20 }, subtask.agent_type),
    svg("text", { class: "label", x: 12, y: 36 }, truncate(subtask.description)),
    state,
  );
  return { group, state };
}
