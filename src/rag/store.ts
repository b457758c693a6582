/**
 * The index on disk: an HNSW vector index (LangChain's HNSWLib over hnswlib-node), the cleaned documents with
 * their chunks and raw vectors (for incremental re-ingest), and a manifest naming the embedder that built it.
 *
 * Layout under INDEX_DIR:
 *   current -> builds/<id>      a symbolic link, swapped atomically when a build completes
 *   builds/<id>/manifest.json   written last: a build without it is unfinished and ignored
 *   builds/<id>/hnsw/           HNSWLib.save() output
 *   builds/<id>/documents/<sha256>.json   cleaned text, chunks and raw vectors of one document
 *   builds/<id>/cleaned/<file>.txt        what the bot reads, for people to inspect
 * A build is written in full beside the live one and only then linked in, so a crash or kill at any moment
 * leaves the previous index serving.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { Document } from '@langchain/core/documents';
import type { VectorStore } from '@langchain/core/vectorstores';
import hnswlib from 'hnswlib-node';
import lockfile from 'proper-lockfile';
import { chunkDocument, type Chunk } from './chunk.js';
import { cleanDocument, type Section } from './clean.js';
import type { Config } from '../config.js';
import type { CorpusEmbedder } from './embedder.js';
import { IndexMismatchError, IngestBusyError } from './errors.js';
import { loadCorpus } from './load.js';
import type { DocumentReport, IngestProgress, IngestReport, Placeholder } from './types.js';

/**
 * Version of what an index holds. Raise it when cleaning or chunking output changes: an index of another format is
 * neither opened nor reused, so the next ingest rebuilds every document.
 */
export const INDEX_FORMAT = 1;

/** True when an index of this manifest can be read and reused with this embedder: same format, embedder and size. */
export function builtWith(manifest: Pick<Manifest, 'format' | 'embedder'>, embedder: CorpusEmbedder): boolean {
  return manifest.format === INDEX_FORMAT && manifest.embedder?.id === embedder.id && manifest.embedder.dimensions === embedder.dimensions;
}

/** HNSW graph parameters; `npm run bench -- --scale` measures recall and speed with them. */
export const HNSW_PARAMS = { M: 16, efConstruction: 200, efSearch: 100 };

export interface DocumentRecord {
  source: string;
  aliases: string[];
  sha256: string;
  title: string;
  text: string;
  sections: Section[];
  placeholders: Placeholder[];
  chunks: Chunk[];
  /** Embedder output before corpus-level post-processing, kept so an unchanged document is never embedded again. */
  rawVectors: number[][];
}

export interface Manifest {
  format: number;
  embedder: { id: string; dimensions: number };
  builtAt: string;
  documents: { source: string; aliases: string[]; sha256: string; title: string; chunks: number; placeholders: Placeholder[] }[];
  chunks: number;
  /** Corpus-level state of the embedder (e.g. SIF's common component), needed to embed queries the same way. */
  embedderState: unknown;
  hnsw: typeof HNSW_PARAMS;
  files: Record<string, { bytes: number; sha256: string }>;
}

export interface LoadedIndex<Vectors extends VectorStore = VectorStore> {
  /** What identifies the loaded build: its directory, or for a server-backed store its location and version. */
  dir: string;
  manifest: Manifest;
  documents: DocumentRecord[];
  chunks: Chunk[];
  /** Dense search over the chunks; results carry the chunk id in `metadata.id`. */
  vectors: Vectors;
}

const currentLink = (indexDir: string) => join(indexDir, 'current');
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The directory of the live build, or null when none has completed. */
export async function currentBuild(indexDir: string): Promise<string | null> {
  const target = await readlink(currentLink(indexDir)).catch(() => null);
  return target ? join(indexDir, target) : null;
}

async function readManifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

async function fileDigests(dir: string, names: string[]): Promise<Manifest['files']> {
  const out: Manifest['files'] = {};
  for (const name of names) {
    const data = await readFile(join(dir, name));
    out[name] = { bytes: data.length, sha256: sha256(data) };
  }
  return out;
}

/**
 * Opens the live index. Throws IndexMismatchError when it was built by another embedder or a file is missing,
 * truncated or altered; callers rebuild or refuse with that one line.
 */
