import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import type { SimulatorContext } from "../../context.ts";

/** GET /v1/models: vLLM's ModelList, one card per served name. */
export function modelsRoute(simulator: SimulatorContext) {
  return new Hono().get("/", (c) => {
    const { options } = simulator;
    // vLLM stamps each card when it lists it.
    const createdAt = Math.floor(Date.now() / 1000);
    return c.json({
      object: "list",
      data: options.servedModelNames.map((name) => ({
        id: name,
        object: "model",
        created: createdAt,
        owned_by: "vllm",
        root: options.model,
        parent: null,
        max_model_len: options.maxModelLen,
        permission: [
          {
            id: `modelperm-${randomUUID().replaceAll("-", "")}`,
            object: "model_permission",
            created: createdAt,
            allow_create_engine: false,
            allow_sampling: true,
            allow_logprobs: true,
            allow_search_indices: false,
            allow_view: true,
            allow_fine_tuning: false,
            organization: "*",
            group: null,
            is_blocking: false,
          },
        ],
      })),
    });
  });
}
