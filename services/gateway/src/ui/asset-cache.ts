/**
 * Text assets by name, each loaded once, on first request, and kept for the life of the process.
 * A load that fails is forgotten, so the next request tries again rather than failing for good.
 */
export class AssetCache {
  readonly #entries = new Map<string, Promise<string>>();

  get(key: string, load: () => Promise<string>): Promise<string> {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = load();
      entry.catch(() => this.#entries.delete(key));
      this.#entries.set(key, entry);
    }
    return entry;
  }
}
