/**
 * Files made to stall a parser (issue 20's probe): small markdown and HTML whose parse time grows faster than their
 * size, and one large page that is only a table. `npm run bench:hostile` times each through the file worker and an
 * ingest of the seed articles with it; the hardening tests drop them into a corpus.
 */
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { Engine } from '../rag/engine.js';
import { ingestStopped } from '../rag/errors.js';
import { FileWorker, isSkip } from '../rag/ingest/file-worker.js';

export interface HostileFile {
  /** File name, whose extension picks the parser. */
  name: string;
  text: string;
}

/** A page of one table of about `bytes` bytes: a cargo register, one row per consignment. */
export function tablePage(bytes: number): string {
  const rows: string[] = [];
  for (let n = 0, size = 0; size < bytes; n++) {
    const row = `<tr><td>Consignment ${n}</td><td>${(n * 37) % 9000} tonnes</td><td>Port ${n % 50}</td></tr>\n`;
    rows.push(row);
    size += row.length;
  }
  return `<html><head><title>Cargo register</title></head><body><table><tr><th>Consignment</th><th>Weight</th><th>Port</th></tr>\n${rows.join('')}</table></body></html>`;
}

export function hostileFiles(): HostileFile[] {
  return [
    { name: 'nested-lists.md', text: `${'- '.repeat(10_000)}a\n` },
    { name: 'emphasis.md', text: '*a'.repeat(400_000) },
    { name: 'brackets.md', text: `${'['.repeat(200_000)}${']'.repeat(200_000)}` },
    { name: 'open-links.md', text: '[a](b '.repeat(200_000) },
    { name: 'nested-divs.html', text: `<html><body>${'<div>'.repeat(100_000)}x${'</div>'.repeat(100_000)}</body></html>` },
    { name: 'growing-quotes.md', text: Array.from({ length: 3000 }, (_, i) => `${'>'.repeat(i + 1)} a`).join('\n') },
  ];
}

export interface HostileTiming {
  file: string;
  bytes: number;
  /** Time from handing the file to the worker until it was parsed and cleaned, or skipped. */
  ms: number;
  outcome: string;
}

/** Each file parsed and cleaned by one file worker, as an ingest would. */
export async function timeHostileFiles(files: HostileFile[]): Promise<HostileTiming[]> {
  const worker = new FileWorker();
  const timings: HostileTiming[] = [];
  try {
    // The worker's start (and the parsers' first load) is paid once by an ingest, not by each file.
    await worker.parse('warm-up.md', '.md', '# Warm-up');
    await worker.parse('warm-up.html', '.html', '<p>Warm-up</p>');
    for (const file of files) {
      const began = performance.now();
      const type = file.name.slice(file.name.lastIndexOf('.'));
      const parsed = await worker.parse(file.name, type, file.text);
      const prepared = isSkip(parsed) ? parsed : await worker.prepare(file.name, parsed);
      const outcome = isSkip(prepared) ? `skipped: ${prepared.skipped}` : `read: ${prepared.chunks.length} chunks`;
      timings.push({ file: file.name, bytes: Buffer.byteLength(file.text), ms: Math.round(performance.now() - began), outcome });
    }
  } finally {
    await worker.close();
  }
  return timings;
}

export interface HostileIngest {
  file: string;
  /** The whole ingest of the seed articles with this file dropped in: load, parse, embed, write. */
  ms: number;
  indexed: number;
  outcome: string;
}

/** An ingest of `seedsDir` plus each file in turn, each into a fresh index under `workDir`. */
export async function timeHostileIngests(files: HostileFile[], seedsDir: string, workDir: string, baseConfig: Config): Promise<HostileIngest[]> {
  const results: HostileIngest[] = [];
  for (const [n, file] of files.entries()) {
    const corpusDir = join(workDir, `corpus-${n}`);
    await cp(seedsDir, corpusDir, { recursive: true });
    await writeFile(join(corpusDir, file.name), file.text);
    const config = { ...baseConfig, corpusDir, indexDir: join(workDir, `index-${n}`) };
    const began = performance.now();
    const report = await Engine.ingest(config);
    const ms = Math.round(performance.now() - began);
    const mine = report.documents.find((d) => d.source === file.name);
    const indexed = report.documents.filter((d) => d.status === 'indexed').length;
    results.push({ file: file.name, ms, indexed, outcome: mine?.status === 'skipped' ? `skipped: ${mine.warning}` : `${mine?.status}: ${mine?.chunks} chunks` });
  }
  return results;
}

/**
 * How long an ingest takes to stop once asked (what SIGTERM does), asked `afterMs` into an ingest of `corpusDir`
 * while its worker is busy: the time from the request until the ingest has ended, its lock released.
 */
export async function timeStop(config: Config, afterMs: number): Promise<number> {
  const controller = new AbortController();
  const ingest = Engine.ingest(config, { signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, afterMs));
  const asked = performance.now();
  controller.abort(ingestStopped('a benchmark'));
  await ingest.catch(() => undefined);
  return Math.round(performance.now() - asked);
}
