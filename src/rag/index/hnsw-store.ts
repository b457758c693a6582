/**
 * VECTOR_STORE=hnsw, the default: the index on local disk. An HNSW vector index (LangChain's HNSWLib over
 * hnswlib-node), the cleaned documents with their chunks' places, and a manifest naming the embedder that built it.
 * Each vector is stored once, in the HNSW index: the raw vector an unchanged document reuses at the next ingest is
 * its indexed vector plus two numbers (raw-residues.bin).
 *
 * Layout under INDEX_DIR:
 *   current -> builds/<id>      a symbolic link, swapped atomically when a build completes
 *   builds/<id>/manifest.json   written last: a build without it is unfinished and ignored; it lists every other
 *                               file of the build with its size and CRC-32, and an open checks each one
 *   builds/<id>/hnsw/           HNSWLib.save() output; its docstore holds chunk ids only (texts are cut from the
 *                               cleaned documents)
 *   builds/<id>/raw-residues.bin          per chunk, in index order, two float64 (little-endian): what the finishing
 *                                         step took off its raw vector (CorpusEmbedder.finisher), for reuse
 *   builds/<id>/retrieval-tables.bin      what answering reads besides the vectors (search/retrieval-tables.ts)
 *   builds/<id>/documents.jsonl           one line per document, in the manifest's order: its title, date, sections,
 *                                         placeholders, the digest of what it read as, and its chunks as offsets into
 *                                         its cleaned text (StoredRecord)
 *   builds/<id>/cleaned.txt               every document's cleaned text, in the same order, each under a line
 *                                         "==> <file name> <==" as `head` prints between files: the one copy of it,
 *                                         which answers quote and people can read
 * Records and texts are packed in two files rather than two per document: an open checks every one of them, and at
 * 100,000 chunks (5,000 documents) opening 10,000 small files took most of a cold `ask` (3.9 s of 4.4 s).
 * A build is written in full beside the live one and only then linked in, so a crash or kill at any moment
 * leaves the previous index serving.
 */
