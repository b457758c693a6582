/**
 * VECTOR_STORE=hnsw, the default: the index on local disk. An HNSW vector index (LangChain's HNSWLib over
 * hnswlib-node), the cleaned documents with their chunks and raw vectors (for incremental re-ingest), and a manifest
 * naming the embedder that built it.
 *
 * Layout under INDEX_DIR:
 *   current -> builds/<id>      a symbolic link, swapped atomically when a build completes
 *   builds/<id>/manifest.json   written last: a build without it is unfinished and ignored
 *   builds/<id>/hnsw/           HNSWLib.save() output; its docstore holds chunk ids only (texts are in the tables)
 *   builds/<id>/retrieval-tables.bin      what answering reads besides the vectors (search/retrieval-tables.ts)
 *   builds/<id>/documents/<sha256>.json   cleaned text, chunks and raw vectors of one document: read only by the
 *                                         next ingest (reuse) or to rebuild damaged tables, never at an open
 *   builds/<id>/cleaned/<name>-<sha>.txt  what the bot reads, for people to inspect (see cleanedFileName)
 * A build is written in full beside the live one and only then linked in, so a crash or kill at any moment
 * leaves the previous index serving.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { Document } from '@langchain/core/documents';
import hnswlib from 'hnswlib-node';
import type { CorpusEmbedder } from '../embedding/corpus-embedder.js';
import { IndexMismatchError } from '../errors.js';
import type { IngestProgress, IngestReport, Story } from '../types.js';
import {
  assertBuiltWith,
  builtWith,
  HNSW_PARAMS,
  newManifest,
  type DocumentRecord,
  type EncodeTables,
  type IndexStore,
  type LoadedIndex,
  type Manifest,
} from './contract.js';
import { mapInFlight } from '../ingest/in-flight.js';
import { assembleCorpus, ingestReport } from './corpus-records.js';
import { withIngestLock } from './lock.js';

/**
 * The local manifest also vouches for every file of the build (size and CRC-32), so damage is found before it is
 * served. A file is checked when it is read: at an open only the HNSW files are (the tables check themselves), the
 * documents when an ingest reuses them. CRC-32 rather than SHA-256: the threat is damage, not tampering, and at
 * 100,000 chunks an open reads about 60 MB of HNSW files, which CRC-32 checks in a fraction of SHA-256's time.
 */
interface LocalManifest extends Manifest {
  files: Record<string, { bytes: number; crc32: number }>;
}

const TABLES_FILE = 'retrieval-tables.bin';
const currentLink = (indexDir: string) => join(indexDir, 'current');
const intact = (data: Buffer | null, expected: LocalManifest['files'][string] | undefined): data is Buffer =>
  !!data && !!expected && data.length === expected.bytes && crc32(data) === expected.crc32;

/** The directory of the live build, or null when none has completed. */
async function currentBuild(indexDir: string): Promise<string | null> {
  const target = await readlink(currentLink(indexDir)).catch(() => null);
  return target ? join(indexDir, target) : null;
}

async function readManifest(dir: string): Promise<LocalManifest> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as LocalManifest;
}

async function fileDigests(dir: string, names: string[]): Promise<LocalManifest['files']> {
  const digests = await mapInFlight(names, async (name) => {
    const data = await readFile(join(dir, name));
    return [name, { bytes: data.length, crc32: crc32(data) }] as const;
  });
  return Object.fromEntries(digests);
}

/**
 * Opens the live index. Throws IndexMismatchError when it was built by another embedder or a file is missing,
 * truncated or altered; callers rebuild or refuse with that one line.
 */
