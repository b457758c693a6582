/**
 * The two packed files of a local build: `documents.jsonl` (each document's record, a line each) and `cleaned.txt`
 * (each document's cleaned text under a line "==> <file name> <==", as `head` prints between files), both in the
 * manifest's order. The manifest lists each document's part of them with its byte length and CRC-32 (a PackedEntry).
 *
 * An open checks every part without holding the files: they are read through one small buffer, because on these
 * machines the memory a whole-file read fills costs more than reading it (a 58 MB file: 460 ms read whole and checked,
 * 45 ms through a 1 MB buffer), and an answer reads a few documents of thousands. Parts are then read when asked,
 * from descriptors kept open for as long as the reader is reachable: a build an ingest removes meanwhile stays
 * readable, and nothing is read that changed since the check (each part is checked again as it is read). Files
 * another library reads itself (hnswlib's) are checked the same way (`fileMatches`).
 */
import { appendFile } from 'node:fs/promises';
import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from 'node:zlib';
import { oneLine } from '../types.js';

export const RECORDS_FILE = 'documents.jsonl';
export const CLEANED_FILE = 'cleaned.txt';

/** A document's [record bytes, record CRC-32, cleaned text bytes, cleaned text CRC-32]. */
export type PackedEntry = [number, number, number, number];

/** What stands before a document's cleaned text in cleaned.txt, so that a reader sees whose text follows. */
const cleanedHeader = (source: string) => `==> ${oneLine(source)} <==\n\n`;
const CLEANED_TRAILER = Buffer.from('\n\n');
const NEWLINE = Buffer.from('\n');

/** Bytes gathered before an append to a packed file: a few dozen appends at 100,000 chunks. */
const FLUSH_BYTES = 4 * 1048576;
/** The buffer an open checks the packed files through. */
const CHECK_BLOCK = 1048576;

/** A file of the build written from first to last byte in appends of a few megabytes. */
class AppendedFile {
  private parts: Buffer[] = [];
  private gathered = 0;
  constructor(private readonly path: string) {}

  async append(...data: Buffer[]): Promise<void> {
    this.parts.push(...data);
    for (const d of data) this.gathered += d.length;
    if (this.gathered >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    const data = Buffer.concat(this.parts);
    this.parts = [];
    this.gathered = 0;
    await appendFile(this.path, data);
  }
}

/** The packed files of a build being written, a document at a time. */
export class PackedWriter {
  private readonly records: AppendedFile;
  private readonly cleaned: AppendedFile;
  /** Each document's entry, in the order added: the manifest's `packed`. */
  readonly entries: PackedEntry[] = [];

  constructor(dir: string) {
    this.records = new AppendedFile(join(dir, RECORDS_FILE));
    this.cleaned = new AppendedFile(join(dir, CLEANED_FILE));
  }

  async add(source: string, record: Buffer, text: Buffer): Promise<void> {
    this.entries.push([record.length, crc32(record), text.length, crc32(text)]);
    await this.records.append(record, NEWLINE);
    await this.cleaned.append(Buffer.from(cleanedHeader(source)), text, CLEANED_TRAILER);
  }

  async finish(): Promise<void> {
    await this.records.flush();
    await this.cleaned.flush();
  }
}

/** A part of a packed file: its [start, end) and CRC-32. */
interface Part {
  start: number;
  end: number;
  crc32: number;
}

/** Where each document's record and cleaned text lie in the packed files, and how long each file must be. */
function packedPlaces(sources: string[], entries: PackedEntry[]) {
  const records: Part[] = [];
  const texts: Part[] = [];
  let recordsBytes = 0;
  let cleanedBytes = 0;
  sources.forEach((source, i) => {
    const [recordBytes, recordCrc, textBytes, textCrc] = entries[i]!;
    records.push({ start: recordsBytes, end: recordsBytes + recordBytes, crc32: recordCrc });
    recordsBytes += recordBytes + NEWLINE.length;
    const start = cleanedBytes + Buffer.byteLength(cleanedHeader(source));
    texts.push({ start, end: start + textBytes, crc32: textCrc });
    cleanedBytes = start + textBytes + CLEANED_TRAILER.length;
  });
  return { records, texts, recordsBytes, cleanedBytes };
}

const readAt = promisify(read);

/** The number of the first part (sorted, not overlapping) whose bytes in the file do not give its CRC-32, or -1. */
async function firstAltered(fd: number, parts: Part[]): Promise<number> {
  const block = Buffer.allocUnsafe(CHECK_BLOCK);
  let blockStart = 0;
  let blockEnd = 0;
  for (const [n, part] of parts.entries()) {
    let sum = 0;
    for (let at = part.start; at < part.end; ) {
      if (at < blockStart || at >= blockEnd) {
        const { bytesRead } = await readAt(fd, block, 0, CHECK_BLOCK, at);
        if (!bytesRead) return n;
        [blockStart, blockEnd] = [at, at + bytesRead];
      }
      const to = Math.min(part.end, blockEnd);
      sum = crc32(block.subarray(at - blockStart, to - blockStart), sum);
      at = to;
    }
    if (sum !== part.crc32) return n;
  }
  return -1;
}

/** True when the file at `path` has the length and CRC-32 `expected`, read through a small buffer. */
export async function fileMatches(path: string, expected: { bytes: number; crc32: number } | undefined): Promise<boolean> {
  if (!expected) return false;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    return fstatSync(fd).size === expected.bytes && (await firstAltered(fd, [{ start: 0, end: expected.bytes, crc32: expected.crc32 }])) < 0;
  } finally {
    closeSync(fd);
  }
}