import { randomBytes } from 'node:crypto';
import { appendFile, lstat, mkdir, readFile, readdir, readlink, rename, rm, rmdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { crc32 } from 'node:zlib';
import { HNSWLib } from '@langchain/community/vectorstores/hnswlib';
import { Document } from '@langchain/core/documents';
import hnswlib from 'hnswlib-node';
import type { CorpusEmbedder, StateFit } from '../embedding/corpus-embedder.js';
import { IndexMismatchError } from '../errors.js';
import type { Chunk } from '../ingest/chunk.js';
import { oneLine, type IngestProgress, type IngestReport, type Story } from '../types.js';
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

/**
 * The local manifest also vouches for every part of the build (size and CRC-32), so damage — or a file copied in from
 * another build — is found before anything is served. An open checks all of it: the vectors, the retrieval tables
 * with their header (`files`), and each document's record and cleaned text (`packed`: their byte lengths and CRC-32s,
 * in the manifest's order). CRC-32 rather than SHA-256: the threat is damage, not tampering, and at 100,000 chunks an
 * open reads about 200 MB, which CRC-32 checks in tens of milliseconds.
 */
const localManifestSchema = manifestSchema.extend({
  files: z.record(z.string(), z.object({ bytes: z.number(), crc32: z.number() })),
  packed: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
});
/** A document's [record bytes, record CRC-32, cleaned text bytes, cleaned text CRC-32]. */
type PackedEntry = [number, number, number, number];
type LocalManifest = Manifest & { files: Record<string, { bytes: number; crc32: number }>; packed: PackedEntry[] };

const TABLES_FILE = 'retrieval-tables.bin';
const RESIDUES_FILE = 'raw-residues.bin';
const HNSW_FILES = ['hnsw/hnswlib.index', 'hnsw/docstore.json', 'hnsw/args.json'];
const RECORDS_FILE = 'documents.jsonl';
const CLEANED_FILE = 'cleaned.txt';
/** The files of a build checked whole against `files`; the two packed files are checked document by document. */
const WHOLE_FILES = [TABLES_FILE, RESIDUES_FILE, ...HNSW_FILES];

/** What stands before a document's cleaned text in cleaned.txt, so that a reader sees whose text follows. */
const cleanedHeader = (source: string) => `==> ${oneLine(source)} <==\n\n`;
const CLEANED_TRAILER = Buffer.from('\n\n');
const NEWLINE = Buffer.from('\n');

const listsEveryDocument = (manifest: LocalManifest) => manifest.packed.length === manifest.documents.length;

/** Where each document's record and cleaned text lie in the packed files, and how long each file must be. */
interface PackedPlaces {
  records: [number, number][];
  texts: [number, number][];
  recordsBytes: number;
  cleanedBytes: number;
}

/** The places of a manifest whose `packed` lists every document (`listsEveryDocument`). */
function packedPlaces(manifest: LocalManifest): PackedPlaces {
  const places: PackedPlaces = { records: [], texts: [], recordsBytes: 0, cleanedBytes: 0 };
  manifest.documents.forEach((d, i) => {
    const [recordBytes, , textBytes] = manifest.packed[i]!;
    places.records.push([places.recordsBytes, places.recordsBytes + recordBytes]);
    places.recordsBytes += recordBytes + NEWLINE.length;
    const start = places.cleanedBytes + Buffer.byteLength(cleanedHeader(d.source));
    places.texts.push([start, start + textBytes]);
    places.cleanedBytes = start + textBytes + CLEANED_TRAILER.length;
  });
  return places;
}

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

/** A build's two packed files as read at open, every document's part of them checked against the manifest. */
interface PackedFiles {
  records: Buffer;
  cleaned: Buffer;
  places: PackedPlaces;
}

/**
 * The packed records and cleaned texts, each document's part checked against the manifest; or the name of the first
 * part that is missing or altered.
 */
async function readPacked(dir: string, manifest: LocalManifest): Promise<PackedFiles | { damaged: string }> {
  if (!listsEveryDocument(manifest)) return { damaged: 'its list of packed documents' };
  const places = packedPlaces(manifest);
  const [records, cleaned] = await Promise.all([RECORDS_FILE, CLEANED_FILE].map((name) => readFile(join(dir, name)).catch(() => null)));
  if (records?.length !== places.recordsBytes) return { damaged: RECORDS_FILE };
  if (cleaned?.length !== places.cleanedBytes) return { damaged: CLEANED_FILE };
  for (const [i, d] of manifest.documents.entries()) {
    const [, recordCrc, , textCrc] = manifest.packed[i]!;
    if (crc32(records.subarray(...places.records[i]!)) !== recordCrc) return { damaged: `the record of ${oneLine(d.source)} in ${RECORDS_FILE}` };
    if (crc32(cleaned.subarray(...places.texts[i]!)) !== textCrc) return { damaged: `the cleaned text of ${oneLine(d.source)} in ${CLEANED_FILE}` };
  }
  return { records, cleaned, places };
}

/**
 * Checks every part of the build against the manifest and returns the tables file's bytes and the packed records and
 * texts. Damaged tables are not fatal (`tablesDamage` says why: they are rebuilt from the records); any other damaged
 * part is.
 */
async function verifiedBuild(
  dir: string,
  manifest: LocalManifest,
  damaged: (name: string) => Error,
): Promise<{ tables: Buffer | null; tablesDamage?: string; packed: PackedFiles }> {
  let tables: Buffer | null = null;
  let tablesDamage: string | undefined;
  await mapInFlight(WHOLE_FILES, async (name) => {
    const bytes = await readFile(join(dir, name)).catch(() => null);
    if (name === TABLES_FILE) {
      if (intact(bytes, manifest.files[name])) tables = bytes;
      else tablesDamage = bytes ? 'checksum mismatch' : 'missing';
    } else if (!intact(bytes, manifest.files[name])) throw damaged(name);
  });
  const packed = await readPacked(dir, manifest);
  if ('damaged' in packed) throw damaged(packed.damaged);
  return tablesDamage ? { tables: null, tablesDamage, packed } : { tables, packed };
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
  const { tables, tablesDamage, packed } = await verifiedBuild(dir, manifest, damaged);
  const vectors = await HNSWLib.load(join(dir, 'hnsw'), embedder.forQueries(manifest.embedderState));
  vectors.index.setEf(manifest.hnsw.efSearch);
  const numbers = new Map(manifest.documents.map((d, i) => [d.source, i]));
  // Cut from the packed files when asked (checked at open, held in memory): most answers read a few documents.
  const textOf = (i: number) => packed.cleaned.toString('utf8', ...packed.places.texts[i]!);
  const records = async (sources?: string[]) => {
    const wanted = sources ? new Set(sources) : null;
    return manifest.documents.flatMap((d, i) => {
      if (wanted && !wanted.has(d.source)) return [];
      const stored = JSON.parse(packed.records.toString('utf8', ...packed.places.records[i]!)) as StoredRecord;
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
  const indexFile = join(dir, 'hnsw', 'hnswlib.index');
  if (!intact(residues, manifest.files[RESIDUES_FILE]) || !intact(await readFile(indexFile).catch(() => null), manifest.files['hnsw/hnswlib.index'])) return none;
  if (!listsEveryDocument(manifest)) return none;
  const places = packedPlaces(manifest);
  const records = await readFile(join(dir, RECORDS_FILE)).catch(() => null);
  if (records?.length !== places.recordsBytes) return none;
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
    const bytes = records.subarray(...places.records[i]!);
    if (crc32(bytes) !== manifest.packed[i]![1]) continue;
    const stored = JSON.parse(bytes.toString('utf8')) as StoredRecord;
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
      const build = join(indexDir, 'builds', `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`);
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

/** Chunks added to the HNSW graph at a time while a build is finished: the finished vectors of one batch are held. */
const HNSW_BATCH = 1024;

/** Bytes gathered before an append to a packed file: a few dozen appends at 100,000 chunks. */
const PACKED_FLUSH_BYTES = 4 * 1048576;

/** A file of the build written from first to last byte in appends of a few megabytes. */
class PackedFile {
  private parts: Buffer[] = [];
  private gathered = 0;
  constructor(private readonly path: string) {}

  async append(...data: Buffer[]): Promise<void> {
    this.parts.push(...data);
    for (const d of data) this.gathered += d.length;
    if (this.gathered >= PACKED_FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    const data = Buffer.concat(this.parts);
    this.parts = [];
    this.gathered = 0;
    await appendFile(this.path, data);
  }
}

/**
 * A build written as its documents come: each document's record and cleaned text appended to the packed files, its
 * share of the tables and of the embedder's corpus-level fit counted, its raw vectors kept (8 bytes a number: 80 MB
 * at 100,000 chunks of 100 dimensions); the vectors, tables and manifest once every document is in.
 */
class BuildWriter {
  private raw = new Float64Array(0);
  private chunks = 0;
  private readonly ids: string[] = [];
  private readonly fit: StateFit;
  private readonly records: PackedFile;
  private readonly cleaned: PackedFile;
  private readonly packed: PackedEntry[] = [];

  private constructor(
    private readonly dir: string,
    private readonly embedder: CorpusEmbedder,
    private readonly tables: TablesBuilder,
  ) {
    this.fit = embedder.fitState();
    this.records = new PackedFile(join(dir, RECORDS_FILE));
    this.cleaned = new PackedFile(join(dir, CLEANED_FILE));
  }

  static async start(dir: string, embedder: CorpusEmbedder, tables: TablesBuilder): Promise<BuildWriter> {
    await mkdir(dir, { recursive: true });
    return new BuildWriter(dir, embedder, tables);
  }

  async add(doc: AssembledDocument): Promise<void> {
    const record = Buffer.from(JSON.stringify(storedRecord(doc)));
    const text = Buffer.from(doc.text);
    this.packed.push([record.length, crc32(record), text.length, crc32(text)]);
    await this.records.append(record, NEWLINE);
    await this.cleaned.append(Buffer.from(cleanedHeader(doc.source)), text, CLEANED_TRAILER);
    this.tables.add(doc, doc.tables);
    const d = this.embedder.dimensions;
    const needed = (this.chunks + doc.chunks.length) * d;
    if (needed > this.raw.length) {
      const grown = new Float64Array(Math.max(needed, 2 * this.raw.length));
      grown.set(this.raw);
      this.raw = grown;
    }
    this.raw.set(doc.raw, this.chunks * d);
    for (let i = 0; i < doc.chunks.length; i++) this.fit.add(doc.raw.subarray(i * d, (i + 1) * d));
    this.chunks += doc.chunks.length;
    for (const c of doc.chunks) this.ids.push(c.id);
  }

  async finish(documents: Manifest['documents'], corpus: Manifest['corpus'], stories: Story[]): Promise<void> {
    // The packed files' order is the manifest's: what an open reads each document's part by.
    if (documents.length !== this.packed.length) throw new Error(`${documents.length} documents for ${this.packed.length} packed records`);
    await this.records.flush();
    await this.cleaned.flush();
    const { dir, embedder, chunks } = this;
    const d = embedder.dimensions;
    const state = this.fit.state();
    const finisher = embedder.finisher(state);
    const index = new hnswlib.HierarchicalNSW('cosine', d);
    index.initIndex(Math.max(1, chunks), HNSW_PARAMS.M, HNSW_PARAMS.efConstruction, 100);
    const store = new HNSWLib(embedder.forQueries(state), { space: 'cosine', numDimensions: d, index });
    const residues = new Float64Array(chunks * embedder.residueLength);
    for (let first = 0; first < chunks; first += HNSW_BATCH) {
      const vectors: number[][] = [];
      const docs: Document[] = [];
      for (let n = first; n < Math.min(chunks, first + HNSW_BATCH); n++) {
        const raw = Array.from(this.raw.subarray(n * d, (n + 1) * d));
        vectors.push(finisher.finish(raw));
        residues.set(finisher.residue(raw), n * embedder.residueLength);
        // Retrieval reads only the chunk id of a dense hit; the texts are the cleaned documents'.
        docs.push(new Document({ pageContent: '', metadata: { id: this.ids[n]! } }));
      }
      await store.addVectors(vectors, docs);
    }
    store.index.setEf(HNSW_PARAMS.efSearch);
    await store.save(join(dir, 'hnsw'));
    await writeFile(join(dir, RESIDUES_FILE), new Uint8Array(residues.buffer));
    await writeFile(join(dir, TABLES_FILE), this.tables.encode());
    const manifest: LocalManifest = {
      ...newManifest(documents, embedder, state, corpus, stories),
      files: await fileDigests(dir, WHOLE_FILES),
      packed: this.packed,
    };
    // Unindented: the manifest is read at every open, and indentation was a fifth of it (BBC archive: 1.42 → 1.10 MB).
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }
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
  async changed(loaded: LoadedIndex): Promise<boolean> {
    return (await liveBuildChanged(this.indexDir, loaded.version)) !== null;
  }
}
