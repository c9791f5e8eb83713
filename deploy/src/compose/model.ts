import { readFileSync } from "node:fs";
import { parseEnvFile } from "./env-file.ts";
import { ENV_EXAMPLE, readYaml } from "./files.ts";
import { InterpolationError, interpolate, mapStrings } from "./interpolation.ts";
import { listOrDict, mergeComposeFiles } from "./merge.ts";

/** The parts of a compose service these checks read. */
export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string | null>;
  ports?: (string | Record<string, unknown>)[];
  volumes?: (string | Record<string, unknown>)[];
  networks?: string[] | Record<string, unknown>;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test?: string[] | string };
  profiles?: string[];
  restart?: string;
  container_name?: string;
  logging?: { driver?: string; options?: Record<string, string> };
  deploy?: {
    replicas?: number | string;
    resources?: {
      limits?: Record<string, unknown>;
      reservations?: { devices?: { driver?: string; capabilities?: string[] }[] } & Record<string, unknown>;
    };
  };
  [key: string]: unknown;
}

export interface ComposeModel {
  name?: string;
  services: Record<string, ComposeService>;
  networks?: Record<string, { driver?: string } | null>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The variables of compose/.env.example, as a lookup table. */
export function exampleEnvironment(): Record<string, string> {
  return Object.fromEntries(
    [...parseEnvFile(readFileSync(ENV_EXAMPLE, "utf8")).values()].map((entry) => [entry.name, entry.value]),
  );
}

/**
 * The files merged (in order, as `docker compose -f a -f b` does), each interpolated with `env`
 * first; `environment`, `labels` and build `args` come out as maps of strings.
 * @throws InterpolationError when a required variable (`${NAME:?…}`) is missing.
 */
export function loadCompose(paths: readonly string[], env: Record<string, string | undefined>): ComposeModel {
  const files = paths.map((path) => {
    const raw = readYaml(path);
    try {
      return mapStrings(raw, (text) => interpolate(text, (name) => env[name], path)) as Record<string, unknown>;
    } catch (error) {
      if (error instanceof InterpolationError) throw new InterpolationError(`${path}: ${error.message}`);
      throw error;
    }
  });
  const model = mergeComposeFiles(files) as unknown as ComposeModel;
  for (const service of Object.values(model.services ?? {})) {
    if (service.environment !== undefined) {
      service.environment = Object.fromEntries(
        Object.entries(listOrDict(service.environment)).map(([key, value]) => [
          key,
          value === null ? null : String(value),
        ]),
      );
    }
  }
  return model;
}

/** The environment a container of `service` gets: its `environment`, entries without a value left out. */
export function containerEnvironment(model: ComposeModel, service: string): Record<string, string> {
  const environment = model.services[service]?.environment ?? {};
  return Object.fromEntries(
    Object.entries(environment).filter((entry): entry is [string, string] => entry[1] !== null),
  );
}