async function openIndex(indexDir: string, embedder: CorpusEmbedder): Promise<LoadedIndex<HNSWLib> | null> {
  const dir = await currentBuild(indexDir);
  if (!dir) return null;
  let manifest: LocalManifest;
  try {
    manifest = await readManifest(dir);
  } catch {
    throw new IndexMismatchError(`the index at ${indexDir} has an unreadable manifest; run npm run ingest to rebuild it`);
  }
  assertBuiltWith(manifest, embedder, `the index at ${indexDir}`);
  const damaged = (name: string) =>
    new IndexMismatchError(`the index at ${indexDir} is damaged (${name} is missing or altered); run npm run ingest to rebuild it`);
  for (const name of Object.keys(manifest.files).filter((n) => n.startsWith('hnsw/'))) {
    if (!intact(await readFile(join(dir, name)).catch(() => null), manifest.files[name])) throw damaged(name);
  }
  // A missing tables file reads as an empty one, which the tables reject: it is rebuilt with a notice.
  const tables = await readFile(join(dir, TABLES_FILE)).catch(() => Buffer.alloc(0));
  const vectors = await HNSWLib.load(join(dir, 'hnsw'), embedder.forQueries(manifest.embedderState));
  vectors.index.setEf(manifest.hnsw.efSearch);
  const records = async (sources?: string[]) =>
    Promise.all(
      manifest.documents.filter((d) => !sources || sources.includes(d.source)).map(async (d) => {
        const name = `documents/${d.sha256}.json`;
        const bytes = await readFile(join(dir, name)).catch(() => null);
        if (!intact(bytes, manifest.files[name])) throw damaged(name);
        return { ...(JSON.parse(bytes.toString('utf8')) as DocumentRecord), aliases: d.aliases };
      }),
    );
  return { version: dir, manifest, tables, records, vectors };
}

/** Documents of the live build by sha256, for reuse; empty when there is none or it is not this embedder's. */
async function reusableDocuments(indexDir: string, embedder: CorpusEmbedder): Promise<Map<string, DocumentRecord>> {
  const reuse = new Map<string, DocumentRecord>();
  const dir = await currentBuild(indexDir);
  if (!dir) return reuse;
  const manifest = await readManifest(dir).catch(() => null);
  if (!manifest || !builtWith(manifest, embedder)) return reuse;
  for (const d of manifest.documents) {
    // Only a record whose bytes the manifest vouches for is reused: a damaged one is rebuilt from the corpus.
    const name = `documents/${d.sha256}.json`;
    const bytes = await readFile(join(dir, name)).catch(() => null);
    if (!intact(bytes, manifest.files[name])) continue;
    const record = JSON.parse(bytes.toString('utf8')) as DocumentRecord;
    if (record.rawVectors?.length === record.chunks?.length) reuse.set(d.sha256, record);
  }
  return reuse;
}

/** Builds whose manifest never got written (killed mid-build) or that are no longer live. */
async function removeStaleBuilds(indexDir: string): Promise<void> {
  const live = await currentBuild(indexDir);
  const builds = join(indexDir, 'builds');
  for (const name of await readdir(builds).catch(() => [] as string[])) {
    const dir = join(builds, name);
    if (dir !== live) await rm(dir, { recursive: true, force: true });
  }
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
    await removeStaleBuilds(indexDir);
    const live = await currentBuild(indexDir);
    const previous = live ? ((await readManifest(live).catch(() => null))?.documents ?? []) : [];
    const reuse = await reusableDocuments(indexDir, embedder);
    const { records, reports, corpus, stories } = await assembleCorpus({ corpusDir, embedder, reuse, previous, onProgress, signal });
    signal?.throwIfAborted();
    onProgress?.({ stage: 'index', done: 0, total: 1 });
    const build = join(indexDir, 'builds', `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`);
    try {
      await writeBuild(build, embedder, records, corpus, stories, encodeTables);
      signal?.throwIfAborted();
    } catch (e) {
      await rm(build, { recursive: true, force: true });
      throw e;
    }
    await makeLive(indexDir, build);
    await removeStaleBuilds(indexDir);
    onProgress?.({ stage: 'write', done: 1, total: 1 });
    return ingestReport(reports, records, stories, began);
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
    await writeFile(join(dir, 'documents', `${r.sha256}.json`), JSON.stringify(r));
    await writeFile(join(dir, 'cleaned', cleanedFileName(r.source, r.sha256)), r.text);
  });
  const manifest: LocalManifest = {
    ...newManifest(records, embedder, state, corpus, stories),
    files: await fileDigests(dir, [
      TABLES_FILE,
      'hnsw/hnswlib.index',
      'hnsw/docstore.json',
      'hnsw/args.json',
      ...records.map((r) => `documents/${r.sha256}.json`),
    ]),
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

/** Points `current` at the new build with a rename, which replaces the link atomically. */
async function makeLive(indexDir: string, buildDir: string): Promise<void> {
  const tmp = join(indexDir, `.current-${process.pid}-${randomBytes(3).toString('hex')}`);
  await symlink(join('builds', buildDir.split('/').pop()!), tmp);
  await rename(tmp, currentLink(indexDir));
}

/** When the live build changed: its directory, or null. Cheap enough to call before every question. */
async function liveBuildChanged(indexDir: string, loadedDir: string | null): Promise<string | null> {
  const dir = await currentBuild(indexDir);
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
