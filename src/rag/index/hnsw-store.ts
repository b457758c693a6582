/**
 * VECTOR_STORE=hnsw, the default: the index on local disk. An HNSW vector index (LangChain's HNSWLib over
 * hnswlib-node), the cleaned documents with their chunks' places, and a manifest naming the embedder that built it.
 * Each vector is stored once, in the HNSW index: the raw vector an unchanged document reuses at the next ingest is
 * its indexed vector plus two numbers (raw-residues.bin).
 *
 * Layout under INDEX_DIR:
 *   current -> builds/<id>      a symbolic link, swapped atomically when a build completes
 *   builds/<id>/manifest.json   written last: a build without it is unfinished and ignored; it lists every other
 *                               file of the build with its size and CRC-32, and an open checks those it serves from
 *   builds/<id>/hnswlib.index   the HNSW graph and vectors as hnswlib writes them; a vector's label is its chunk's
 *                               number in index order, which gives its chunk id (ChunkIdDocstore)
 *   builds/<id>/raw-residues.bin          per chunk, in index order, two float64 (little-endian): what the finishing
 *                                         step took off its raw vector (CorpusEmbedder.finisher), for reuse
 *   builds/<id>/retrieval-tables.bin      what answering reads besides the vectors (search/retrieval-tables.ts)
 *   builds/<id>/documents.jsonl           one line per document, in the manifest's order: its title, date, sections,
 *                                         placeholders, the digest of what it read as, and its chunks as offsets into
 *                                         its cleaned text (StoredRecord)
 *   builds/<id>/cleaned.txt               every document's cleaned text, in the same order: the one copy of it, which
 *                                         answers quote and people can read (packed-files.ts)
 * Records and texts are packed in two files rather than two per document: an open checks every one of them, and at
 * 100,000 chunks (5,000 documents) opening 10,000 small files took most of a cold `ask` (3.9 s of 4.4 s).
 * A build is written in full beside the live one and only then linked in, so a crash or kill at any moment
 * leaves the previous index serving.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, link, lstat, mkdir, readFile, readdir, readlink, rename, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { crc32 } from 'node:zlib';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { Document } from '@langchain/core/documents';
import hnswlib from 'hnswlib-node';
import type { CorpusEmbedder, StateFit } from '../embedding/corpus-embedder.js';
import { IndexMismatchError } from '../errors.js';
import type { Chunk } from '../ingest/chunk.js';
import { type IngestProgress, type IngestReport, type Story } from '../types.js';
import {
  builtWith,
  cleanedDigest,
  HNSW_PARAMS,
  manifestSchema,
  newManifest,
  parseManifest,
  type DocumentRecord,
  type IndexStore,
  type LoadedIndex,
  type Manifest,
  type TablesBuilder,
  type TablesFormat,
} from './contract.js';
import { mapInFlight } from '../ingest/in-flight.js';
import { assembleCorpus, ingestReport, type AssembledCorpus, type AssembledDocument, type PreviousDocument } from './corpus-records.js';
import { isLeftoverLock, releaseLockOfEndedThread, withIngestLock } from './lock.js';
import { CLEANED_FILE, fileMatches, PackedReader, PackedWriter, RECORDS_FILE, type PackedEntry } from './packed-files.js';

/**
 * The local manifest also vouches for every part of the build (size and CRC-32), so damage — or a file copied in from
 * another build — is found before anything is served. An open checks all it serves from: the vectors and the
 * retrieval tables with their header (`files`), and each document's record and cleaned text (`packed`: their byte
 * lengths and CRC-32s, in the manifest's order). The raw vectors' residues serve only the next ingest, which checks
 * them before reusing any. CRC-32 rather than SHA-256: the threat is damage, not tampering, and at 100,000 chunks an
 * open checks about 200 MB, which CRC-32 does in tens of milliseconds.
 */
const localManifestSchema = manifestSchema.extend({
  files: z.record(z.string(), z.object({ bytes: z.number(), crc32: z.number() })),
  packed: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
});
type LocalManifest = Manifest & { files: Record<string, { bytes: number; crc32: number }>; packed: PackedEntry[] };