export async function openIndex(indexDir: string, embedder: CorpusEmbedder): Promise<LoadedIndex<HNSWLib> | null> {
  const dir = await currentBuild(indexDir);
  if (!dir) return null;
  let manifest: Manifest;
  try {
    manifest = await readManifest(dir);
  } catch {
    throw new IndexMismatchError(`the index at ${indexDir} has an unreadable manifest; run npm run ingest to rebuild it`);
  }
  if (!builtWith(manifest, embedder)) {
    throw new IndexMismatchError(
      `the index at ${indexDir} was built by embedder ${manifest.embedder?.id ?? 'unknown'} ` +
        `(${manifest.embedder?.dimensions ?? '?'}-d); this configuration uses ${embedder.id} (${embedder.dimensions}-d): run npm run ingest`,
    );
  }
  for (const [name, expected] of Object.entries(manifest.files)) {
    const actual = await readFile(join(dir, name)).catch(() => null);
    if (!actual || actual.length !== expected.bytes || sha256(actual) !== expected.sha256) {
      throw new IndexMismatchError(`the index at ${indexDir} is damaged (${name} is missing or altered); run npm run ingest to rebuild it`);
    }
  }
  const documents = await Promise.all(
    manifest.documents.map(async (d) => JSON.parse(await readFile(join(dir, 'documents', `${d.sha256}.json`), 'utf8')) as DocumentRecord),
  );
  const vectors = await HNSWLib.load(join(dir, 'hnsw'), embedder.forQueries(manifest.embedderState));
  vectors.index.setEf(manifest.hnsw.efSearch);
  return { dir, manifest, documents, chunks: documents.flatMap((d) => d.chunks), vectors };
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
    const expected = manifest.files[name];
    if (!bytes || !expected || bytes.length !== expected.bytes || sha256(bytes) !== expected.sha256) continue;
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

export async function withIngestLock<T>(indexDir: string, work: () => Promise<T>): Promise<T> {
  await mkdir(indexDir, { recursive: true });
  let release: () => Promise<void>;
  try {
    // stale: a lock whose holder was killed stops being refreshed and is taken over after this long.
    release = await lockfile.lock(indexDir, { lockfilePath: join(indexDir, 'ingest.lock'), stale: 10_000, update: 2_000 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new IngestBusyError('another ingest is already running on this index; try again when it finishes');
    }
    throw e;
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}

export interface BuildOptions {
  corpusDir: string;
  indexDir: string;
  embedder: CorpusEmbedder;
  onProgress?: (p: IngestProgress) => void;
}

/** Cleans, chunks, embeds and indexes the corpus into a new build, then makes it live. */
export async function buildIndex({ corpusDir, indexDir, embedder, onProgress }: BuildOptions): Promise<IngestReport> {
  const began = performance.now();
  return withIngestLock(indexDir, async () => {
    await removeStaleBuilds(indexDir);
    const live = await currentBuild(indexDir);
    const previous = live ? ((await readManifest(live).catch(() => null))?.documents ?? []) : [];
    const reuse = await reusableDocuments(indexDir, embedder);
    const { records, reports } = await assembleCorpus({ corpusDir, embedder, reuse, previous, onProgress });
    onProgress?.({ stage: 'index', done: 0, total: 1 });
    const build = await writeBuild(indexDir, embedder, records);
    await makeLive(indexDir, build);
    await removeStaleBuilds(indexDir);
    onProgress?.({ stage: 'write', done: 1, total: 1 });
    return ingestReport(reports, records, began);
  });
}

export interface AssembledCorpus {
  /** One record per distinct content (files with the same bytes are aliases of one record). */
  records: DocumentRecord[];
  reports: DocumentReport[];
}

/**
 * The corpus as documents ready to index, whatever the store: loaded, cleaned, chunked and embedded, except that a
 * document whose sha256 is in `reuse` keeps its raw vectors (never embedded again). `previous` (the documents of
 * the live index) names the ones reported as removed.
 */
export async function assembleCorpus(options: {
  corpusDir: string;
  embedder: CorpusEmbedder;
  reuse: Map<string, DocumentRecord>;
  previous: Manifest['documents'];
  onProgress?: (p: IngestProgress) => void;
}): Promise<AssembledCorpus> {
  const { embedder, reuse, onProgress } = options;
  const corpus = await loadCorpus(options.corpusDir);
  const reports: DocumentReport[] = corpus.skipped.map((s) => ({
    source: s.source,
    chunks: 0,
    status: 'skipped',
    placeholders: [],
    warning: s.reason,
  }));
  const records: DocumentRecord[] = [];
  const bySha = new Map<string, DocumentRecord>();
  let done = 0;
  for (const file of corpus.files) {
    onProgress?.({ stage: 'embed', done: done++, total: corpus.files.length, source: file.source });
    const twin = bySha.get(file.sha256);
    if (twin) {
      twin.aliases.push(file.source);
      reports.push({ source: file.source, title: twin.title, chunks: 0, status: 'unchanged', placeholders: [], warning: `same content as ${twin.source}; indexed once` });
      continue;
    }
    const previous = reuse.get(file.sha256);
    let record: DocumentRecord;
    if (previous && previous.source === file.source) {
      record = { ...previous, aliases: [] };
    } else if (previous) {
      // Same bytes under a new name: reuse the vectors, re-key the chunks so citations name the new file.
      const cleaned = cleanDocument(file.text);
      record = { ...previous, source: file.source, aliases: [], chunks: chunkDocument(file.source, cleaned) };
    } else {
      const cleaned = cleanDocument(file.text);
      const chunks = chunkDocument(file.source, cleaned);
      record = {
        source: file.source,
        aliases: [],
        sha256: file.sha256,
        title: cleaned.title,
        text: cleaned.text,
        sections: cleaned.sections,
        placeholders: cleaned.placeholders,
        chunks,
        rawVectors: await embedder.embedRaw(chunks.map((c) => contextualText(c))),
      };
    }
    bySha.set(file.sha256, record);
    records.push(record);
    reports.push({
      source: file.source,
      title: record.title,
      chunks: record.chunks.length,
      status: previous ? 'unchanged' : 'indexed',
      placeholders: record.placeholders,
    });
  }
  const present = new Set(corpus.files.map((f) => f.source));
  for (const d of options.previous) {
    for (const name of [d.source, ...d.aliases]) {
      if (!present.has(name)) reports.push({ source: name, title: d.title, chunks: 0, status: 'removed', placeholders: [] });
    }
  }
  return { records, reports };
}

export function ingestReport(reports: DocumentReport[], records: DocumentRecord[], began: number): IngestReport {
  const chunks = records.reduce((n, r) => n + r.chunks.length, 0);
  return { documents: [...reports].sort((a, b) => a.source.localeCompare(b.source)), chunks, ms: Math.round(performance.now() - began) };
}

/** The text a chunk is embedded as: its heading and title carry the topic that its sentences often leave implicit. */
export function contextualText(chunk: Chunk): string {
  return `${chunk.title}. ${chunk.heading ? `${chunk.heading}. ` : ''}${chunk.text}`;
}

/** Builds the HNSW graph with the stated parameters, in the given order of vectors. */
export async function hnswStore(embedder: CorpusEmbedder, state: unknown, vectors: number[][], docs: Document[]): Promise<HNSWLib> {
  const index = new hnswlib.HierarchicalNSW('cosine', embedder.dimensions);
  index.initIndex(Math.max(1, vectors.length), HNSW_PARAMS.M, HNSW_PARAMS.efConstruction, 100);
  const store = new HNSWLib(embedder.forQueries(state), { space: 'cosine', numDimensions: embedder.dimensions, index });
  await store.addVectors(vectors, docs);
  store.index.setEf(HNSW_PARAMS.efSearch);
  return store;
}

/** What a manifest says of each document: enough to list sources and reuse records without reading them. */
export function manifestDocuments(records: DocumentRecord[]): Manifest['documents'] {
  return records.map((r) => ({
    source: r.source,
    aliases: r.aliases,
    sha256: r.sha256,
    title: r.title,
    chunks: r.chunks.length,
    placeholders: r.placeholders,
  }));
}

async function writeBuild(indexDir: string, embedder: CorpusEmbedder, records: DocumentRecord[]): Promise<string> {
  const id = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const dir = join(indexDir, 'builds', id);
  await mkdir(join(dir, 'documents'), { recursive: true });
  await mkdir(join(dir, 'cleaned'), { recursive: true });

  const raw = records.flatMap((r) => r.rawVectors);
  const { vectors, state } = embedder.finish(raw);
  const docs = records.flatMap((r) =>
    r.chunks.map((c) => new Document({ pageContent: c.text, metadata: { id: c.id, source: c.source, start: c.start, end: c.end } })),
  );
  const store = await hnswStore(embedder, state, vectors, docs);
  await store.save(join(dir, 'hnsw'));
  for (const r of records) {
    await writeFile(join(dir, 'documents', `${r.sha256}.json`), JSON.stringify(r));
    await writeFile(join(dir, 'cleaned', `${r.source}.txt`), r.text);
  }
  const manifest: Manifest = {
    format: INDEX_FORMAT,
    embedder: { id: embedder.id, dimensions: embedder.dimensions },
    builtAt: new Date().toISOString(),
    documents: manifestDocuments(records),
    chunks: docs.length,
    embedderState: state,
    hnsw: HNSW_PARAMS,
    files: await fileDigests(dir, [
      'hnsw/hnswlib.index',
      'hnsw/docstore.json',
      'hnsw/args.json',
      ...records.map((r) => `documents/${r.sha256}.json`),
    ]),
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Points `current` at the new build with a rename, which replaces the link atomically. */
async function makeLive(indexDir: string, buildDir: string): Promise<void> {
  const tmp = join(indexDir, `.current-${process.pid}-${randomBytes(3).toString('hex')}`);
  await symlink(join('builds', buildDir.split('/').pop()!), tmp);
  await rename(tmp, currentLink(indexDir));
}

/** When the live build changed: its directory, or null. Cheap enough to call before every question. */
export async function liveBuildChanged(indexDir: string, loadedDir: string | null): Promise<string | null> {
  const dir = await currentBuild(indexDir);
  if (!dir || dir === loadedDir) return null;
  const ready = await stat(join(dir, 'manifest.json')).catch(() => null);
  return ready ? dir : null;
}


/**
 * Where the index lives, as the engine sees it: a local directory (VECTOR_STORE=hnsw) or a Chroma collection that
 * several bot replicas share (VECTOR_STORE=chroma). Retrieval reads the same LoadedIndex from either.
 */
export interface IndexStore {
  /** For messages: INDEX_DIR, or CHROMA_URL and the collection. */
  readonly location: string;
  /** Other processes serve from it too: a process must not rewrite it just because its own corpus copy differs. */
  readonly shared: boolean;
  /** Ingests CORPUS_DIR incrementally and makes the result live for every process that reads this store. */
  ingest(onProgress?: (p: IngestProgress) => void): Promise<IngestReport>;
  /** The live index, or null when nothing has been ingested. Throws IndexMismatchError for another embedder's. */
  open(): Promise<LoadedIndex | null>;
  /** True when a newer build than `loaded` is live. Cheap enough to call before every question. */
  changed(loaded: LoadedIndex): Promise<boolean>;
}

class LocalIndexStore implements IndexStore {
  readonly shared = false;
  constructor(
    private readonly corpusDir: string,
    private readonly indexDir: string,
    private readonly embedder: CorpusEmbedder,
  ) {}
  get location(): string {
    return this.indexDir;
  }
  ingest(onProgress?: (p: IngestProgress) => void): Promise<IngestReport> {
    return buildIndex({ corpusDir: this.corpusDir, indexDir: this.indexDir, embedder: this.embedder, onProgress });
  }
  open(): Promise<LoadedIndex | null> {
    return openIndex(this.indexDir, this.embedder);
  }
  async changed(loaded: LoadedIndex): Promise<boolean> {
    return (await liveBuildChanged(this.indexDir, loaded.dir)) !== null;
  }
}

/** The store VECTOR_STORE names. Chroma's client is loaded only when it is the one configured. */
export async function openIndexStore(config: Config, embedder: CorpusEmbedder): Promise<IndexStore> {
  if (config.store.kind === 'chroma') {
    const { ChromaIndexStore } = await import('./chroma-store.js');
    return new ChromaIndexStore(config, embedder);
  }
  return new LocalIndexStore(config.corpusDir, config.indexDir, embedder);
}
