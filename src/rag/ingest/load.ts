/**
 * Reads the corpus directory safely: regular files only, links followed only when they stay inside the corpus,
 * bounded size, UTF-8 only, markdown and HTML through parsers that know their structure (formats.ts), each in a
 * worker with a time and memory budget (file-worker.ts). A file that cannot be used is skipped with a reason, never
 * fatal to the rest. Subfolders are read too (a file is named by its path in the corpus, "africa/mali.txt"), so a
 * team can sort articles into folders and scope channels by them; a link to a folder is not followed, so no tree
 * can loop.
 */
import { createHash } from 'node:crypto';
import { constants, statSync, type Stats } from 'node:fs';
import { lstat, open, readdir, readFile, realpath, type FileHandle } from 'node:fs/promises';
import { extname, join, relative, isAbsolute } from 'node:path';
import { CorpusFileError } from '../errors.js';
import { MAX_DOCUMENT_BYTES } from '../types.js';
import { FileWorker, isSkip } from './file-worker.js';
import { SUPPORTED_TYPES } from './formats.js';
import { mapInFlight } from './in-flight.js';
import type { ParsedText } from './parsed.js';

export interface CorpusFile extends ParsedText {
  source: string;
  sha256: string;
  bytes: number;
}

export interface SkippedFile {
  source: string;
  reason: string;
}

export interface LoadedCorpus {
  files: CorpusFile[];
  skipped: SkippedFile[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-16 is the one common text encoding that is full of NUL bytes: named, so it is not reported as binary. */
const UTF16_BOMS = [Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])];

/**
 * Opens without following a final symbolic link, and without waiting on a FIFO: the checks below (fstat) and the read
 * are then of one and the same file, even if the name is swapped for a link in between.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** A file's text as read, before its parser sees it. */
export interface TextFile {
  source: string;
  /** Its extension, lower case, with the dot. */
  type: string;
  text: string;
  sha256: string;
  bytes: number;
}

async function readOne(dir: string, realDir: string, name: string): Promise<TextFile | SkippedFile> {
  let path = join(dir, name);
  const skip = (reason: string): SkippedFile => ({ source: name, reason });
  const link = await lstat(path);
  if (link.isSymbolicLink()) {
    const target = await realpath(path).catch(() => null);
    const inside = target && !relative(realDir, target).startsWith('..') && !isAbsolute(relative(realDir, target));
    if (!inside) return skip('symbolic link pointing outside the corpus directory (not followed)');
    // Read what was checked, not the link again: a link swapped after the check cannot lead outside.
    path = target;
  }
  const handle = await open(path, OPEN_FLAGS).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ELOOP') return null;
    throw e;
  });
  if (!handle) return skip('replaced by a symbolic link while being read (not followed)');
  try {
    return await readOpened(handle, name, skip);
  } finally {
    await handle.close();
  }
}

async function readOpened(handle: FileHandle, name: string, skip: (reason: string) => SkippedFile): Promise<TextFile | SkippedFile> {
  const info = await handle.stat();
  if (info.isDirectory()) return skip('a link to a folder (not followed)');
  if (!info.isFile()) return skip('not a regular file');
  // Decided from the size alone, before reading: a huge file never costs its size in memory.
  const refused = refusedBySize(name, info.size);
  if (refused) return skip(refused);
  return readBytes(name, await handle.readFile());
}

/** Why a file of this name and size cannot be read (its type, empty, too large), or null. */
export function refusedBySize(name: string, size: number): string | null {
  const type = extname(name).toLowerCase();
  if (!SUPPORTED_TYPES.has(type)) return `unsupported file type "${type || 'none'}" (use .txt, .md or .html)`;
  if (size === 0) return 'empty file';
  if (size > MAX_DOCUMENT_BYTES) return `too large (${(size / 1048576).toFixed(1)} MB; the limit is ${MAX_DOCUMENT_BYTES / 1048576} MB)`;
  return null;
}

/**
 * A file's bytes as the corpus reads them: the same rules whether the file lies on disk or arrives from a chat
 * (type, size, UTF-16, binary, UTF-8); its parser runs later, in the ingest's file worker.
 */
