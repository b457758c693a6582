/**
 * Summary quality on a key-facts set (eval/summaries.jsonl): for each document, the share of its key facts the
 * summary states (matched as score.py matches answer facts), its length against the 700-character goal, how many
 * sentences it quotes, and whether every quote is found in the cited file. Summaries come from the engine's own
 * `summarize`, one engine per corpus the set names.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as z from 'zod';
import type { Config } from '../config.js';
import type { Summary } from '../rag/types.js';
import { corpusWords, normalize, parseJsonLines, QuestionSetError } from './evaluate.js';

/** The length a document summary must stay within (the summaries issue). */
export const SUMMARY_CHAR_GOAL = 700;

/** Where each corpus a summary case names is kept. */
export const SUMMARY_CORPORA = { seeds: 'corpus', web: 'eval/web/corpus' } as const;
export type SummaryCorpus = keyof typeof SUMMARY_CORPORA;

const caseSchema = z.object({
  source: z.string().min(1),
  corpus: z.enum(Object.keys(SUMMARY_CORPORA) as [SummaryCorpus, ...SummaryCorpus[]]),
  facts: z.array(z.array(z.string().min(1)).min(1)).min(1),
});

export type SummaryCase = z.infer<typeof caseSchema>;

export function parseSummaryCases(text: string, file: string): SummaryCase[] {
  return parseJsonLines(text, file, caseSchema, 'summary case');
}

export async function readSummaryCases(file: string): Promise<SummaryCase[]> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new QuestionSetError(`cannot read the summary set ${file}`);
  });
  return parseSummaryCases(text, file);
}

/**
 * The configuration for summarising one corpus of the set: the configured one when it is that corpus, otherwise
 * the same settings with that corpus and an index (or Chroma collection) of its own beside the configured one.
 */
export function configForCorpus(config: Config, corpus: SummaryCorpus): Config {
  const corpusDir = SUMMARY_CORPORA[corpus];
  if (normalizeDir(config.corpusDir) === corpusDir) return config;
  return {
    ...config,
    corpusDir,
    indexDir: `${config.indexDir}-${corpus}`,
    store: { ...config.store, chromaCollection: `${config.store.chromaCollection}-${corpus}` },
  };
}

const normalizeDir = (dir: string) => dir.replace(/^\.\//, '').replace(/\/+$/, '');

export interface SummaryCaseResult {
  source: string;
  corpus: SummaryCorpus;
  factsFound: string[];
  factsMissed: string[];
  /** Share of the key facts stated, 0..1. */
  coverage: number;
  chars: number;
  sentences: number;
  flags: string[];
  invalidQuotes: number;
  summary: string;
}

export interface SummaryReport {
  cases: SummaryCaseResult[];
  /** Figures over all cases and per corpus. */
  totals: SummaryTotals[];
}

export interface SummaryTotals {
  corpus: SummaryCorpus | 'all';
  documents: number;
  factCoverage: number;
  /** Documents whose summary states every key fact. */
  allFacts: number;
  medianChars: number;
  maxChars: number;
  /** Summaries longer than SUMMARY_CHAR_GOAL. */
  overLength: number;
  meanSentences: number;
  invalidQuotes: number;
}

/** Words of a quote that must occur in its file for the quote to count as found there (as score.py checks). */
const QUOTE_WORD_SHARE = 0.9;

export function scoreSummary(c: SummaryCase, s: Summary, words: Map<string, Set<string>>): SummaryCaseResult {
  const text = ` ${normalize(s.summary)} `;
  const factsFound: string[] = [];
  const factsMissed: string[] = [];
  for (const alternatives of c.facts) {
    if (alternatives.some((alt) => text.includes(normalize(alt)))) factsFound.push(alternatives[0]!);
    else factsMissed.push(alternatives[0]!);
  }
  const invalidQuotes = s.citations.filter((q) => {
    const fileWords = words.get(basename(q.source));
    const quoteWords = new Set(normalize(q.quote).split(' ').filter(Boolean));
    const shared = [...quoteWords].filter((w) => fileWords?.has(w)).length;
    return !fileWords || !quoteWords.size || shared < QUOTE_WORD_SHARE * quoteWords.size;
  }).length;
  return {
    source: c.source,
    corpus: c.corpus,
    factsFound,
    factsMissed,
    coverage: factsFound.length / c.facts.length,
    chars: s.summary.length,
    sentences: s.citations.length,
    flags: s.flags.map((f) => `${f.kind}: ${f.text}`),
    invalidQuotes,
    summary: s.summary,
  };
}

function totals(corpus: SummaryTotals['corpus'], cases: SummaryCaseResult[]): SummaryTotals {
  const chars = cases.map((c) => c.chars).sort((a, b) => a - b);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return {
    corpus,
    documents: cases.length,
    factCoverage: mean(cases.map((c) => c.coverage)),
    allFacts: cases.filter((c) => !c.factsMissed.length).length,
    medianChars: chars[Math.max(0, Math.ceil(chars.length / 2) - 1)] ?? 0,
    maxChars: chars.at(-1) ?? 0,
    overLength: cases.filter((c) => c.chars > SUMMARY_CHAR_GOAL).length,
    meanSentences: mean(cases.map((c) => c.sentences)),
    invalidQuotes: cases.reduce((n, c) => n + c.invalidQuotes, 0),
  };
}

/** Something that summarises documents of one corpus: the engine opened over it. */
export type SummaryTarget = { summarize(request: { source: string }): Promise<Summary> };

/**
 * Summarises every case's document through an engine over its corpus (`open` is called once per corpus named)
 * and scores the summaries.
 */
export async function evaluateSummaries(cases: SummaryCase[], open: (corpus: SummaryCorpus) => Promise<SummaryTarget>): Promise<SummaryReport> {
  const results: SummaryCaseResult[] = [];
  for (const corpus of [...new Set(cases.map((c) => c.corpus))]) {
    const target = await open(corpus);
    const words = await corpusWords(SUMMARY_CORPORA[corpus]);
    for (const c of cases.filter((x) => x.corpus === corpus)) results.push(scoreSummary(c, await target.summarize({ source: c.source }), words));
  }
  const corpora = [...new Set(results.map((r) => r.corpus))];
  return {
    cases: results,
    totals: [totals('all', results), ...(corpora.length > 1 ? corpora.map((c) => totals(c, results.filter((r) => r.corpus === c))) : [])],
  };
}