const TABLES_FILE = 'retrieval-tables.bin';
const RESIDUES_FILE = 'raw-residues.bin';
const VECTORS_FILE = 'hnswlib.index';
/** The files of a build listed whole in `files`; the two packed files are listed document by document. */
const WHOLE_FILES = [TABLES_FILE, RESIDUES_FILE, VECTORS_FILE];

/**
 * A document record as stored: what re-ingest and summaries need beyond the manifest and the cleaned text. Chunks are
 * offsets into the cleaned text — `spans` is [start, end] of the chunk, then of each of its sentences — with an id or
 * title only where they differ from the usual `<source>#<n>` and the document's title.
 */
interface StoredRecord {
  source: string;
  sha256: string;
  title: string;
  date?: string;
  /** cleanedDigest of the title and text: the next ingest reuses the vectors when its cleaning gives the same. */
  digest: string;
  sections: DocumentRecord['sections'];
  placeholders: DocumentRecord['placeholders'];
  chunks: { heading: string; spans: number[]; id?: string; title?: string }[];
}

function storedRecord(doc: AssembledDocument): StoredRecord {
  return {
    source: doc.source,
    sha256: doc.sha256,
    title: doc.title,
    ...(doc.date ? { date: doc.date } : {}),
    digest: cleanedDigest(doc.title, doc.text),
    sections: doc.sections,
    placeholders: doc.placeholders,
    chunks: doc.chunks.map((c, n) => {
      if (doc.text.slice(c.start, c.end) !== c.text) throw new Error(`chunk ${c.id} is not the cleaned text at its offsets`);
      return {
        heading: c.heading,
        spans: [c.start, c.end, ...c.sentences.flatMap((x) => [x.start, x.end])],
        ...(c.id !== `${doc.source}#${n}` ? { id: c.id } : {}),
        ...(c.title !== doc.title ? { title: c.title } : {}),
      };
    }),
  };
}

/** The record with its texts cut from the document's cleaned text. */
function recordOf(stored: StoredRecord, text: string, aliases: string[]): DocumentRecord {
  const chunks = stored.chunks.map((c, n): Chunk => {
    const [start, end, ...sentences] = c.spans as [number, number, ...number[]];
    return {
      id: c.id ?? `${stored.source}#${n}`,
      source: stored.source,
      title: c.title ?? stored.title,
      heading: c.heading,
      start,
      end,
      text: text.slice(start, end),
      sentences: Array.from({ length: sentences.length / 2 }, (_, i) => {
        const [s, e] = [sentences[2 * i]!, sentences[2 * i + 1]!];
        return { start: s, end: e, text: text.slice(s, e) };
      }),
    };
  });
  const { digest: _digest, chunks: _chunks, ...rest } = stored;
  return { ...rest, aliases, text, chunks };
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

async function manifestJson(dir: string, indexDir: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    throw new IndexMismatchError(`the index at ${indexDir} has an unreadable manifest; run npm run ingest to rebuild it`);
  }
}

const checkedManifest = (raw: unknown, embedder: CorpusEmbedder, indexDir: string): LocalManifest =>
  parseManifest(raw, localManifestSchema as unknown as z.ZodType<LocalManifest>, embedder, `the index at ${indexDir}`);

async function readManifest(dir: string, embedder: CorpusEmbedder, indexDir: string): Promise<LocalManifest> {
  return checkedManifest(await manifestJson(dir, indexDir), embedder, indexDir);
}

/** What a manifest not yet checked lists for the vectors' file, when it lists a size and a CRC-32. */
function listedVectors(raw: unknown): { bytes: number; crc32: number } | undefined {
  const entry = (raw as { files?: Record<string, { bytes?: unknown; crc32?: unknown } | undefined> } | null)?.files?.[VECTORS_FILE];
  return typeof entry?.bytes === 'number' && typeof entry.crc32 === 'number' ? { bytes: entry.bytes, crc32: entry.crc32 } : undefined;
}

async function fileDigests(dir: string, names: string[]): Promise<LocalManifest['files']> {
  const digests = await mapInFlight(names, async (name) => {
    const data = await readFile(join(dir, name));
    return [name, { bytes: data.length, crc32: crc32(data) }] as const;
  });
  return Object.fromEntries(digests);
}

