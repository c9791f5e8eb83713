import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../src/client.ts";

describe("embedded databases in one process", () => {
  it("share one PGlite per folder, open until the last user closes it", async () => {
    const folder = await mkdtemp(join(tmpdir(), "devtools-shared-"));
    try {
      const orchestrator = await openDatabase({ kind: "pglite", dataDir: folder });
      // The same folder, spelled differently, is the same database.
      const gateway = await openDatabase({ kind: "pglite", dataDir: join(folder, ".") });
      await orchestrator.query("create table notes (text text)", []);
      await gateway.query("insert into notes (text) values ($1)", ["seen by both"]);
      expect(await orchestrator.query("select text from notes", [])).toEqual([{ text: "seen by both" }]);

      await orchestrator.close();
      await orchestrator.close(); // a second close of the same handle does not close the other's
      expect(await gateway.query("select count(*)::int as n from notes", [])).toEqual([{ n: 1 }]);
      await gateway.close();
      await expect(gateway.ping()).rejects.toThrow();

      // Reopened after the last close, from the folder.
      const again = await openDatabase({ kind: "pglite", dataDir: folder });
      expect(await again.query("select text from notes", [])).toEqual([{ text: "seen by both" }]);
      await again.close();
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it("keep each memory:// database private", async () => {
    const first = await openDatabase({ kind: "pglite", dataDir: "memory://" });
    const second = await openDatabase({ kind: "pglite", dataDir: "memory://" });
    try {
      await first.query("create table only_here (id int)", []);
      await expect(second.query("select * from only_here", [])).rejects.toThrow(/only_here/);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
