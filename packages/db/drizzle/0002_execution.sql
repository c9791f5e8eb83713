CREATE TABLE "task_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"task_id" uuid NOT NULL,
	"subtask_id" uuid,
	"type" text NOT NULL,
	"data" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_events_type_check" CHECK ("task_events"."type" in ('task.running', 'task.retrying', 'task.succeeded', 'task.failed', 'task.partial', 'task.cancelled', 'subtask.running', 'subtask.succeeded', 'subtask.retrying', 'subtask.failed', 'subtask.skipped', 'subtask.cancelled', 'subtask.released'))
);
--> statement-breakpoint
DROP INDEX "subtasks_runnable_idx";--> statement-breakpoint
ALTER TABLE "subtasks" ADD COLUMN "waiting_on" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "subtasks" ADD COLUMN "generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "subtasks" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "subtasks" ADD COLUMN "prompt_tokens" integer;--> statement-breakpoint
ALTER TABLE "subtasks" ADD COLUMN "completion_tokens" integer;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "cancel_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "task_events" ADD CONSTRAINT "task_events_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "task_events_task_idx" ON "task_events" USING btree ("task_id","id");--> statement-breakpoint
CREATE INDEX "subtasks_claimable_idx" ON "subtasks" USING btree ("agent_type","created_at","position") WHERE "subtasks"."status" in ('pending', 'running') and "subtasks"."waiting_on" = 0;--> statement-breakpoint
CREATE INDEX "subtasks_leased_idx" ON "subtasks" USING btree ("lease_expires_at") WHERE "subtasks"."status" = 'running';