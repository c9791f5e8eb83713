CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "linear_connections" (
	"workspace_id" text PRIMARY KEY NOT NULL,
	"workspace_name" text NOT NULL,
	"workspace_url_key" text,
	"viewer_id" text NOT NULL,
	"actor" text NOT NULL,
	"scopes" text[] NOT NULL,
	"access_token_ciphertext" text,
	"refresh_token_ciphertext" text,
	"expires_at" timestamp with time zone,
	"token_version" integer DEFAULT 1 NOT NULL,
	"status" text DEFAULT 'connected' NOT NULL,
	"disconnected_reason" text,
	"connected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "linear_connections_status_check" CHECK ("linear_connections"."status" in ('connected', 'disconnected')),
	CONSTRAINT "linear_connections_actor_check" CHECK ("linear_connections"."actor" in ('user', 'app')),
	CONSTRAINT "linear_connections_token_check" CHECK ("linear_connections"."status" <> 'connected' or "linear_connections"."access_token_ciphertext" is not null)
);
--> statement-breakpoint
CREATE TABLE "linear_task_links" (
	"id" uuid PRIMARY KEY NOT NULL,
	"trigger_key" text NOT NULL,
	"workspace_id" text NOT NULL,
	"issue_id" text NOT NULL,
	"issue_identifier" text,
	"agent_session_id" text,
	"title" text NOT NULL,
	"description" text,
	"delivery_id" text NOT NULL,
	"task_id" uuid,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"thought_posted_at" timestamp with time zone,
	"report_claimed_at" timestamp with time zone,
	"reported_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "linear_webhook_deliveries" (
	"delivery_id" text PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "oauth_states" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"code_verifier" text NOT NULL,
	"redirect_uri" text NOT NULL,
	"scopes" text[] NOT NULL,
	"actor" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_idx" ON "api_keys" USING btree ("hash");--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_active_name_idx" ON "api_keys" USING btree ("name") WHERE "api_keys"."revoked_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "linear_task_links_trigger_idx" ON "linear_task_links" USING btree ("trigger_key");--> statement-breakpoint
CREATE UNIQUE INDEX "linear_task_links_open_issue_idx" ON "linear_task_links" USING btree ("issue_id") WHERE "linear_task_links"."reported_at" is null;--> statement-breakpoint
CREATE INDEX "linear_task_links_due_idx" ON "linear_task_links" USING btree ("next_attempt_at") WHERE "linear_task_links"."task_id" is null and "linear_task_links"."reported_at" is null;--> statement-breakpoint
CREATE INDEX "linear_task_links_task_idx" ON "linear_task_links" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "linear_webhook_deliveries_received_idx" ON "linear_webhook_deliveries" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "oauth_states_expires_idx" ON "oauth_states" USING btree ("expires_at");