// The schema entry point drizzle-kit and the clients read; each table lives in its own file.
export { type NewSubtaskRow, type SubtaskRow, subtasks } from "./subtasks.ts";
export { type NewTaskRow, type StoredRoutingPlan, type TaskRow, tasks } from "./tasks.ts";
