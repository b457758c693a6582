/**
 * VECTOR_STORE=hnsw, the default: the index on local disk. An HNSW vector index (LangChain's HNSWLib over
 * hnswlib-node), the cleaned documents with their chunks and raw vectors (for incremental re-ingest), and a manifest
 * naming the embedder that built it.
 *
 * Layout under INDEX_DIR:
 *   current -> builds/<id>      a symbolic link, swapped atomically when a build completes
 *   builds/<id>/manifest.json   written last: a build without it is unfinished and ignored; it lists every other
 *                               file of the build with its size and CRC-32, and an open checks each one
 *   builds/<id>/hnsw/           HNSWLib.save() output; its docstore holds chunk ids only (texts are in the tables)
 *   builds/<id>/retrieval-tables.bin      what answering reads besides the vectors (search/retrieval-tables.ts)
 *   builds/<id>/documents/<sha256>.json   cleaned text, chunks and raw vectors of one document: read only by the
 *                                         next ingest (reuse) or to rebuild damaged tables, never at an open
 *   builds/<id>/cleaned/<name>-<sha>.txt  what the bot reads, for people to inspect (see cleanedFileName)
 * A build is written in full beside the live one and only then linked in, so a crash or kill at any moment
 * leaves the previous index serving.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { crc32 } from 'node:zlib';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { Document } from '@langchain/core/documents';
import hnswlib from 'hnswlib-node';
import type { CorpusEmbedder } from '../embedding/corpus-embedder.js';
import { IndexMismatchError } from '../errors.js';
import type { IngestProgress, IngestReport, Story } from '../types.js';
import {
  builtWith,
  HNSW_PARAMS,
  manifestSchema,
  newManifest,
  parseManifest,
  type DocumentRecord,
  type EncodeTables,
  type IndexStore,
  type LoadedIndex,
  type Manifest,
} from './contract.js';
import { mapInFlight } from '../ingest/in-flight.js';
import { assembleCorpus, ingestReport } from './corpus-records.js';
import { isLeftoverLock, releaseLockOfEndedThread, withIngestLock } from './lock.js';

/**
 * The local manifest also vouches for every file of the build (size and CRC-32), so damage — or a file copied in from
 * another build — is found before anything is served. An open checks every file the build must have
 * (`buildFiles`): the vectors, the retrieval tables with their header, every document record. CRC-32 rather than
 * SHA-256: the threat is damage, not tampering, and at 100,000 chunks an open reads about 60 MB of HNSW files, which
 * CRC-32 checks in a fraction of SHA-256's time.
 */
const localManifestSchema = manifestSchema.extend({
  files: z.record(z.string(), z.object({ bytes: z.number(), crc32: z.number() })),
});
type LocalManifest = Manifest & { files: Record<string, { bytes: number; crc32: number }> };

const TABLES_FILE = 'retrieval-tables.bin';
const HNSW_FILES = ['hnsw/hnswlib.index', 'hnsw/docstore.json', 'hnsw/args.json'];
const recordFile = (sha256: string) => `documents/${sha256}.json`;

/**
 * Every file of a build that its manifest lists and an open checks. A change of layout (another vector format,
 * records split differently) changes this list and nothing else of the checking.
 */
function buildFiles(documents: { sha256: string }[]): string[] {
  return [TABLES_FILE, ...HNSW_FILES, ...documents.map((d) => recordFile(d.sha256))];
}

const currentLink = (indexDir: string) => join(indexDir, 'current');
const intact = (data: Buffer | null, expected: LocalManifest['files'][string] | undefined): data is Buffer =>
  !!data && !!expected && data.length === expected.bytes && crc32(data) === expected.crc32;

/**
 * The directory of the live build, or null when none has completed. Throws when `current` is a directory or a file
 * (copied with links followed, or made by hand): what it holds was never checked as a build.
 */
async function currentBuild(indexDir: string): Promise<string | null> {
  const link = currentLink(indexDir);
  const info = await lstat(link).catch(() => null);
  if (!info) return null;
  if (!info.isSymbolicLink()) {
    const what = info.isDirectory() ? 'a directory' : 'a file';
    throw new IndexMismatchError(`the index at ${indexDir} is damaged (${link} is ${what}, not a link to a build); run npm run ingest to repair it`);
  }
  return join(indexDir, await readlink(link));
}

