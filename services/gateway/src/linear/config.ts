import { z } from "zod";

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" });

/** 32 bytes, as base64 (44 characters) or hex (64 characters). */
const encryptionKey = z
  .string()
  .transform((value, context) => {
    const key = /^[\da-f]{64}$/i.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
    if (key.length !== 32 || (!/^[\da-f]{64}$/i.test(value) && key.toString("base64") !== value)) {
      context.addIssue({
        code: "custom",
        message: "must be 32 bytes as base64 (44 characters) or hex (64 characters)",
      });
      return z.NEVER;
    }
    return key;
  })
  .optional();

/** The Linear concern's variables: the OAuth app, Linear's addresses, webhooks and token storage. */
export const linearEnvironment = z.object({
  LINEAR_CLIENT_ID: z.string().min(1).optional(),
  LINEAR_CLIENT_SECRET: z.string().min(1).optional(),
  /** Where Linear sends the user back; defaults to `<MCP_GATEWAY_URL or http://localhost:PORT>/oauth/linear/callback`. */
  LINEAR_REDIRECT_URI: httpUrl.optional(),
  LINEAR_AUTHORIZE_URL: httpUrl.default("https://linear.app/oauth/authorize"),
  LINEAR_TOKEN_URL: httpUrl.default("https://api.linear.app/oauth/token"),
  LINEAR_REVOKE_URL: httpUrl.default("https://api.linear.app/oauth/revoke"),
  LINEAR_API_URL: httpUrl.default("https://api.linear.app/graphql"),
  /** A personal API key, used when no OAuth connection is stored (sent as `Authorization: <key>`). */
  LINEAR_API_KEY: z.string().min(1).optional(),
  /** Comma-separated OAuth scopes; agent mode adds `app:assignable,app:mentionable`. */
  LINEAR_SCOPES: z
    .string()
    .default("read,write,issues:create,comments:create")
    .transform((value) =>
      value
        .split(",")
        .map((scope) => scope.trim())
        .filter(Boolean),
    ),
  /** `user` acts as the person who connects; `app` installs the gateway as an agent (`actor=app`). */
  LINEAR_ACTOR: z.enum(["user", "app"]).default("user"),
  /** Which connected workspace the Linear operations use; the most recently connected one when unset. */
  LINEAR_WORKSPACE_ID: z.string().min(1).optional(),
  /** Verifies `Linear-Signature`; without it `POST /webhooks/linear` refuses every delivery. */
  LINEAR_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Issues carrying this label start a task. */
  LINEAR_TRIGGER_LABEL: z.string().trim().min(1).default("devtools"),
  /** How long an authorization (its `state`) may take, in seconds. */
  LINEAR_OAUTH_STATE_TTL_SECONDS: z.coerce.number().int().min(30).max(3_600).default(600),
  /** AES-256-GCM key for the stored OAuth tokens; without it no token is stored. */
  TOKEN_ENCRYPTION_KEY: encryptionKey,
  /** Verifies the orchestrator's task-ended callbacks (the same value as the orchestrator's). */
  CALLBACK_SIGNING_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
});
