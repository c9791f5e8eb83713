import { index, pgTable, text } from "drizzle-orm/pg-core";
import { moment } from "./columns.ts";

/**
 * The `Linear-Delivery` ids already accepted: a repeat is refused, whichever replica it reaches.
 * Rows older than the webhook timestamp window can be pruned (a stale delivery is refused anyway).
 */
export const linearWebhookDeliveries = pgTable(
  "linear_webhook_deliveries",
  {
    deliveryId: text("delivery_id").primaryKey(),
    /** `Issue`, `AgentSessionEvent`… with the action, for the record. */
    event: text("event").notNull(),
    receivedAt: moment("received_at").notNull().defaultNow(),
  },
  (table) => [index("linear_webhook_deliveries_received_idx").on(table.receivedAt)],
);

export type LinearWebhookDeliveryRow = typeof linearWebhookDeliveries.$inferSelect;