async function readManifest(dir: string, embedder: CorpusEmbedder, indexDir: string): Promise<LocalManifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    throw new IndexMismatchError(`the index at ${indexDir} has an unreadable manifest; run npm run ingest to rebuild it`);
  }
  return parseManifest(raw, localManifestSchema as unknown as z.ZodType<LocalManifest>, embedder, `the index at ${indexDir}`);
}

async function fileDigests(dir: string, names: string[]): Promise<LocalManifest['files']> {
  const digests = await mapInFlight(names, async (name) => {
    const data = await readFile(join(dir, name));
    return [name, { bytes: data.length, crc32: crc32(data) }] as const;
  });
  return Object.fromEntries(digests);
}

/**
 * Checks every file of the build against the manifest and returns the tables file's bytes. Damaged tables are not
 * fatal (`tablesDamage` says why: they are rebuilt from the records); any other damaged file is.
 */
async function verifiedBuild(dir: string, manifest: LocalManifest, damaged: (name: string) => Error): Promise<{ tables: Buffer | null; tablesDamage?: string }> {
  let tables: Buffer | null = null;
  let tablesDamage: string | undefined;
  await mapInFlight(buildFiles(manifest.documents), async (name) => {
    const bytes = await readFile(join(dir, name)).catch(() => null);
    if (name === TABLES_FILE) {
      if (intact(bytes, manifest.files[name])) tables = bytes;
      else tablesDamage = bytes ? 'checksum mismatch' : 'missing';
    } else if (!intact(bytes, manifest.files[name])) throw damaged(name);
  });
  return tablesDamage ? { tables: null, tablesDamage } : { tables };
}

/**
 * Opens the live index. Throws IndexMismatchError when it was built by another embedder, its manifest is invalid or a
 * file of it is missing, truncated, altered or from another build; callers rebuild or refuse with that one line.
 */
async function openIndex(indexDir: string, embedder: CorpusEmbedder): Promise<LoadedIndex<HNSWLib> | null> {
  const dir = await currentBuild(indexDir);
  if (!dir) return null;
  const manifest = await readManifest(dir, embedder, indexDir);
  const damaged = (name: string) =>
    new IndexMismatchError(`the index at ${indexDir} is damaged (${name} is missing or altered); run npm run ingest to rebuild it`);
  const { tables, tablesDamage } = await verifiedBuild(dir, manifest, damaged);
  const vectors = await HNSWLib.load(join(dir, 'hnsw'), embedder.forQueries(manifest.embedderState));
  vectors.index.setEf(manifest.hnsw.efSearch);
  const records = async (sources?: string[]) =>
    Promise.all(
      manifest.documents.filter((d) => !sources || sources.includes(d.source)).map(async (d) => {
        const name = recordFile(d.sha256);
        const bytes = await readFile(join(dir, name)).catch(() => null);
        if (!intact(bytes, manifest.files[name])) throw damaged(name);
        return { ...(JSON.parse(bytes.toString('utf8')) as DocumentRecord), aliases: d.aliases };
      }),
    );
  return { version: dir, manifest, tables, ...(tablesDamage ? { tablesDamage } : {}), records, vectors };
}

/** Documents of the live build by sha256, for reuse; empty when there is none or it is not this embedder's. */
async function reusableDocuments(dir: string | null, manifest: LocalManifest | null, embedder: CorpusEmbedder): Promise<Map<string, DocumentRecord>> {
  const reuse = new Map<string, DocumentRecord>();
  if (!dir || !manifest || !builtWith(manifest, embedder)) return reuse;
  for (const d of manifest.documents) {
    // Only a record whose bytes the manifest vouches for is reused: a damaged one is rebuilt from the corpus.
    const name = recordFile(d.sha256);
    const bytes = await readFile(join(dir, name)).catch(() => null);
    if (!intact(bytes, manifest.files[name])) continue;
    const record = JSON.parse(bytes.toString('utf8')) as DocumentRecord;
    if (record.rawVectors?.length === record.chunks?.length) reuse.set(d.sha256, record);
  }
  return reuse;
}