/**
 * Checks the tables and the packed records and texts against the manifest and returns the tables file's bytes and the
 * packed files, opened. Damaged tables are not fatal (`tablesDamage` says why: they are rebuilt from the records);
 * damaged records or texts are.
 */
async function verifiedDocuments(
  dir: string,
  manifest: LocalManifest,
  damaged: (name: string) => Error,
): Promise<{ tables: Buffer | null; tablesDamage?: string; packed: PackedReader }> {
  const tables = await readFile(join(dir, TABLES_FILE)).catch(() => null);
  const packed = PackedReader.open(dir, manifest.documents.map((d) => d.source), manifest.packed);
  if ('damaged' in packed) throw damaged(packed.damaged);
  const altered = await packed.altered();
  if (altered) {
    packed.close();
    throw damaged(altered);
  }
  if (intact(tables, manifest.files[TABLES_FILE])) return { tables, packed };
  return { tables: null, tablesDamage: tables ? 'checksum mismatch' : 'missing', packed };
}

/**
 * Opens the live index. Throws IndexMismatchError when it was built by another embedder, its manifest is invalid or a
 * file of it is missing, truncated, altered or from another build; callers rebuild or refuse with that one line.
 */
async function openIndex(indexDir: string, embedder: CorpusEmbedder): Promise<LoadedIndex<HNSWLib> | null> {
  const dir = await currentBuild(indexDir);
  if (!dir) return null;
  const raw = await manifestJson(dir, indexDir);
  const damaged = (name: string) =>
    new IndexMismatchError(`the index at ${indexDir} is damaged (${name} is missing or altered); run npm run ingest to rebuild it`);
  // hnswlib's load is the longest part of an open: once the vectors' file is what the manifest lists, it runs off the
  // main thread while the manifest's schema and the rest of the build are checked. A manifest that fails its check
  // stops the open all the same, with its own message first.
  if (!(await fileMatches(join(dir, VECTORS_FILE), listedVectors(raw)))) {
    checkedManifest(raw, embedder, indexDir);
    throw damaged(VECTORS_FILE);
  }
  const index = new hnswlib.HierarchicalNSW('cosine', embedder.dimensions);
  const loading = index.readIndex(join(dir, VECTORS_FILE));
  const afterLoading = async (e: unknown): Promise<never> => {
    await loading.catch(() => undefined);
    throw e;
  };
  let manifest: LocalManifest;
  try {
    manifest = checkedManifest(raw, embedder, indexDir);
  } catch (e) {
    return afterLoading(e);
  }
  const { tables, tablesDamage, packed } = await verifiedDocuments(dir, manifest, damaged).catch(afterLoading);
  await loading;
  index.setEf(manifest.hnsw.efSearch);
  const vectors = new HNSWLib(embedder.forQueries(manifest.embedderState), {
    space: 'cosine',
    numDimensions: embedder.dimensions,
    index,
    docstore: new ChunkIdDocstore(manifest.documents),
  });
  const numbers = new Map(manifest.documents.map((d, i) => [d.source, i]));
  // Read from the packed files when asked: most answers read a few documents. Checked at open, and again as read.
  const textOf = (i: number) => packed.text(i) ?? throwError(damaged(packed.textName(i)));
  const records = async (sources?: string[]) => {
    const wanted = sources ? new Set(sources) : null;
    return manifest.documents.flatMap((d, i) => {
      if (wanted && !wanted.has(d.source)) return [];
      const stored = JSON.parse(packed.record(i) ?? throwError(damaged(packed.recordName(i)))) as StoredRecord;
      return [recordOf(stored, textOf(i), d.aliases)];
    });
  };
  const text = (source: string) => {
    const i = numbers.get(source);
    if (i === undefined) throw new Error(`no indexed document named ${source}`);
    return textOf(i);
  };
  return { version: dir, manifest, tables, ...(tablesDamage ? { tablesDamage } : {}), records, text, vectors };
}

const throwError = (e: Error): never => {
  throw e;
};

/**
 * What an opened HNSWLib reads a hit's chunk id from. A vector's label is its chunk's number in index order, so the id
 * follows from the manifest: the document whose chunks cover the label, and the chunk's place in it (chunk.ts numbers
 * them so). LangChain's own docstore stored each id: at 125,672 chunks, 9 MB read and as many objects made at every open.
 */
