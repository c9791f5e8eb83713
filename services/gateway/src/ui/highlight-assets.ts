import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { AssetCache } from "./asset-cache.ts";

const require = createRequire(import.meta.url);

// highlight.js ships its languages as ES modules, but its `es/core.js` only re-exports the CommonJS
// core (`lib/core.js`: no imports of its own, ending in `module.exports = highlight`), which a
// browser cannot load: the browser gets that core wrapped as an ES module instead.
const CORE_PREFIX = "const module = { exports: {} };\n";
const CORE_SUFFIX = "\nexport default module.exports;\n";

const LANGUAGE_NAME = /^[a-z0-9-]{1,40}$/;

/** highlight.js for the browser, read from node_modules on first request. */
export class HighlightAssets {
  readonly #cache = new AssetCache();

  /** The core, as an ES module whose default export is the `hljs` object. */
  core(): Promise<string> {
    return this.#cache.get("core", async () => {
      const code = await readFile(require.resolve("highlight.js/lib/core"), "utf8");
      return `${CORE_PREFIX}${code}${CORE_SUFFIX}`;
    });
  }

  /** One language's ES module (default export: the grammar), or undefined when highlight.js has none by that name. */
  async language(name: string): Promise<string | undefined> {
    if (!LANGUAGE_NAME.test(name)) return undefined;
    const path = fileURLToPath(import.meta.resolve(`highlight.js/lib/languages/${name}`));
    // Only languages that exist stay cached, so requests for made-up names cannot grow the cache.
    return this.#cache.get(`language:${name}`, () => readFile(path, "utf8")).catch(() => undefined);
  }

  /** The colour theme of highlighted code. */
  theme(): Promise<string> {
    return this.#cache.get("theme", () => readFile(require.resolve("highlight.js/styles/github.css"), "utf8"));
  }
}