/**
 * What killed ingests leave: builds whose manifest never got written or that are no longer live, `.current-*` links
 * made but never renamed over `current`, dead holders' locks renamed aside. Run under the lock.
 */
async function removeLeftovers(indexDir: string, live: string | null): Promise<void> {
  const builds = join(indexDir, 'builds');
  for (const name of await readdir(builds).catch(() => [] as string[])) {
    const dir = join(builds, name);
    if (dir !== live) await rm(dir, { recursive: true, force: true });
  }
  for (const name of await readdir(indexDir).catch(() => [] as string[])) {
    if (name.startsWith('.current-') || isLeftoverLock(name)) await rm(join(indexDir, name), { recursive: true, force: true });
  }
}

/**
 * After a worker thread of this process was terminated mid-ingest: its half-written build removed and its lock
 * released, as the ingest itself would have done had it been able to stop.
 */
export function clearEndedIngest(indexDir: string, thread: number): Promise<void> {
  return releaseLockOfEndedThread(indexDir, thread, async () => removeLeftovers(indexDir, await currentBuild(indexDir).catch(() => null)));
}

/**
 * A `current` that is not a link (a directory, a file) is moved among the builds, where the clean-up removes it, so
 * that the new build can be linked in; says so for the report.
 */
async function repairCurrent(indexDir: string): Promise<string[]> {
  const link = currentLink(indexDir);
  const info = await lstat(link).catch(() => null);
  if (!info || info.isSymbolicLink()) return [];
  await mkdir(join(indexDir, 'builds'), { recursive: true });
  await rename(link, join(indexDir, 'builds', `replaced-current-${Date.now()}`));
  return [`${link} was ${info.isDirectory() ? 'a directory' : 'a file'}, not a link to a build: removed and replaced by the new build`];
}

/** The live build's manifest, or null when it cannot be used (damaged, another embedder's): nothing is reused then. */
async function liveManifest(live: string | null, embedder: CorpusEmbedder, indexDir: string): Promise<LocalManifest | null> {
  return live ? readManifest(live, embedder, indexDir).catch(() => null) : null;
}

/**
 * Cleans, chunks, embeds and indexes the corpus into a new build, then makes it live. Stopped through `signal` (or
 * failing) before that, it removes its half-written build and the previous index keeps serving.
 */
async function buildIndex(
  corpusDir: string,
  indexDir: string,
  embedder: CorpusEmbedder,
  encodeTables: EncodeTables,
  onProgress?: (p: IngestProgress) => void,
  signal?: AbortSignal,
): Promise<IngestReport> {
  const began = performance.now();
  return withIngestLock(indexDir, async () => {
      const repaired = await repairCurrent(indexDir);
      const live = await currentBuild(indexDir);
      await removeLeftovers(indexDir, live);
      const manifest = await liveManifest(live, embedder, indexDir);
      const reuse = await reusableDocuments(live, manifest, embedder);
      const { records, reports, corpus, stories } = await assembleCorpus({ corpusDir, embedder, reuse, previous: manifest?.documents ?? [], onProgress, signal });
      signal?.throwIfAborted();
      onProgress?.({ stage: 'index', done: 0, total: 1 });
      const build = join(indexDir, 'builds', `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`);
      try {
        await writeBuild(build, embedder, records, corpus, stories, encodeTables);
        signal?.throwIfAborted();
        await makeLive(indexDir, build);
      } catch (e) {
        await rm(build, { recursive: true, force: true });
        throw e;
      }
      await removeLeftovers(indexDir, build);
      onProgress?.({ stage: 'write', done: 1, total: 1 });
      return { ...ingestReport(reports, records, stories, began), ...(repaired.length ? { repaired } : {}) };
  });
}

/** Builds the HNSW graph with the stated parameters, in the given order of vectors. */
async function hnswStore(embedder: CorpusEmbedder, state: unknown, vectors: number[][], docs: Document[]): Promise<HNSWLib> {
  const index = new hnswlib.HierarchicalNSW('cosine', embedder.dimensions);
  index.initIndex(Math.max(1, vectors.length), HNSW_PARAMS.M, HNSW_PARAMS.efConstruction, 100);
  const store = new HNSWLib(embedder.forQueries(state), { space: 'cosine', numDimensions: embedder.dimensions, index });
  await store.addVectors(vectors, docs);
  store.index.setEf(HNSW_PARAMS.efSearch);
  return store;
}

