/**
 * What an ingest costs and what it leaves on disk: throughput and peak memory of a full build from nothing in a fresh
 * process, and the build's size against the cleaned text it holds (`npm run bench:ingest`).
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { statCorpus } from '../rag/ingest/load.js';

/** A build's bytes on disk by part, and the cleaned text it holds. */
export interface BuildSize {
  /** Every file of the live build, manifest included. */
  total: number;
  /** By top-level entry: hnswlib.index, retrieval-tables.bin, raw-residues.bin, documents.jsonl, cleaned.txt, manifest.json. */
  parts: Record<string, number>;
  /** The cleaned text of every document (cleaned.txt without the lines naming each): what the goal compares the build with. */
  cleanedText: number;
}

async function bytesUnder(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

export async function buildSize(indexDir: string): Promise<BuildSize> {
  const build = join(indexDir, await readlink(join(indexDir, 'current')));
  const parts: Record<string, number> = {};
  for (const name of await readdir(build)) parts[name] = await bytesUnder(join(build, name));
  // The manifest lists each document's packed parts as [record bytes, record CRC, text bytes, text CRC].
  const { packed } = JSON.parse(await readFile(join(build, 'manifest.json'), 'utf8')) as { packed: number[][] };
  const cleanedText = packed.reduce((sum, entry) => sum + entry[2]!, 0);
  return { total: Object.values(parts).reduce((a, b) => a + b, 0), parts, cleanedText };
}

/** Bytes of every file of a corpus, as ingest reads it (subfolders included). */
export async function corpusBytes(corpusDir: string): Promise<{ files: number; bytes: number }> {
  const stats = Object.values(await statCorpus(corpusDir));
  return { files: stats.length, bytes: stats.reduce((n, s) => n + s.size, 0) };
}

/** One ingest in a fresh process: wall time of the ingest alone (the embedder loaded before), peak RSS of the process. */
export interface IngestRun {
  ms: number;
  chunks: number;
  peakRssMB: number;
  /** One-minute load average before and after the run: the machine is shared, so figures are read beside it. */
  loadBefore: number;
  loadAfter: number;
}

export const loadAverage = () => Math.round(os.loadavg()[0]! * 100) / 100;
