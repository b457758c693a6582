/** Contracts shared by every stage from corpus file to cited answer. Front ends (bot, scripts) use only these. */

export interface Placeholder {
  /** The placeholder exactly as it stands in the text, e.g. "[insert date]". */
  text: string;
  /** Offset of `text` in the cleaned document. */
  offset: number;
  /** The cleaned sentence the placeholder stands in. */
  sentence: string;
}

export type FlagKind = 'placeholder' | 'speculative';

export interface Flag {
  kind: FlagKind;
  /** For placeholders the placeholder itself; for speculation the hedging words found ("likely", "could"). */
  text: string;
  source: string;
}

/** The words every front end shows for a flag: "⚠ The source leaves this blank: [insert date] (000_x.txt)". */
export function flagLine(flag: Flag): string {
  return flag.kind === 'placeholder'
    ? `⚠ The source leaves this blank: ${flag.text} (${flag.source})`
    : `⚠ The source speculates here: “${flag.text}” (${flag.source})`;
}

/** Citation numbers as front ends print them beside a document: "[3]", "[1–3]", "[1, 4]". */
export function citationMarks(numbers: number[]): string {
  const consecutive = numbers.every((n, i) => i === 0 || n === numbers[i - 1]! + 1);
  if (numbers.length > 2 && consecutive) return `[${numbers[0]}–${numbers.at(-1)}]`;
  return `[${numbers.join(', ')}]`;
}

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text shown on one line whatever it holds: control characters (a newline in a file name) and the bidi controls
 * that reorder what follows them are shown as escapes (`\n`, `\u202e`), so a report line can be neither split nor
 * visually reversed.
 */
export function oneLine(text: string): string {
  return text.replace(
    /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu,
    (c) => NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export interface Citation {
  n: number;
  source: string;
  title: string;
  /** Verbatim slice of the cleaned document: quote === cleaned.slice(start, end). */
  quote: string;
  start: number;
  end: number;
  score: number;
}

export type AnswerStatus = 'answered' | 'not_found';

export interface Answer {
  question: string;
  status: AnswerStatus;
  answer: string;
  citations: Citation[];
  flags: Flag[];
  /** A remark about how the answer was made, e.g. that the configured language model was unavailable. */
  note?: string;
  timings: { totalMs: number };
}

/** A document as a summary names it. */
export interface DocumentRef {
  source: string;
  title: string;
  /** Publication date as the document states it, when known. */
  date?: string;
}

/** A document a summary quotes, with the numbers (`Citation.n`) of its citations: what front ends list once. */
export interface SummaryDocument extends DocumentRef {
  citations: number[];
}

export interface Summary {
  /**
   * Cited sentences with [n] markers. A document summary is one paragraph: the article's lead, then its main
   * points. A topic summary has one line per document: “Title” (date): its most relevant sentences.
   */
  summary: string;
  citations: Citation[];
  flags: Flag[];
  /** The documents quoted, in the order the summary first cites them. */
  documents: SummaryDocument[];
  /** Further documents about the topic that a topic summary leaves out, most relevant first (empty otherwise). */
  more: DocumentRef[];
}

export type SummaryRequest = { source: string } | { topic: string };

export interface SourceInfo {
  source: string;
  /** Other file names holding the same bytes (indexed once). */
  aliases: string[];
  title: string;
  chunks: number;
  placeholders: Placeholder[];
}

export type DocumentStatus = 'indexed' | 'unchanged' | 'skipped' | 'removed';

export interface DocumentReport {
  source: string;
  title?: string;
  chunks: number;
  status: DocumentStatus;
  placeholders: Placeholder[];
  warning?: string;
}

export interface IngestReport {
  documents: DocumentReport[];
  chunks: number;
  ms: number;
}

export interface IngestProgress {
  stage: 'load' | 'clean' | 'embed' | 'index' | 'write';
  done: number;
  total: number;
  source?: string;
}

/** A stretch of a cleaned document: its text, where it stands, and what it is under. */
export interface Located {
  source: string;
  title: string;
  heading: string;
  text: string;
  start: number;
  end: number;
}

/** A retrieved sentence with its place in the cleaned document: what answers are composed from. */
export interface Passage extends Located {
  score: number;
}

/** Sources in retrieval order, before composition: of the fused chunks and of the evidence sentences. */
export interface RetrievedSources {
  chunkSources: string[];
  evidenceSources: string[];
}

/**
 * The façade every front end uses (CLI scripts, the Discord bot). Implemented by `Engine` in engine.ts and opened
 * with `Engine.open(config)`.
 */
export interface AnswerEngine {
  /** Answers from the corpus with citations; throws InvalidQuestionError for empty or over-long questions. */
  ask(question: string): Promise<Answer>;
  /** Extractive summary of one document (by file name) or of a topic; throws UnknownSourceError. */
  summarize(request: SummaryRequest): Promise<Summary>;
  /** The indexed documents. */
  sources(): Promise<SourceInfo[]>;
  /**
   * Re-ingests the corpus into a new index and switches to it when done; questions asked meanwhile are answered
   * from the old one. Throws IngestBusyError when another ingest (in this or another process) is running.
   */
  reindex(onProgress?: (p: IngestProgress) => void): Promise<IngestReport>;
  /** Stops a running reindex before its build goes live (the previous index keeps serving); resolves once it has. */
  stop(): Promise<void>;
  /** Picks up an index rebuilt by another process (e.g. `npm run ingest`); true when it switched. */
  refresh(): Promise<boolean>;
}