/** Bytes of a file name's readable part: far below the 255 of most file systems, whatever the script. */
const CLEANED_NAME_BYTES = 100;

/**
 * The name of a document's cleaned copy: its file name without extension, cut to a bounded number of bytes, anything
 * but letters, digits, spaces, dots and dashes replaced, then the start of its sha256 so that cut names stay apart.
 * The raw name could be too long once ".txt" is added (ENAMETOOLONG) or hold characters other systems refuse.
 */
function cleanedFileName(source: string, sha256: string): string {
  let stem = '';
  for (const c of source.replace(/\.[^.]*$/, '').replace(/[^\p{L}\p{N} ._-]+/gu, '_').replace(/^\.+/, '_')) {
    if (Buffer.byteLength(stem + c) > CLEANED_NAME_BYTES) break;
    stem += c;
  }
  return `${stem}-${sha256.slice(0, 12)}.txt`;
}

async function writeBuild(
  dir: string,
  embedder: CorpusEmbedder,
  records: DocumentRecord[],
  corpus: Manifest['corpus'],
  stories: Story[],
  encodeTables: EncodeTables,
): Promise<void> {
  await mkdir(join(dir, 'documents'), { recursive: true });
  await mkdir(join(dir, 'cleaned'), { recursive: true });

  const raw = records.flatMap((r) => r.rawVectors);
  const { vectors, state } = embedder.finish(raw);
  // Retrieval reads only the chunk id of a dense hit; the texts live in the tables, so they are not stored twice.
  const docs = records.flatMap((r) => r.chunks.map((c) => new Document({ pageContent: '', metadata: { id: c.id } })));
  const store = await hnswStore(embedder, state, vectors, docs);
  await store.save(join(dir, 'hnsw'));
  await writeFile(join(dir, TABLES_FILE), encodeTables(records));
  await mapInFlight(records, async (r) => {
    await writeFile(join(dir, recordFile(r.sha256)), JSON.stringify(r));
    await writeFile(join(dir, 'cleaned', cleanedFileName(r.source, r.sha256)), r.text);
  });
  const manifest: LocalManifest = {
    ...newManifest(records, embedder, state, corpus, stories),
    files: await fileDigests(dir, buildFiles(records)),
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

/** Points `current` at the new build with a rename, which replaces the link atomically. */
async function makeLive(indexDir: string, buildDir: string): Promise<void> {
  const tmp = join(indexDir, `.current-${process.pid}-${randomBytes(3).toString('hex')}`);
  await symlink(join('builds', buildDir.split('/').pop()!), tmp);
  await rename(tmp, currentLink(indexDir)).catch(async (e: unknown) => {
    await rm(tmp, { force: true });
    throw e;
  });
}

/** When the live build changed: its directory, or null. Cheap enough to call before every question. */
async function liveBuildChanged(indexDir: string, loadedDir: string | null): Promise<string | null> {
  // A `current` that is not a link is no newer build: the one loaded keeps serving until an ingest repairs it.
  const dir = await currentBuild(indexDir).catch(() => null);
  if (!dir || dir === loadedDir) return null;
  const ready = await stat(join(dir, 'manifest.json')).catch(() => null);
  return ready ? dir : null;
}

export class LocalIndexStore implements IndexStore {
  readonly shared = false;
  constructor(
    private readonly corpusDir: string,
    private readonly indexDir: string,
    private readonly embedder: CorpusEmbedder,
    private readonly encodeTables: EncodeTables,
  ) {}
  get location(): string {
    return this.indexDir;
  }
  ingest(onProgress?: (p: IngestProgress) => void, signal?: AbortSignal): Promise<IngestReport> {
    return buildIndex(this.corpusDir, this.indexDir, this.embedder, this.encodeTables, onProgress, signal);
  }
  open(): Promise<LoadedIndex | null> {
    return openIndex(this.indexDir, this.embedder);
  }
  async changed(loaded: LoadedIndex): Promise<boolean> {
    return (await liveBuildChanged(this.indexDir, loaded.version)) !== null;
  }
}
