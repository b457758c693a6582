/**
 * `npm run bench -- [--quick] [--json] [--scale N[,N…]] [--store hnsw|chroma] [--chart FILE]`: speed and scale figures.
 * Measurement lives in src/measure/benchmark.ts; this file parses arguments, orders the runs and prints. With
 * `--store chroma` it measures the Chroma server at CHROMA_URL beside HNSW at every scale (start one with
 * `npx chroma run`; each scale writes a collection of its own and deletes it afterwards).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import { loadConfig } from '../src/config.js';
import {
  indexedChunks,
  measureBatch,
  measureColdAsk,
  measureIngest,
  measureLoads,
  measureOpen,
  measureQuestions,
  measureScale,
  peakRssMB,
  runProcess,
  writeSyntheticCorpus,
  type BatchCost,
  type ColdAsk,
  type IngestThroughput,
  type Latency,
  type OpenFigures,
  type ScaleResult,
} from '../src/measure/benchmark.js';
import { createEmbedder, type CorpusEmbedder } from '../src/rag/embedding/corpus-embedder.js';
import { Engine } from '../src/rag/engine.js';
import { readQuestions } from '../src/measure/evaluate.js';
import { HNSW_PARAMS } from '../src/rag/index/contract.js';
import { LocalIndexStore } from '../src/rag/index/hnsw-store.js';
import { retrievalTablesFile } from '../src/rag/search/document-work.js';
import { paraphrases } from '../src/measure/synthetic.js';
import { command, EXIT_INVALID, notice, parseArguments, runCli, table } from './cli.js';

const EVAL_QUESTIONS = 'eval/questions.jsonl';
const DEV_QUESTIONS = 'eval/dev-questions.jsonl';
const COLD_QUESTION = 'What did Lavrov discuss in Mali?';
const LOAD_AT_START = Math.round(os.loadavg()[0]! * 100) / 100;

/** Repetitions and sizes of a full run and of --quick (which must finish within two minutes). */
const PLANS = {
  full: { scale: [10_000, 100_000], ingestRuns: 3, loadRuns: 5, coldRuns: 5, batchQuestions: 100, batchRuns: 2, syntheticIngestChunks: 3_000, warmup: 20, answerQueries: 100 },
  quick: { scale: [2_000], ingestRuns: 1, loadRuns: 2, coldRuns: 2, batchQuestions: 30, batchRuns: 1, syntheticIngestChunks: 300, warmup: 10, answerQueries: 100 },
};
/** Goals of the scale issue at 100,000 chunks. */
const GOALS = { recallAt10: 0.95, speedup: 10, answerP95Ms: 100 };
const STORES = ['hnsw', 'chroma'] as const;
type StoreKind = (typeof STORES)[number];

function sizes(value: string, previous: number[] = []): number[] {
  const parsed = value.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (parsed.some((n) => !Number.isInteger(n) || n < 100 || n > 2_000_000)) {
    throw new InvalidArgumentError('give whole numbers of chunks between 100 and 2,000,000, e.g. --scale 10000,100000');
  }
  return [...previous, ...parsed];
}

/**
 * Each scale runs in a process of its own (its ingest's memory is its own), with a heap large enough for ingesting
 * 100,000 chunks (Node's default limit is about 4 GB).
 */
const WORKER_HEAP_MB = Math.min(16_384, Math.floor((os.totalmem() / 1048576) * 0.7));

async function scaleInWorker(total: number, quick: boolean, chromaUrl?: string): Promise<ScaleResult> {
  const args = [
    `--max-old-space-size=${WORKER_HEAP_MB}`,
    ...['--import', 'tsx', 'scripts/bench.ts', '--scale-worker', String(total)],
    ...(quick ? ['--quick'] : []),
    ...(chromaUrl ? ['--chroma-url', chromaUrl] : []),
  ];
  const run = await runProcess(process.execPath, args, process.env, { showProgress: true });
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as ScaleResult;
}

/** Opening the index at `indexDir` and answering, in a fresh process with the default heap (as `npm run ask`). */
async function openInWorker(corpusDir: string, indexDir: string, quick: boolean): Promise<OpenFigures> {
  const args = ['--import', 'tsx', 'scripts/bench.ts', '--open-worker', ...(quick ? ['--quick'] : [])];
  const run = await runProcess(process.execPath, args, { ...process.env, CORPUS_DIR: corpusDir, INDEX_DIR: indexDir }, { showProgress: true });
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as OpenFigures;
}