class ChunkIdDocstore {
  /** What LangChain's docstore holds; nothing here, as ids are computed. */
  readonly _docs = new Map<string, Document>();
  /** The label of each document's first chunk. */
  private readonly firsts: number[] = [];

  constructor(private readonly documents: Manifest['documents']) {
    let first = 0;
    for (const d of documents) {
      this.firsts.push(first);
      first += d.chunks;
    }
  }

  search(label: string): Document {
    const n = Number(label);
    // The last document starting at or before n: one without chunks starts where the next does.
    let [low, high] = [0, this.firsts.length - 1];
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.firsts[middle]! <= n) low = middle;
      else high = middle - 1;
    }
    return new Document({ pageContent: '', metadata: { id: `${this.documents[low]!.source}#${n - this.firsts[low]!}` } });
  }

  add(): void {
    throw new Error('an opened build takes no new vectors: an ingest writes a new build');
  }
}

/**
 * Documents of the live build by sha256, for reuse: what each read as, and its raw vectors restored from the HNSW
 * index and the residues when asked (the vector files are read once, at the first). Nothing when there is no live
 * build, it is another embedder's, or its vector files are damaged.
 */
async function reusableDocuments(dir: string | null, manifest: LocalManifest | null, embedder: CorpusEmbedder): Promise<(sha256: string) => PreviousDocument | undefined> {
  const reuse = new Map<string, PreviousDocument>();
  const none = () => undefined;
  if (!dir || !manifest || !builtWith(manifest, embedder)) return none;
  const residues = await readFile(join(dir, RESIDUES_FILE)).catch(() => null);
  const indexFile = join(dir, VECTORS_FILE);
  if (!intact(residues, manifest.files[RESIDUES_FILE]) || !(await fileMatches(indexFile, manifest.files[VECTORS_FILE]))) return none;
  const packed = PackedReader.open(dir, manifest.documents.map((d) => d.source), manifest.packed);
  if ('damaged' in packed) return none;
  const residue = new Float64Array(residues.buffer.slice(residues.byteOffset, residues.byteOffset + residues.length));
  let index: Promise<hnswlib.HierarchicalNSW> | null = null;
  const points = () =>
    (index ??= (async () => {
      const loaded = new hnswlib.HierarchicalNSW('cosine', embedder.dimensions);
      await loaded.readIndex(indexFile);
      return loaded;
    })());
  const finisher = embedder.finisher(manifest.embedderState);
  const d = embedder.dimensions;
  const rn = embedder.residueLength;
  let first = 0;
  for (const [i, doc] of manifest.documents.entries()) {
    const label = first;
    first += doc.chunks;
    // Only a record whose bytes the manifest vouches for is reused: a damaged one is rebuilt from the corpus.
    const line = packed.record(i);
    if (line === null) continue;
    const stored = JSON.parse(line) as StoredRecord;
    if (stored.chunks.length !== doc.chunks) continue;
    reuse.set(doc.sha256, {
      digest: stored.digest,
      raw: async () => {
        const loaded = await points();
        const raw = new Float64Array(doc.chunks * d);
        for (let i = 0; i < doc.chunks; i++) {
          raw.set(finisher.restore(loaded.getPoint(label + i), residue.subarray((label + i) * rn, (label + i + 1) * rn)), i * d);
        }
        return raw;
      },
    });
  }
  packed.close();
  return (sha256) => reuse.get(sha256);
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
  // A first build stopped early leaves nothing behind, not even builds/ (a build's folder is made before its documents are read).
  if (!live) await rmdir(builds).catch(() => undefined);
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

/** Options of a local store beyond its places. */
export interface LocalStoreOptions {
  /** File workers of an ingest; by default one per core. The build is the same whatever the number. */
  poolSize?: number;
}

/**
 * Cleans, chunks, embeds and indexes the corpus into a new build, then makes it live. Stopped through `signal` (or
 * failing) before that, it removes its half-written build and the previous index keeps serving.
 */
async function buildIndex(
  corpusDir: string,
  indexDir: string,
  embedder: CorpusEmbedder,
  tables: TablesFormat,
  options: LocalStoreOptions,
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
      const build = newBuildDir(indexDir);
      let assembled: AssembledCorpus;
      try {
        const writer = await BuildWriter.start(build, embedder, tables.builder());
        assembled = await assembleCorpus({
          corpusDir,
          embedder,
          workerModule: tables.workerModule,
          reuse,
          previous: manifest?.documents ?? [],
          accept: (doc) => writer.add(doc),
          poolSize: options.poolSize,
          onProgress,
          signal,
        });
        signal?.throwIfAborted();
        onProgress?.({ stage: 'index', done: 0, total: 1 });
        await writer.finish(assembled.documents, assembled.corpus, assembled.stories);
        signal?.throwIfAborted();
        await makeLive(indexDir, build);
      } catch (e) {
        await removeLeftovers(indexDir, live);
        throw e;
      }
      await removeLeftovers(indexDir, build);
      onProgress?.({ stage: 'write', done: 1, total: 1 });
      const { documents, reports, stories } = assembled;
      return { ...ingestReport(reports, documents, stories, began), ...(repaired.length ? { repaired } : {}) };
  });
}