/** Closes a reader's descriptors once nothing can read through it any more. */
const unreachable = new FinalizationRegistry<number[]>((fds) => {
  for (const fd of fds) closeSync(fd);
});

/**
 * The packed files of a build, opened: each document's record and cleaned text read when asked, by the document's
 * number in the manifest.
 */
export class PackedReader {
  private constructor(
    private readonly sources: string[],
    private readonly places: ReturnType<typeof packedPlaces>,
    private readonly recordsFd: number,
    private readonly cleanedFd: number,
  ) {
    unreachable.register(this, [recordsFd, cleanedFd], this);
  }

  /**
   * Opens the packed files of `dir` for the documents `sources` (the manifest's order) and their `entries`; or names
   * what is missing or of the wrong length.
   */
  static open(dir: string, sources: string[], entries: PackedEntry[]): PackedReader | { damaged: string } {
    if (entries.length !== sources.length) return { damaged: 'its list of packed documents' };
    const places = packedPlaces(sources, entries);
    const fds: number[] = [];
    const close = () => fds.forEach((fd) => closeSync(fd));
    for (const [name, bytes] of [[RECORDS_FILE, places.recordsBytes], [CLEANED_FILE, places.cleanedBytes]] as const) {
      let fd: number;
      try {
        fd = openSync(join(dir, name), 'r');
      } catch {
        close();
        return { damaged: name };
      }
      fds.push(fd);
      if (fstatSync(fd).size !== bytes) {
        close();
        return { damaged: name };
      }
    }
    return new PackedReader(sources, places, fds[0]!, fds[1]!);
  }

  /** Checks every document's record and cleaned text; names the first altered one, or returns null. */
  async altered(): Promise<string | null> {
    const record = await firstAltered(this.recordsFd, this.places.records);
    if (record >= 0) return this.recordName(record);
    const text = await firstAltered(this.cleanedFd, this.places.texts);
    return text >= 0 ? this.textName(text) : null;
  }

  recordName(i: number): string {
    return `the record of ${oneLine(this.sources[i]!)} in ${RECORDS_FILE}`;
  }

  textName(i: number): string {
    return `the cleaned text of ${oneLine(this.sources[i]!)} in ${CLEANED_FILE}`;
  }

  /** The record of document `i` (a line of JSON), or null when its bytes are not those the manifest lists. */
  record(i: number): string | null {
    return this.part(this.recordsFd, this.places.records[i]!);
  }

  /** The cleaned text of document `i`, or null when its bytes are not those the manifest lists. */
  text(i: number): string | null {
    return this.part(this.cleanedFd, this.places.texts[i]!);
  }

  /** Closes the files now rather than when the reader is collected; it reads nothing after. */
  close(): void {
    unreachable.unregister(this);
    closeSync(this.recordsFd);
    closeSync(this.cleanedFd);
  }

  private part(fd: number, part: Part): string | null {
    const bytes = Buffer.allocUnsafe(part.end - part.start);
    let read = 0;
    while (read < bytes.length) {
      const n = readSync(fd, bytes, read, bytes.length - read, part.start + read);
      if (!n) return null;
      read += n;
    }
    return crc32(bytes) === part.crc32 ? bytes.toString('utf8') : null;
  }
}
