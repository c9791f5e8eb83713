import { readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { stripTypeScriptTypes } from "node:module";
import { join } from "node:path";
import { AssetCache } from "./asset-cache.ts";

/**
 * The web view's TypeScript modules (`browser/*.ts`), served as JavaScript: types stripped once, on
 * first request. Stripping leaves every line and column where it was, so the browser's stack traces
 * point into the source without a source map. Only the files present at start are served.
 */
export class BrowserModules {
  readonly #folder: string;
  readonly #names: ReadonlySet<string>;
  readonly #compiled = new AssetCache();

  constructor(folder: string) {
    this.#folder = folder;
    this.#names = new Set(readdirSync(folder).filter((name) => name.endsWith(".ts")));
  }

  /** The module's JavaScript, or undefined when there is no module of that name. */
  source(name: string): Promise<string> | undefined {
    if (!this.#names.has(name)) return undefined;
    return this.#compiled.get(name, async () =>
      stripTypeScriptTypes(await readFile(join(this.#folder, name), "utf8"), { mode: "strip" }),
    );
  }
}
