// The schema entry point drizzle-kit and the clients read; each table lives in its own file.

export { type ApiKeyRow, apiKeys } from "./api-keys.ts";
export { type CallbackDeliveryRow, callbackDeliveries } from "./callback-deliveries.ts";
export { type LinearConnectionRow, linearConnections } from "./linear-connections.ts";
export { type LinearTaskLinkRow, linearTaskLinks } from "./linear-task-links.ts";
export { type LinearWebhookDeliveryRow, linearWebhookDeliveries } from "./linear-webhook-deliveries.ts";
export { type OAuthStateRow, oauthStates } from "./oauth-states.ts";
export { type NewSubtaskRow, type SubtaskRow, subtasks } from "./subtasks.ts";
export { type TaskEventRow, taskEvents } from "./task-events.ts";
export { type NewTaskRow, type StoredRoutingPlan, type TaskRow, tasks } from "./tasks.ts";
