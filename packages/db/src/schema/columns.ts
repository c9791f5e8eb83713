import { type SQL, sql } from "drizzle-orm";
import { type PgColumn, timestamp, uuid } from "drizzle-orm/pg-core";

/** Primary key; ids are made by the application so a plan can reference them before it is written. */
export const id = () => uuid("id").primaryKey();

export const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

export const updatedAt = () =>
  timestamp("updated_at", { withTimezone: true, mode: "date" })
    .notNull()
    .defaultNow()
    .$onUpdate(() => sql`now()`);

/** A nullable moment (started, finished, lease expiry…). */
export const moment = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** A check that a text column holds one of the contract's values. */
export function oneOf(column: PgColumn, values: readonly string[]): SQL {
  return sql`${column} in (${sql.raw(values.map((value) => `'${value.replaceAll("'", "''")}'`).join(", "))})`;
}
