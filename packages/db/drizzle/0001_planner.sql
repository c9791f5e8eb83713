ALTER TABLE "tasks" ADD COLUMN "planner_note" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_planner_check" CHECK ("tasks"."planner" in ('rules', 'llm'));