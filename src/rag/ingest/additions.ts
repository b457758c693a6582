/**
 * Files added to the corpus from outside the server (an upload in chat): judged by the rules the corpus applies to
 * files on disk (load.ts), refused when an indexed document already holds the same bytes, and saved under a safe
 * name inside the corpus, never over an existing file unless asked to.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { CorpusFileError } from '../errors.js';
import type { AddedDocument, AddReport, IngestReport, NewDocument, Placeholder } from '../types.js';
import { readBytes } from './load.js';

/** A file name long enough for any headline, short enough for every file system (255 bytes) with room to spare. */
const MAX_NAME_BYTES = 120;
/** A folder segment: letters or digits first, then also spaces, dots, dashes and underscores. */
const FOLDER_SEGMENT = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;
/** Folders nest this deep at most: enough for "region/year/topic". */
const MAX_FOLDER_DEPTH = 3;

/** The corpus subfolder as given, checked: names separated by "/", nothing that climbs out or hides. */
export function safeFolder(folder: string): string {
  const segments = folder.trim().replace(/^\/+|\/+$/g, '').split('/').map((s) => s.trim());
  const valid = segments.length <= MAX_FOLDER_DEPTH && segments.every((s) => FOLDER_SEGMENT.test(s) && !/^\.+$/.test(s));
  if (!valid) {
    throw new CorpusFileError(
      `the folder "${folder}" is not a safe folder name: use up to ${MAX_FOLDER_DEPTH} names of letters, digits, spaces, dots, dashes or underscores separated by "/", such as africa or africa/2024`,
    );
  }
  return segments.join('/');
}

/**
 * A name that stays where it is put: the last part of what was given (no folders, so no "../"), characters other
 * than letters, digits, spaces, dots, dashes, underscores and brackets made "_", no leading dot, at most
 * MAX_NAME_BYTES with its extension kept.
 */
export function safeFileName(name: string): string {
  const base = name.normalize('NFC').split(/[\\/]/).at(-1) ?? '';
  const extension = extname(base).toLowerCase().replace(/[^a-z0-9.]/g, '');
  let stem = base
    .slice(0, base.length - extname(base).length)
    .replace(/[^\p{L}\p{N} ._()-]+/gu, '_')
    .replace(/^[\s.]+/, '')
    .trim();
  while (Buffer.byteLength(stem + extension) > MAX_NAME_BYTES) stem = [...stem].slice(0, -1).join('');
  return `${stem || 'document'}${extension}`;
}

export interface SavedAddition {
  name: string;
  /** Where it was saved, relative to the corpus: its name as a source. */
  source: string;
  replaced: boolean;
}

export interface RefusedAddition {
  name: string;
  reason: string;
}

/** Whether `path` exists, and is a link (never written through). */
async function existing(path: string): Promise<'none' | 'file' | 'link'> {
  const info = await lstat(path).catch(() => null);
  return !info ? 'none' : info.isSymbolicLink() ? 'link' : 'file';
}

/**
 * Saves the acceptable files into `corpusDir`/`folder` and says why each other one was refused. `indexed` maps the
 * sha256 of every indexed document to its name, so a file already in the corpus under any name is refused.
 */
export async function saveAdditions(
  corpusDir: string,
  files: NewDocument[],
  options: { folder?: string; replace?: boolean; indexed: Map<string, string> },
): Promise<{ saved: SavedAddition[]; refused: RefusedAddition[] }> {
  const folder = options.folder ? safeFolder(options.folder) : '';
  const target = join(corpusDir, folder);
  // Each folder on the way must be a real folder of the corpus: a link could lead the files out of it.
  const segments = folder ? folder.split('/') : [];
  for (let depth = 1; depth <= segments.length; depth++) {
    const info = await lstat(join(corpusDir, ...segments.slice(0, depth))).catch(() => null);
    if (info && !info.isDirectory()) throw new CorpusFileError(`${segments.slice(0, depth).join('/')} in the corpus is not a folder`);
  }
  await mkdir(target, { recursive: true });
  if (relative(await realpath(corpusDir), await realpath(target)) !== folder) {
    throw new CorpusFileError(`the folder "${folder}" leads outside the corpus`);
  }
  const saved: SavedAddition[] = [];
  const refused: RefusedAddition[] = [];
  const seen = new Map(options.indexed);
  for (const file of files) {
    const name = safeFileName(file.name);
    const source = folder ? `${folder}/${name}` : name;
    const read = await readBytes(source, file.bytes);
    if (!('sha256' in read)) {
      refused.push({ name: file.name, reason: read.reason });
      continue;
    }
    const twin = seen.get(read.sha256);
    if (twin) {
      refused.push({ name: file.name, reason: `the same text as ${twin}, which is already in the corpus` });
      continue;
    }
    const path = join(target, name);
    const present = await existing(path);
    if (present === 'link') {
      refused.push({ name: file.name, reason: `${source} is a link in the corpus; it is never written through` });
      continue;
    }
    if (present === 'file' && !options.replace) {
      refused.push({ name: file.name, reason: `a file named ${source} is already in the corpus (add it with replace:true to overwrite it)` });
      continue;
    }
    // Written beside its place and renamed into it: an ingest running meanwhile reads the old file or the new, whole.
    const temporary = join(target, `.adding-${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(temporary, file.bytes, { flag: 'wx' });
      await rename(temporary, path);
    } catch (e) {
      await rm(temporary, { force: true });
      throw e;
    }
    seen.set(read.sha256, source);
    saved.push({ name: file.name, source, replaced: present === 'file' });
  }
  return { saved, refused };
}

/** What the live index says of a document: enough to tell whoever added it how it was read. */
interface IndexedDocument {
  title: string;
  date?: string;
  chunks: number;
  placeholders: Placeholder[];
}

/**
 * Each file handed in, saved ones first: added (or replaced) with its title, date, chunks and placeholders as the
 * new index holds it, or refused with the reason (one the ingest gave, should it have skipped a saved file).
 */
export function additionReport(
  additions: { saved: SavedAddition[]; refused: RefusedAddition[] },
  ingest: IngestReport | null,
  indexed: ReadonlyMap<string, IndexedDocument>,
): AddReport {
  const saved = additions.saved.map((file): AddedDocument => {
    const doc = indexed.get(file.source);
    if (!doc) return { name: file.name, status: 'refused', reason: ingest?.documents.find((d) => d.source === file.source)?.warning ?? 'not indexed' };
    const { title, date, chunks, placeholders } = doc;
    return { name: file.name, status: file.replaced ? 'replaced' : 'added', source: file.source, title, ...(date ? { date } : {}), chunks, placeholders };
  });
  return { documents: [...saved, ...additions.refused.map((r): AddedDocument => ({ ...r, status: 'refused' }))], ingest };
}
