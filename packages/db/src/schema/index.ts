// The schema entry point drizzle-kit and the clients read; each table lives in its own file.

export { type CallbackDeliveryRow, callbackDeliveries } from "./callback-deliveries.ts";
export { type NewSubtaskRow, type SubtaskRow, subtasks } from "./subtasks.ts";
export { type TaskEventRow, taskEvents } from "./task-events.ts";
export { type NewTaskRow, type StoredRoutingPlan, type TaskRow, tasks } from "./tasks.ts";