/** Chunks' raw vectors a block of RawVectors holds: 6.5 MB at 100 dimensions. */
const RAW_BLOCK_CHUNKS = 8192;

/**
 * Raw vectors in the order added, in blocks of a fixed size. One array grown by doubling held up to twice the
 * vectors, and three times while it was copied (the vectors are 100 MB at 125,000 chunks), at the ingest's peak.
 */
class RawVectors {
  private readonly blocks: Float64Array[] = [];
  private count = 0;

  constructor(private readonly dimensions: number) {}

  append(raw: Float64Array): void {
    const d = this.dimensions;
    for (let from = 0; from < raw.length; ) {
      const at = this.count % RAW_BLOCK_CHUNKS;
      if (at === 0) this.blocks.push(new Float64Array(RAW_BLOCK_CHUNKS * d));
      const take = Math.min(RAW_BLOCK_CHUNKS - at, (raw.length - from) / d);
      this.blocks.at(-1)!.set(raw.subarray(from, from + take * d), at * d);
      from += take * d;
      this.count += take;
    }
  }

  /** The raw vector of chunk `n`, as a view into its block. */
  vector(n: number): Float64Array {
    const at = (n % RAW_BLOCK_CHUNKS) * this.dimensions;
    return this.blocks[Math.floor(n / RAW_BLOCK_CHUNKS)]!.subarray(at, at + this.dimensions);
  }
}

/**
 * A build written as its documents come: each document's record and cleaned text appended to the packed files, its
 * share of the tables and of the embedder's corpus-level fit counted, its raw vectors kept (8 bytes a number: 80 MB
 * at 100,000 chunks of 100 dimensions); the vectors, tables and manifest once every document is in.
 */
class BuildWriter {
  private readonly raw: RawVectors;
  private chunks = 0;
  private readonly fit: StateFit;
  private readonly packed: PackedWriter;

  private constructor(
    private readonly dir: string,
    private readonly embedder: CorpusEmbedder,
    private readonly tables: TablesBuilder,
  ) {
    this.fit = embedder.fitState();
    this.packed = new PackedWriter(dir);
    this.raw = new RawVectors(embedder.dimensions);
  }

  static async start(dir: string, embedder: CorpusEmbedder, tables: TablesBuilder): Promise<BuildWriter> {
    await mkdir(dir, { recursive: true });
    return new BuildWriter(dir, embedder, tables);
  }

  async add(doc: AssembledDocument): Promise<void> {
    await this.packed.add(doc.source, Buffer.from(JSON.stringify(storedRecord(doc))), Buffer.from(doc.text));
    this.tables.add(doc, doc.tables);
    const d = this.embedder.dimensions;
    this.raw.append(doc.raw);
    for (let i = 0; i < doc.chunks.length; i++) this.fit.add(doc.raw.subarray(i * d, (i + 1) * d));
    this.chunks += doc.chunks.length;
    // An opened build reads a hit's chunk id from its label (ChunkIdDocstore): each must be numbered so.
    doc.chunks.forEach((c, n) => {
      if (c.id !== `${doc.source}#${n}`) throw new Error(`chunk ${c.id} is not numbered in its document's order`);
    });
  }

