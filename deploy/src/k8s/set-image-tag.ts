import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isMap, isSeq, parseDocument } from "yaml";
import { IMAGE_REPOSITORY } from "./paths.ts";

// Docker's rule for a tag: what `docker tag` and the registry accept.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Points every devtools image of a kustomization at `tag` (the `images:` entries' `newTag`),
 * keeping the file's comments and layout, so a deploy is one reviewed line per image.
 * @throws when the tag is not a valid image tag or the file lists no devtools image.
 */
export function setImageTag(kustomization: string, tag: string): string {
  if (!TAG.test(tag)) throw new Error(`"${tag}" is not a valid image tag`);
  const document = parseDocument(kustomization);
  if (document.errors.length > 0) throw new Error(`kustomization.yaml: ${document.errors[0]?.message}`);
  const images = document.get("images");
  if (!isSeq(images)) throw new Error("kustomization.yaml has no images: list");
  let changed = 0;
  for (const image of images.items) {
    if (!isMap(image)) continue;
    const name = image.get("name");
    if (typeof name !== "string" || !name.startsWith(`${IMAGE_REPOSITORY}/`)) continue;
    image.set("newTag", tag);
    changed++;
  }
  if (changed === 0) throw new Error(`kustomization.yaml lists no ${IMAGE_REPOSITORY}/ image`);
  return document.toString();
}

/** `node deploy/src/k8s/set-image-tag.ts <overlay-dir> <tag>`: pins an overlay to one build. */
async function main(argv: string[]): Promise<void> {
  const [dir, tag] = argv;
  if (!dir || !tag || argv.length !== 2) {
    console.error("usage: node deploy/src/k8s/set-image-tag.ts <overlay-dir> <tag>");
    process.exit(2);
  }
  const file = join(dir, "kustomization.yaml");
  await writeFile(file, setImageTag(await readFile(file, "utf8"), tag));
}

if (import.meta.main) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`set-image-tag: ${(error as Error).message}`);
    process.exit(1);
  });
}