/** The worker's side: the real corpus indexed afresh (its chunks are the material), then the corpus at scale. */
async function scaleWorker(total: number, quick: boolean, embedder: CorpusEmbedder, corpusDir: string, indexDir: string, chromaUrl?: string) {
  const plan = PLANS[quick ? 'quick' : 'full'];
  await new LocalIndexStore(corpusDir, indexDir, embedder, retrievalTablesFile).ingest();
  const { questions } = await questionSets();
  return measureScale({
    embedder,
    corpusDir,
    material: await indexedChunks(corpusDir, indexDir, embedder),
    total,
    questions,
    coldQuestion: COLD_QUESTION,
    coldRuns: plan.coldRuns,
    openWorker: (corpus, index) => openInWorker(corpus, index, quick),
    chromaUrl,
    onProgress: notice,
  });
}

async function questionSets() {
  const evalQuestions = await readQuestions(EVAL_QUESTIONS);
  const extra = existsSync(DEV_QUESTIONS) ? await readQuestions(DEV_QUESTIONS) : [];
  return { evalQuestions, questions: paraphrases([...evalQuestions, ...extra].map((q) => q.question)) };
}

const ms = (x: number) => `${x.toLocaleString('en', { maximumFractionDigits: 2 })} ms`;
const lat = (l: Latency) => `p50 ${ms(l.p50)} · p95 ${ms(l.p95)} · p99 ${ms(l.p99)} (n=${l.n})`;
const mb = (bytes: number) => (bytes < 1048576 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1048576).toFixed(1)} MB`);

function machine() {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    /** Other work on the machine skews every timing; the 1-minute load average when the run started and ended. */
    loadAverage: { start: LOAD_AT_START, end: Math.round(os.loadavg()[0]! * 100) / 100 },
  };
}

interface BenchResult {
  machine: ReturnType<typeof machine>;
  command: string;
  plan: string;
  store: string;
  hnsw: typeof HNSW_PARAMS;
  embedderLoadMs: number;
  indexLoadMs: number;
  /** Opening the five articles' index and answering in a fresh process. */
  open: OpenFigures;
  coldAsk: ColdAsk;
  batch: BatchCost;
  perQuestion: Latency;
  ingest: IngestThroughput;
  syntheticIngest: IngestThroughput;
  peakRssMB: { serving: number; overall: number };
  scale: ScaleResult[];
  verdicts: string[];
  totalSeconds: number;
}

function scaleVerdicts(results: ScaleResult[]): string[] {
  const largest = results[results.length - 1];
  if (!largest) return [];
  const at = `at ${largest.chunks.toLocaleString('en')} chunks${largest.chunks < 100_000 ? ' (the goals are set for 100,000)' : ''}`;
  const verdict = (met: boolean) => (met ? 'meets' : 'MISSES');
  const chroma = largest.chroma;
  return [
    `recall@10 ${largest.recallAt10} ${verdict(largest.recallAt10 >= GOALS.recallAt10)} the goal ≥ ${GOALS.recallAt10} ${at}`,
    `HNSW is ${largest.speedup}× faster than brute force (p50), ${verdict(largest.speedup >= GOALS.speedup)} the goal ≥ ${GOALS.speedup}× ${at}`,
    `answer path p95 ${ms(largest.answerPath.p95)} ${verdict(largest.answerPath.p95 < GOALS.answerP95Ms)} the goal < ${GOALS.answerP95Ms} ms ${at}`,
    ...(chroma
      ? [
          `Chroma recall@10 ${chroma.recallAt10} ${verdict(chroma.recallAt10 >= GOALS.recallAt10)} the goal ≥ ${GOALS.recallAt10} ${at}`,
          `Chroma is ${chroma.speedup}× faster than in-process brute force (p50, HTTP round trip included), ${verdict(chroma.speedup >= GOALS.speedup)} the goal ≥ ${GOALS.speedup}× ${at}`,
        ]
      : []),
  ];
}

/** Latency p95 and recall@10 against N, as a small two-panel SVG. */
function chart(results: ScaleResult[], p: typeof HNSW_PARAMS): string {
  const W = 360;
  const H = 240;
  const pad = { l: 56, r: 16, t: 34, b: 44 };
  const ns = results.map((r) => r.chunks);
  const logN = ns.map(Math.log10);
  const [nMin, nMax] = [Math.min(...logN) - 0.15, Math.max(...logN) + 0.15];
  const x = (n: number) => pad.l + ((Math.log10(n) - nMin) / (nMax - nMin)) * (W - pad.l - pad.r);
  const panel = (dx: number, title: string, yLabel: string, y: (v: number) => number, ticks: [number, string][], series: { name: string; color: string; dashed?: boolean; values: number[] }[], goal?: { value: number; label: string }) => {
    const parts = [`<g transform="translate(${dx},0)">`, `<text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${title}</text>`];
    parts.push(`<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#333"/>`, `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#333"/>`);
    for (const [v, label] of ticks) parts.push(`<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${pad.l - 6}" y="${y(v) + 4}" text-anchor="end">${label}</text>`);
    for (const n of ns) parts.push(`<text x="${x(n)}" y="${H - pad.b + 16}" text-anchor="middle">${n.toLocaleString('en')}</text>`);
    parts.push(`<text x="${(W + pad.l) / 2}" y="${H - 8}" text-anchor="middle">chunks (log scale)</text>`);
    parts.push(`<text transform="translate(14,${(H - pad.b + pad.t) / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`);
    if (goal) parts.push(`<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(goal.value)}" y2="${y(goal.value)}" stroke="#c00" stroke-dasharray="4 3"/><text x="${W - pad.r}" y="${y(goal.value) - 4}" text-anchor="end" fill="#c00">${goal.label}</text>`);
    series.forEach((s, i) => {
      const points = s.values.map((v, j) => `${x(ns[j]!)},${y(v)}`);
      parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      for (const p of points) parts.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="3" fill="${s.color}"/>`);
      parts.push(`<rect x="${pad.l}" y="${H + 6 + i * 14}" width="10" height="3" fill="${s.color}"/><text x="${pad.l + 14}" y="${H + 11 + i * 14}">${s.name}</text>`);
    });
    parts.push('</g>');
    return parts.join('\n');
  };
  const chroma = results.every((r) => r.chroma) ? results.map((r) => r.chroma!) : [];
  // One 14-px legend line per series of the fuller panel.
  const LEGEND = 14 * (chroma.length ? 4 : 3) + 2;
  const latencies = results.flatMap((r) => [r.hnswQuery.p95, r.bruteForceQuery.p95, r.answerPath.p95, GOALS.answerP95Ms, ...(r.chroma ? [r.chroma.query.p95] : [])]);
  const [lo, hi] = [Math.floor(Math.log10(Math.max(0.01, Math.min(...latencies)))), Math.ceil(Math.log10(Math.max(...latencies)))];
  const yLat = (v: number) => H - pad.b - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo || 1)) * (H - pad.b - pad.t);
  const latTicks: [number, string][] = [];
  for (let e = lo; e <= hi; e++) latTicks.push([10 ** e, `${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)}`]);
  const rLo = Math.min(0.9, ...[...results.map((r) => r.recallAt10), ...chroma.map((c) => c.recallAt10)].map((v) => Math.floor(v * 20) / 20));
  const yRec = (v: number) => H - pad.b - ((v - rLo) / (1 - rLo)) * (H - pad.b - pad.t);
  const recTicks: [number, string][] = [];
  for (let v = rLo; v <= 1.0001; v += 0.025) recTicks.push([v, v.toFixed(3)]);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + LEGEND + 20}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="white"/>',
    panel(0, 'Latency p95 (ms, log scale)', 'ms', yLat, latTicks, [
      { name: 'answer path (retrieval + composition)', color: '#1f77b4', values: results.map((r) => r.answerPath.p95) },
      { name: 'brute-force k=10', color: '#d62728', values: results.map((r) => r.bruteForceQuery.p95) },
      { name: 'HNSW k=10', color: '#2ca02c', values: results.map((r) => r.hnswQuery.p95) },
      ...(chroma.length ? [{ name: 'Chroma server k=10 (HTTP on loopback)', color: '#9467bd', dashed: true, values: chroma.map((c) => c.query.p95) }] : []),
    ], { value: GOALS.answerP95Ms, label: `goal ${GOALS.answerP95Ms} ms` }),
    panel(W, 'Recall@10 vs exact search', 'recall@10', yRec, recTicks, [
      { name: 'HNSW (local index)', color: '#2ca02c', values: results.map((r) => r.recallAt10) },
      ...(chroma.length ? [{ name: 'Chroma server (dashed; on HNSW where equal)', color: '#9467bd', dashed: true, values: chroma.map((c) => c.recallAt10) }] : []),
    ], { value: GOALS.recallAt10, label: `goal ${GOALS.recallAt10}` }),
    `<text x="${W}" y="${H + LEGEND + 14}" text-anchor="middle" fill="#555">HNSW M=${p.M}, efConstruction=${p.efConstruction}, efSearch=${p.efSearch}; npm run bench</text>`,
    '</svg>',
  ].join('\n');
}

/** A figure a result saved by an earlier version of this bench (`--from`) does not hold. */
const NOT_MEASURED = '—';

/** How opening grows between consecutive scales: the factor of chunks against the factors of time and memory. */
function growth(results: ScaleResult[]): string[] {
  const factor = (a: number, b: number) => `×${(b / Math.max(a, 1)).toFixed(2)}`;
  const measured = results.filter((r) => r.openMs);
  return measured.slice(1).map((r, i) => {
    const p = measured[i]!;
    return (
      `growth ${p.chunks.toLocaleString('en')} → ${r.chunks.toLocaleString('en')} chunks (${factor(p.chunks, r.chunks)}): ` +
      `engine open ${factor(p.openMs, r.openMs)}, cold ask ${factor(p.coldAsk.medianMs, r.coldAsk.medianMs)}, RSS ${factor(p.peakRssMB, r.peakRssMB)}`
    );
  });
}

/** A difference of two process runs: under load, start-up jitter can exceed the cost being measured. */
const furtherQuestion = (x: number) => (x < 0 ? `${ms(x)} (start-up jitter exceeds the cost; see the engine timings)` : ms(x));

function printResult(result: BenchResult): void {
  const m = result.machine;
  console.log(`Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGB} GB, Node ${m.node}, ${m.platform}; load average ${m.loadAverage.start} → ${m.loadAverage.end}`);
  console.log(`Command: ${result.command}   HNSW M=${result.hnsw.M} efConstruction=${result.hnsw.efConstruction} efSearch=${result.hnsw.efSearch}\n`);
  console.log(
    table([
      ['measure', 'value'],
      ['embedder load (median)', ms(result.embedderLoadMs)],
      ['index load: store and retrieval tables (median)', ms(result.indexLoadMs)],
      ['engine open in a fresh process, as npm run ask (corpus check included)', result.open ? ms(result.open.openMs) : NOT_MEASURED],
      ['peak RSS of that process after answering every question', result.open ? `${result.open.peakRssMB} MB` : NOT_MEASURED],
      [`cold ask, node scripts/launch.mjs scripts/ask.ts --json (median of ${result.coldAsk.runs.length})`, `${ms(result.coldAsk.medianMs)} [${result.coldAsk.runs.join(', ')}]`],
      [`ask --batch: each further question, wall time (${result.batch.questions} vs 1)`, furtherQuestion(result.batch.perFurtherQuestionMs)],
      [`ask --batch: engine timings.totalMs of questions 2…${result.batch.questions}`, lat(result.batch.engineMs)],
      [`per question in one process`, lat(result.perQuestion)],
      [`ingest of the corpus (${result.ingest.files} files, ${mb(result.ingest.bytes)})`, `${ms(result.ingest.ms)}: ${result.ingest.mbPerS} MB/s, ${result.ingest.chunksPerS} chunks/s`],
      [
        `ingest of a synthetic corpus (${result.syntheticIngest.files} files, ${mb(result.syntheticIngest.bytes)})`,
        `${ms(result.syntheticIngest.ms)}: ${result.syntheticIngest.mbPerS} MB/s, ${result.syntheticIngest.chunksPerS} chunks/s`,
      ],
      ['peak RSS serving the corpus / whole bench', `${result.peakRssMB.serving} MB / ${result.peakRssMB.overall} MB`],
    ], { figures: true }),
  );
  if (result.scale.length) {
    console.log('\nScale: real on-disk indexes (the articles plus synthetic ones), each opened cold in a fresh process');
    console.log(
      table([
        ['chunks', 'ingest', 'index / tables', 'engine open', 'cold ask (median)', 'RSS answering', 'HNSW p50/p95', 'brute p50/p95', 'speed-up', 'recall@10', 'answer p50/p95/p99', 'hit@3', 'facts'],
        ...result.scale.map((r) => [
          r.chunks.toLocaleString('en'),
          r.ingestMs ? ms(r.ingestMs) : NOT_MEASURED,
          r.tablesBytes ? `${mb(r.indexBytes)} / ${mb(r.tablesBytes)}` : mb(r.indexBytes),
          r.openMs ? ms(r.openMs) : NOT_MEASURED,
          r.coldAsk ? `${ms(r.coldAsk.medianMs)} [${r.coldAsk.runs.join(', ')}]` : NOT_MEASURED,
          `${r.peakRssMB} MB`,
          `${r.hnswQuery.p50}/${r.hnswQuery.p95} ms`,
          `${r.bruteForceQuery.p50}/${r.bruteForceQuery.p95} ms`,
          `${r.speedup}×`,
          r.recallAt10.toFixed(3),
          `${r.answerPath.p50}/${r.answerPath.p95}/${r.answerPath.p99} ms`,
          r.quality ? r.quality.hitAt3.toFixed(2) : '',
          r.quality ? r.quality.factCoverage.toFixed(2) : '',
        ]),
      ], { figures: true }),
    );
    for (const line of growth(result.scale)) console.log(line);
    const withChroma = result.scale.filter((r) => r.chroma);
    if (withChroma.length) {
      console.log('\nVector stores on the same vectors and queries (k=10; Chroma through LangChain over HTTP on loopback)');
      console.log(
        table([
          ['chunks', 'brute p50/p95', 'HNSW p50/p95', 'HNSW recall@10', 'Chroma write', 'Chroma p50/p95/p99', 'Chroma speed-up', 'Chroma recall@10'],
          ...withChroma.map((r) => [
            r.chunks.toLocaleString('en'),
            `${r.bruteForceQuery.p50}/${r.bruteForceQuery.p95} ms`,
            `${r.hnswQuery.p50}/${r.hnswQuery.p95} ms`,
            r.recallAt10.toFixed(3),
            ms(r.chroma!.writeMs),
            `${r.chroma!.query.p50}/${r.chroma!.query.p95}/${r.chroma!.query.p99} ms`,
            `${r.chroma!.speedup}×`,
            r.chroma!.recallAt10.toFixed(3),
          ]),
        ], { figures: true }),
      );
    }
    console.log(`\n${result.verdicts.join('\n')}`);
  }
  console.log(`\nTotal ${result.totalSeconds} s`);
}

await runCli(async () => {
  const program = command('bench', 'Measure load times, question latency, ingest throughput and the vector index at synthetic scale.')
    .option('--quick', 'a reduced run (small N, few repetitions) that finishes within two minutes')
    .option('--json', 'print one JSON object')
    .option('--scale <N>', 'chunks in the synthetic corpus; repeat or separate by commas (default 10000,100000; quick 2000)', sizes)
    .addOption(new Option('--store <kind>', 'vector stores to measure at scale: the local HNSW index, or Chroma beside it on the server at CHROMA_URL').choices(STORES).default('hnsw'))
    .option('--chart <file>', 'write a chart of latency and recall against N as SVG')
    .option('--out <file>', 'also write the JSON object to FILE')
    .option('--from <file>', 'print (and chart) a result saved with --out instead of measuring')
    .addOption(new Option('--scale-worker <N>', 'internal: measure one scale and print its JSON').argParser(Number).hideHelp())
    .addOption(new Option('--open-worker', 'internal: open the index at INDEX_DIR, answer, and print the figures as JSON').hideHelp())
    .addOption(new Option('--chroma-url <url>', 'internal: the Chroma server a scale worker measures').hideHelp());
  const exit = parseArguments(program);
  if (exit !== null) return exit;
  const options = program.opts<{
    quick?: boolean;
    json?: boolean;
    scale?: number[];
    store: StoreKind;
    chart?: string;
    out?: string;
    scaleWorker?: number;
    openWorker?: boolean;
    chromaUrl?: string;
    from?: string;
  }>();
  if (program.args.length) {
    notice(`error: unexpected argument ${program.args[0]} (usage: npm run bench -- [--quick] [--json] [--scale N])`);
    return EXIT_INVALID;
  }
  if (options.from) {
    const saved = JSON.parse(await readFile(options.from, 'utf8')) as BenchResult;
    if (options.chart && saved.scale.length) await writeFile(options.chart, chart(saved.scale, saved.hnsw));
    if (options.json) console.log(JSON.stringify(saved));
    else printResult(saved);
    return 0;
  }
  const plan = PLANS[options.quick ? 'quick' : 'full'];
  const scale = options.scale ?? plan.scale;
  const began = performance.now();
  const base = loadConfig();
  if (options.openWorker) {
    const { evalQuestions, questions } = await questionSets();
    console.log(JSON.stringify(await measureOpen({ config: base, questions, evalQuestions, warmup: plan.warmup, answerQueries: plan.answerQueries })));
    return 0;
  }
  const indexDir = await mkdtemp(join(os.tmpdir(), 'bench-index-'));
  const config = { ...base, indexDir };
  const { questions } = await questionSets();

  try {
    if (options.scaleWorker) {
      const embedder = await createEmbedder(config);
      console.log(JSON.stringify(await scaleWorker(options.scaleWorker, !!options.quick, embedder, config.corpusDir, indexDir, options.chromaUrl)));
      return 0;
    }
    notice('bench: ingest of the corpus…');
    const firstEmbedder = await createEmbedder(config, notice);
    const ingest = await measureIngest(config.corpusDir, firstEmbedder, plan.ingestRuns, indexDir);
    notice('bench: load times…');
    const { embedder, ...loads } = await measureLoads(config, plan.loadRuns);
    notice(`bench: ${questions.length} questions in one process…`);
    const engine = await Engine.open(config);
    const perQuestion = await measureQuestions(engine, questions, plan.warmup);
    const servingRssMB = peakRssMB();
    notice('bench: cold ask and --batch in new processes…');
    const coldAsk = await measureColdAsk(COLD_QUESTION, indexDir, plan.coldRuns);
    const batch = await measureBatch(questions.slice(0, plan.batchQuestions), indexDir, plan.batchRuns);
    const open = await openInWorker(config.corpusDir, indexDir, !!options.quick);
    notice(`bench: ingest of a ${plan.syntheticIngestChunks}-chunk synthetic corpus…`);
    const syntheticDir = await writeSyntheticCorpus(await indexedChunks(config.corpusDir, indexDir, embedder), plan.syntheticIngestChunks);
    const syntheticIngest = await measureIngest(syntheticDir, embedder, 1);
    await rm(syntheticDir, { recursive: true, force: true });
    const scaleResults: ScaleResult[] = [];
    const chromaUrl = options.store === 'chroma' ? config.store.chromaUrl : undefined;
    for (const total of scale) {
      notice(`bench: scale ${total.toLocaleString('en')} chunks…`);
      scaleResults.push(await scaleInWorker(total, !!options.quick, chromaUrl));
    }
    const result: BenchResult = {
      machine: machine(),
      command: `npm run bench --${process.argv.slice(2).map((a) => ` ${a}`).join('')}`,
      plan: options.quick ? 'quick' : 'full',
      store: options.store,
      hnsw: HNSW_PARAMS,
      embedderLoadMs: Math.round(loads.embedderMs),
      indexLoadMs: Math.round(loads.indexMs),
      open,
      coldAsk,
      batch,
      perQuestion,
      ingest,
      syntheticIngest,
      peakRssMB: { serving: servingRssMB, overall: peakRssMB() },
      scale: scaleResults,
      verdicts: scaleVerdicts(scaleResults),
      totalSeconds: Math.round((performance.now() - began) / 100) / 10,
    };
    if (options.chart && scaleResults.length) await writeFile(options.chart, chart(scaleResults, HNSW_PARAMS));
    if (options.out) await writeFile(options.out, `${JSON.stringify(result, null, 2)}\n`);
    if (options.json) {
      console.log(JSON.stringify(result));
      return 0;
    }
    printResult(result);
    return 0;
  } finally {
    await rm(indexDir, { recursive: true, force: true });
  }
});