  async finish(documents: Manifest['documents'], corpus: Manifest['corpus'], stories: Story[]): Promise<void> {
    // The packed files' order is the manifest's: what an open reads each document's part by.
    if (documents.length !== this.packed.entries.length) throw new Error(`${documents.length} documents for ${this.packed.entries.length} packed records`);
    await this.packed.finish();
    const { dir, embedder, chunks } = this;
    const d = embedder.dimensions;
    const state = this.fit.state();
    const finisher = embedder.finisher(state);
    const index = new hnswlib.HierarchicalNSW('cosine', d);
    index.initIndex(Math.max(1, chunks), HNSW_PARAMS.M, HNSW_PARAMS.efConstruction, 100);
    const residues = new Float64Array(chunks * embedder.residueLength);
    for (let n = 0; n < chunks; n++) {
      const raw = Array.from(this.raw.vector(n));
      index.addPoint(finisher.finish(raw), n);
      residues.set(finisher.residue(raw), n * embedder.residueLength);
    }
    index.setEf(HNSW_PARAMS.efSearch);
    await index.writeIndex(join(dir, VECTORS_FILE));
    await writeFile(join(dir, RESIDUES_FILE), new Uint8Array(residues.buffer));
    await writeFile(join(dir, TABLES_FILE), this.tables.encode());
    const manifest: LocalManifest = {
      ...newManifest(documents, embedder, state, corpus, stories),
      files: await fileDigests(dir, WHOLE_FILES),
      packed: this.packed.entries,
    };
    // Unindented: the manifest is read at every open, and indentation was a fifth of it (BBC archive: 1.42 → 1.10 MB).
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }
}

const newBuildDir = (indexDir: string) => join(indexDir, 'builds', `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`);

/** A hard link where the file system makes one (the build's other files are never rewritten), else a copy. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  await link(from, to).catch(() => copyFile(from, to));
}

/**
 * Makes live a new build that is the loaded one with other retrieval tables: its other files linked, the manifest
 * listing the new tables; returns the loaded index as that build, which reads the same files (the descriptors it holds
 * outlive the old build's removal). Null, changing nothing, when the loaded build is no longer live (an ingest went
 * live since).
 */
async function storeTables(indexDir: string, embedder: CorpusEmbedder, loaded: LoadedIndex, tables: Buffer): Promise<LoadedIndex | null> {
  return withIngestLock(indexDir, async () => {
    const live = await currentBuild(indexDir);
    if (!live || live !== loaded.version) return null;
    const manifest = await readManifest(live, embedder, indexDir);
    const build = newBuildDir(indexDir);
    try {
      await mkdir(build, { recursive: true });
      for (const name of [VECTORS_FILE, RESIDUES_FILE, RECORDS_FILE, CLEANED_FILE]) await linkOrCopy(join(live, name), join(build, name));
      await writeFile(join(build, TABLES_FILE), tables);
      const files = { ...manifest.files, [TABLES_FILE]: { bytes: tables.length, crc32: crc32(tables) } };
      await writeFile(join(build, 'manifest.json'), JSON.stringify({ ...manifest, files } satisfies LocalManifest));
      await makeLive(indexDir, build);
    } catch (e) {
      await removeLeftovers(indexDir, live);
      throw e;
    }
    await removeLeftovers(indexDir, build);
    const { tablesDamage: _unusable, ...same } = loaded;
    return { ...same, version: build, tables };
  });
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
    private readonly tables: TablesFormat,
    private readonly options: LocalStoreOptions = {},
  ) {}
  get location(): string {
    return this.indexDir;
  }
  ingest(onProgress?: (p: IngestProgress) => void, signal?: AbortSignal): Promise<IngestReport> {
    return buildIndex(this.corpusDir, this.indexDir, this.embedder, this.tables, this.options, onProgress, signal);
  }
  open(): Promise<LoadedIndex | null> {
    return openIndex(this.indexDir, this.embedder);
  }
  storeTables(loaded: LoadedIndex, tables: Buffer): Promise<LoadedIndex | null> {
    return storeTables(this.indexDir, this.embedder, loaded, tables);
  }
  async changed(loaded: LoadedIndex): Promise<boolean> {
    return (await liveBuildChanged(this.indexDir, loaded.version)) !== null;
  }
}
