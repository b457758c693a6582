/**
 * Dated documents: a question about "the latest" is answered from the newest document that answers it. Dates come
 * from the documents themselves (front matter, meta data, datelines), which this branch's ingest does not read yet;
 * here they are stamped on the real index of the seed corpus as ingest will write them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createEmbedder } from '../../src/rag/embedding/corpus-embedder.js';
import { Engine } from '../../src/rag/engine.js';
import type { IndexStore } from '../../src/rag/index/contract.js';
import { openIndexStore } from '../../src/rag/index/open-store.js';

const DATES: Record<string, string> = {
  '000_c2b3d48a19ad4320.txt': '2023-05-30',
  '001_e09e45f6e40bd673.txt': '2023-09-12',
  '002_b32f95e2bef2da54.txt': '2023-12-20',
  '003_aed676f35e158f01.txt': '2024-01-15',
  '004_51570dea19fac233.txt': '2024-02-27',
};

let plain: Engine;
let dated: Engine;

beforeAll(async () => {
  const config = loadConfig({ ...process.env, INDEX_DIR: mkdtempSync(join(tmpdir(), 'dates-index-')) }, '/nonexistent');
  plain = await Engine.open(config, { autoIngest: true });
  const built = await openIndexStore(config, await createEmbedder(config));
  const store: IndexStore = {
    location: built.location,
    shared: built.shared,
    ingest: (onProgress) => built.ingest(onProgress),
    changed: (loaded) => built.changed(loaded),
    async open() {
      const index = await built.open();
      for (const d of index?.documents ?? []) d.date = DATES[d.source];
      return index;
    },
  };
  dated = await Engine.open(config, { store });
}, 180_000);

describe('questions about the latest', () => {
  it('are answered from the newest of the documents that answer them', async () => {
    const question = 'What did Lavrov discuss most recently?';
    const undated = await plain.ask(question);
    expect(undated.citations.map((c) => c.source)).not.toEqual(expect.arrayContaining(['004_51570dea19fac233.txt']));
    const latest = await dated.ask(question);
    expect(latest.status).toBe('answered');
    expect(new Set(latest.citations.map((c) => c.source))).toEqual(new Set(['004_51570dea19fac233.txt']));
  });

  it('leave other questions as they were', async () => {
    const question = 'When was the Union State Treaty signed?';
    expect((await dated.ask(question)).answer).toBe((await plain.ask(question)).answer);
  });
});
