import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Deployable, SERVICE_PORTS } from "../service-environments.ts";
import { type DockerfileModel, readDockerfile } from "./dockerfile-model.ts";

/** The repository root (the Docker build context). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Every value the Dockerfile's SERVICE build argument takes: the seven services and the simulator. */
export const DEPLOYABLES = Object.keys(SERVICE_PORTS) as Deployable[];

/** The workspace folder of a deployable's package (`@devtools/<name>`). */
export function packageDir(deployable: Deployable): string {
  return deployable === "inference-simulator" ? "packages/inference-simulator" : `services/${deployable}`;
}

export function repositoryDockerfile(): DockerfileModel {
  return readDockerfile(readFileSync(`${REPO_ROOT}Dockerfile`, "utf8"));
}
