import type { Deployable } from "../service-environments.ts";
import { type ComposeModel, containerEnvironment } from "./model.ts";

/**
 * The environment compose gives `service`, moved onto one host: every compose service name in a
 * URL or a host variable becomes 127.0.0.1, and every deployable's port becomes `ports[name]`, in
 * its own PORT and in every URL that names it, so that the stack runs beside anything else.
 */
export function environmentOnOneHost(
  model: ComposeModel,
  service: Deployable,
  composePorts: Record<Deployable, number>,
  ports: Record<Deployable, number>,
  portVariable: string,
): Record<string, string> {
  const names = new Set(Object.keys(model.services));
  const moved: Record<string, string> = {};
  for (const [variable, value] of Object.entries(containerEnvironment(model, service))) {
    if (variable === portVariable) {
      moved[variable] = String(ports[service]);
    } else if (/^https?:\/\//.test(value)) {
      const url = new URL(value);
      if (names.has(url.hostname)) {
        const target = url.hostname as Deployable;
        if (target in ports && Number(url.port) === composePorts[target]) url.port = String(ports[target]);
        url.hostname = "127.0.0.1";
      }
      // URL keeps a bare origin's trailing slash; compose's value had none.
      moved[variable] = value.endsWith("/") ? url.toString() : url.toString().replace(/\/$/, "");
    } else if (variable.endsWith("_HOST") && names.has(value)) {
      moved[variable] = "127.0.0.1";
    } else {
      moved[variable] = value;
    }
  }
  return moved;
}
