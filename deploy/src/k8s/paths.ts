import { fileURLToPath } from "node:url";

/** deploy/k8s: the kustomize base and its overlays. */
export const K8S_DIR = fileURLToPath(new URL("../../k8s/", import.meta.url));

export const BASE_DIR = `${K8S_DIR}base`;

/** The environments, each an overlay of the base. */
export const OVERLAYS = ["staging", "prod"] as const;
export type Overlay = (typeof OVERLAYS)[number];

export const overlayDir = (overlay: Overlay, root: string = K8S_DIR) =>
  `${root.replace(/\/$/, "")}/overlays/${overlay}`;

/** Where every image lives; the overlays only choose the tag. */
export const IMAGE_REPOSITORY = "registry.digitalocean.com/the-shop";

/** The pull secret every pod names; the operator creates it (doctl registry kubernetes-manifest). */
export const PULL_SECRET = "docr-registry";
