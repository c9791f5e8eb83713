import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SERVICE_NAMES } from "@devtools/contracts/services";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasKubectl, kustomizeBuild } from "../src/k8s/kustomize.ts";
import { ofKind } from "../src/k8s/objects.ts";
import { IMAGE_REPOSITORY, K8S_DIR, OVERLAYS, overlayDir } from "../src/k8s/paths.ts";
import { setImageTag } from "../src/k8s/set-image-tag.ts";
import { appContainer } from "../src/k8s/workloads.ts";

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../src/k8s/set-image-tag.ts", import.meta.url));
const SHA = "3f9c2e1d7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c2d";
const skip = !hasKubectl() && !process.env.CI;

describe("setImageTag", () => {
  it("points every devtools image at the tag and keeps the file's comments", async () => {
    const original = await readFile(join(overlayDir("prod"), "kustomization.yaml"), "utf8");
    const updated = setImageTag(original, SHA);
    expect(updated.match(new RegExp(`newTag: ${SHA}`, "g"))).toHaveLength(SERVICE_NAMES.length);
    expect(updated).not.toMatch(/newTag: latest/);
    for (const comment of original.split("\n").filter((line) => line.trim().startsWith("#"))) {
      expect(updated).toContain(comment.trim());
    }
  });

  it("leaves images from other registries alone", () => {
    const text = `images:\n  - name: ${IMAGE_REPOSITORY}/gateway\n    newTag: latest\n  - name: docker.io/library/nginx\n    newTag: "1.27"\n`;
    expect(setImageTag(text, "v1.2.3")).toBe(
      `images:\n  - name: ${IMAGE_REPOSITORY}/gateway\n    newTag: v1.2.3\n  - name: docker.io/library/nginx\n    newTag: "1.27"\n`,
    );
  });

  it("refuses a tag the registry would refuse, and a file with no devtools image", () => {
    for (const tag of ["", "-leading-dash", "has space", "a:b", "x".repeat(129)]) {
      expect(() => setImageTag(`images:\n  - name: ${IMAGE_REPOSITORY}/gateway\n`, tag), tag).toThrow(
        /valid image tag/,
      );
    }
    expect(() => setImageTag("resources: []\n", SHA)).toThrow(/no images/);
    expect(() => setImageTag("images:\n  - name: nginx\n", SHA)).toThrow(/lists no/);
  });
});

describe.skipIf(skip)(
  skip ? "set-image-tag on an overlay (skipped: kubectl with kustomize is not on PATH)" : "set-image-tag on an overlay",
  () => {
    let copy: string;

    beforeAll(async () => {
      copy = await mkdtemp(join(tmpdir(), "devtools-k8s-"));
      await cp(K8S_DIR, copy, { recursive: true });
    });
    afterAll(async () => {
      await rm(copy, { recursive: true, force: true });
    });

    it.each(OVERLAYS)("pins every image of the %s overlay to one build", async (overlay) => {
      await run(process.execPath, [CLI, overlayDir(overlay, copy), SHA]);
      const objects = await kustomizeBuild(overlayDir(overlay, copy));
      const images = ofKind(objects, "Deployment").map((deployment) => appContainer(deployment).image);
      expect(images.sort()).toEqual(SERVICE_NAMES.map((service) => `${IMAGE_REPOSITORY}/${service}:${SHA}`).sort());
    });

    it("exits non-zero and leaves the overlay untouched when the tag is invalid", async () => {
      const file = join(overlayDir("staging", copy), "kustomization.yaml");
      const before = await readFile(file, "utf8");
      const failure = await run(process.execPath, [CLI, overlayDir("staging", copy), "not a tag"]).catch((e) => e);
      expect(failure.code).toBe(1);
      expect(failure.stderr).toMatch(/not a valid image tag/);
      expect(await readFile(file, "utf8")).toBe(before);
      const usage = await run(process.execPath, [CLI]).catch((e) => e);
      expect(usage.code).toBe(2);
    });
  },
);