export async function readBytes(name: string, bytes: Buffer): Promise<TextFile | SkippedFile> {
  const skip = (reason: string): SkippedFile => ({ source: name, reason });
  const refused = refusedBySize(name, bytes.length);
  if (refused) return skip(refused);
  if (UTF16_BOMS.some((bom) => bytes.subarray(0, 2).equals(bom))) return skip('UTF-16 text (save it as UTF-8)');
  if (bytes.includes(0)) return skip('binary file (contains NUL bytes)');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return skip('not valid UTF-8 text');
  }
  return { source: name, type: extname(name).toLowerCase(), text, sha256: sha256Of(bytes), bytes: bytes.length };
}

/** Where files are parsed: a file worker, or a pool of them (file-pool.ts). */
export type FileParser = Pick<FileWorker, 'parse'>;

/** The file through its parser, in `worker`; skipped when its shape or its parse passes the bounds of limits.ts. */
async function parsed(file: TextFile, worker: FileParser, signal?: AbortSignal): Promise<CorpusFile | SkippedFile> {
  const result = await worker.parse(file.source, file.type, file.text, signal);
  if (isSkip(result)) return { source: file.source, reason: result.skipped };
  if (!result.text.trim()) return { source: file.source, reason: 'no text' };
  return { source: file.source, ...result, sha256: file.sha256, bytes: file.bytes };
}

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const missingCorpus = (dir: string) => new CorpusFileError(`corpus directory not found: ${dir} (set CORPUS_DIR)`);

/**
 * Every entry the corpus holds, by its path below `dir` ("mali.txt", "africa/mali.txt"), hidden ones left out:
 * folders are walked (not links to folders, which are reported as such), everything else is listed to be judged.
 */
async function corpusNames(dir: string, folder = ''): Promise<string[]> {
  const entries = await readdir(join(dir, folder), { withFileTypes: true });
  const names: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const name = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) names.push(...(await corpusNames(dir, name)));
    else names.push(name);
  }
  return names.sort();
}

/**
 * Every usable file of the corpus, parsed, and every other one with the reason it is skipped. Parsing runs in
 * `options.worker` (one of its own when none is given); aborting `signal` stops it at once.
 */
export async function loadCorpus(dir: string, options: { worker?: FileParser; signal?: AbortSignal } = {}): Promise<LoadedCorpus> {
  const realDir = await realpath(dir).catch(() => {
    throw missingCorpus(dir);
  });
  const names = await corpusNames(dir);
  const own = options.worker ? null : new FileWorker();
  const worker = options.worker ?? own!;
  const results = await mapInFlight(names, async (name) => {
    const read = await readOne(dir, realDir, name).catch((e: Error): SkippedFile => ({ source: name, reason: `unreadable: ${e.message}` }));
    return 'sha256' in read ? parsed(read, worker, options.signal) : read;
  }).finally(() => own?.close());
  const files: CorpusFile[] = [];
  const skipped: SkippedFile[] = [];
  for (const result of results) {
    if ('sha256' in result) files.push(result);
    else skipped.push(result);
  }
  return { files, skipped };
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** Size and modification time of every entry `loadCorpus` considers (links followed); -1 for one it cannot stat. */
export async function statCorpus(dir: string): Promise<Record<string, { size: number; mtimeMs: number }>> {
  const names = await corpusNames(dir).catch(() => {
    throw missingCorpus(dir);
  });
  const stats: Record<string, { size: number; mtimeMs: number }> = {};
  // One stat after another, on this thread: 5,600 of them took 54 ms so and 204 ms through the thread pool, at every open.
  for (const name of names) {
    const info = statOrNull(join(dir, name));
    stats[name] = { size: info?.size ?? -1, mtimeMs: info?.mtimeMs ?? -1 };
  }
  return stats;
}

/** The sha256 `loadCorpus` would give a file (of its bytes as stored), or null when it cannot be read. */
export async function fileSha256(dir: string, name: string): Promise<string | null> {
  const bytes = await readFile(join(dir, name)).catch(() => null);
  return bytes && sha256Of(bytes);
}
