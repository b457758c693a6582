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
  /** The date the document states (ISO yyyy-mm-dd), when it states one. */
  date?: string;
  /** Verbatim slice of the cleaned document: quote === cleaned.slice(start, end). */
  quote: string;
  start: number;
  end: number;
  score: number;
  /** Paragraph of the cleaned document the quote starts in, counting from 1: where a reader finds it. */
  paragraph?: number;
  /** Other documents, copies of the same story, that state the same fact: the fact is cited once. */
  alsoIn?: DocumentRef[];
  /** When what the quote reports happened, as far as the text or its document says. */
  when?: CitedDate;
}

/**
 * The date of what a citation reports: a date its quote writes ("on September 21, 2023"; "February 28", its year
 * taken from the article's date or, in an undated article, from the latest date the article writes in full), or
 * else the date of its document.
 */
export interface CitedDate {
  /** ISO yyyy-mm-dd, or yyyy-mm / yyyy as precise as the text is. */
  date: string;
  from: 'text' | 'document';
  /** For a date from the text: where its year comes from. */
  year?: 'stated' | 'publication' | 'inferred';
}

/** Reports that disagree: the answering evidence gives different values for the same thing about the same subject. */
export interface Conflict {
  /** What the values are of: "date (Lavrov, Diop, Moscow)", "figure: tons of grain (Russia, Mali)". */
  about: string;
  values: ConflictValue[];
}

export interface ConflictValue {
  /** The value as its source writes it. */
  value: string;
  source: string;
  /** The document's publication date, when it states one. */
  date?: string;
  /** The citation that quotes it. */
  n: number;
}

/** One cited document of an answer: the [n] markers that cite it and where in it they point. */
export interface CitedDocument {
  numbers: number[];
  source: string;
  title: string;
  date?: string;
  /** Distinct paragraphs cited, in order. */
  paragraphs: number[];
}

/** The citations grouped by document, in order of first citation: one line each under an answer. */
export function citedDocuments(citations: Citation[]): CitedDocument[] {
  const bySource = new Map<string, CitedDocument>();
  for (const c of citations) {
    const doc = bySource.get(c.source) ?? { numbers: [], source: c.source, title: c.title, date: c.date, paragraphs: [] };
    doc.numbers.push(c.n);
    if (c.paragraph && !doc.paragraphs.includes(c.paragraph)) doc.paragraphs.push(c.paragraph);
    bySource.set(c.source, doc);
  }
  return [...bySource.values()].map((d) => ({ ...d, paragraphs: d.paragraphs.sort((a, b) => a - b) }));
}

/**
 * "The cited documents are from different dates (2023-09-21 to 2024-02-27).", when they are: an answer drawn from
 * articles written months apart may mix what was true then with what is true now. Null otherwise.
 */
export function datesRemark(citations: Citation[]): string | null {
  const dates = [...new Set(citations.map((c) => c.date).filter((d): d is string => !!d))].sort();
  return dates.length > 1 ? `The cited documents are from different dates (${dates[0]} to ${dates.at(-1)}).` : null;
}

/** "¶ 2, 5": where in a document its citations point. */
export function paragraphsText(paragraphs: number[]): string {
  return paragraphs.length ? `¶ ${paragraphs.join(', ')}` : '';
}

/**
 * Citations whose quote the answer text does not already show word for word (a language model's paraphrase): only
 * these are worth quoting in full under the answer. An extractive answer is made of its quotes, so none are.
 */
export function quotesNotInAnswer(answer: Pick<Answer, 'answer' | 'citations'>): Citation[] {
  const text = answer.answer.replace(/\s+/g, ' ');
  return answer.citations.filter((c) => !text.includes(c.quote.replace(/\s+/g, ' ').trim()));
}

export type AnswerStatus = 'answered' | 'not_found';

export interface Answer {
  /** The question as asked. */
  question: string;
  /**
   * A follow-up as read with the conversation before it ("and what about Togo?" → "What did Lavrov discuss in
   * Togo?"), when that differs from the question as asked: what was searched for and answered.
   */
  understood?: string;
  status: AnswerStatus;
  answer: string;
  citations: Citation[];
  /**
   * For a refusal whose closest passages came near an answer: those passages, quoted in `answer` as unverified
   * ([n] markers number them), so a reader can judge for themselves. Absent otherwise.
   */
  closest?: Citation[];
  flags: Flag[];
  /** A remark about how the answer was made, e.g. that the configured language model was unavailable. */
  note?: string;
  /** Values the sources give differently for what the answer states (each cited); absent when they agree. */
  conflicts?: Conflict[];
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
  /** ISO yyyy-mm-dd, when the document states its date. */
  date?: string;
  chunks: number;
  placeholders: Placeholder[];
  /** The story this document is a copy of, when other documents tell it too. */
  story?: Story;
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

/** Documents that are copies of one story (reworded, reordered, shortened), best copy first: cited first in answers. */
export interface Story {
  id: string;
  documents: string[];
}

export interface IngestReport {
  documents: DocumentReport[];
  chunks: number;
  ms: number;
  /** Groups of documents telling one story; a document in none is a story of its own. */
  stories: Story[];
  /** What the ingest found broken in the index directory and repaired, one line each. */
  repaired?: string[];
}

export interface IngestProgress {
  stage: 'load' | 'clean' | 'embed' | 'index' | 'write';
  done: number;
  total: number;
  source?: string;
}

/** A timeline's subject and bounds: `npm run timeline -- "Lavrov Africa" --since 2023-01-01`. */
export interface TimelineRequest {
  subject: string;
  /** ISO date (or yyyy-mm, yyyy): events before it are left out. */
  since?: string;
  /** ISO date (or yyyy-mm, yyyy): events after it are left out. */
  until?: string;
}

/** One line of a timeline: an event, when it happened, a quote and the documents that report it. */
export interface TimelineEvent {
  /** yyyy-mm-dd, yyyy-mm or yyyy: as precise as the source. */
  date: string;
  precision: 'day' | 'month' | 'year';
  /** The quote of its first citation. */
  text: string;
  /** The documents reporting it, the best copy first. */
  citations: Citation[];
  /** Whether the date is written in the text, or is the document's own (its text dates nothing about the subject). */
  dateFrom: 'text' | 'document';
  /** For a date from the text: where its year comes from. */
  year?: 'stated' | 'publication' | 'inferred';
  /** Copies of the same story that date this event otherwise. */
  otherDates?: { date: string; citation: Citation }[];
}

export interface Timeline {
  subject: string;
  /** In date order. */
  events: TimelineEvent[];
  /** Passages about the subject whose documents date nothing (at most five): they cannot be placed. */
  undated: Citation[];
}

/** One earlier question and answer of a conversation (a Discord thread, `npm run chat`, a --batch conversation). */
export interface Turn {
  /** The question as understood. */
  question: string;
  answer: string;
  /** Files the answer cited. */
  sources: string[];
}

/** A conversation remembers this many turns: enough for "and when was that?", little enough to stay on topic. */
export const MAX_TURNS = 4;

export interface AskOptions {
  /** The conversation so far, oldest first; only the last MAX_TURNS turns are read. */
  history?: Turn[];
  /** Only the documents of these corpus subfolders may answer (all when absent). */
  scope?: Scope;
}

/**
 * Corpus subfolders ("africa", "africa/2024") that a question, a summary or a listing may draw on: documents
 * elsewhere are invisible to it, in answers, citations, closest documents and listings alike.
 */
export type Scope = readonly string[];

/** Whether a file of the corpus (named relative to it, with "/" between folders) lies in the scope. */
export function inScope(source: string, scope?: Scope): boolean {
  return !scope || scope.some((folder) => source.startsWith(`${folder}/`));
}

/** What scoped calls other than `ask` take. */
export interface ScopeOption {
  scope?: Scope;
}

/** Articles are tens of kilobytes; a file past this is a dump or a mistake, and would stall every ingest. */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;
/** The file types the corpus reads (by extension, lower case). */
export const DOCUMENT_TYPES: readonly string[] = ['.txt', '.md', '.markdown', '.html', '.htm'];

/** A file handed to `addDocuments`: its name as given and its bytes. */
export interface NewDocument {
  name: string;
  bytes: Buffer;
}

export interface AddOptions {
  /** The corpus subfolder to save into ("africa", "africa/2024"); the top of the corpus when absent. */
  folder?: string;
  /** Overwrite a file of the same name; otherwise such a file is refused. */
  replace?: boolean;
  onProgress?: (p: IngestProgress) => void;
}

/** What became of one file handed to `addDocuments`. */
export type AddedDocument =
  | { name: string; status: 'refused'; reason: string }
  | { name: string; status: 'added' | 'replaced'; source: string; title: string; date?: string; chunks: number; placeholders: Placeholder[] };

export interface AddReport {
  documents: AddedDocument[];
  /** The ingest that took the files in; null when every file was refused (nothing was ingested). */
  ingest: IngestReport | null;
}

/** The conversation after `answer`, bounded to the last MAX_TURNS turns. */
export function withTurn(history: Turn[], answer: Answer): Turn[] {
  const turn = { question: answer.understood ?? answer.question, answer: answer.answer, sources: [...new Set(answer.citations.map((c) => c.source))] };
  return [...history, turn].slice(-MAX_TURNS);
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

/** What a question is about, as the index sees it, and the documents nearest to it (for the gap report). */
export interface NearestDocuments {
  /** The question's key terms, as written in it (lower-cased). */
  keyTerms: string[];
  /** Key terms no document uses: what the corpus lacks. */
  unknownTerms: string[];
  documents: { source: string; title: string }[];
}

/**
 * The façade every front end uses (CLI scripts, the Discord bot). Implemented by `Engine` in engine.ts and opened
 * with `Engine.open(config)`.
 */
export interface AnswerEngine {
  /**
   * Answers from the corpus with citations; throws InvalidQuestionError for empty or over-long questions. With
   * `history`, the question is read as a follow-up of that conversation.
   */
  ask(question: string, options?: AskOptions): Promise<Answer>;
  /** Extractive summary of one document (by file name) or of a topic; throws UnknownSourceError. */
  summarize(request: SummaryRequest, options?: ScopeOption): Promise<Summary>;
  /** The indexed documents. */
  sources(options?: ScopeOption): Promise<SourceInfo[]>;
  /** The dated events about a subject, in date order; throws InvalidQuestionError for an empty subject or a bad bound. */
  timeline(request: TimelineRequest): Promise<Timeline>;
  /** The key terms of a question and the documents closest to it, answered or not. */
  nearest(question: string, count?: number, options?: ScopeOption): Promise<NearestDocuments>;
  /**
   * Saves files into the corpus (under safe names, in `folder`) by the same rules as files on disk, then ingests
   * them while questions keep being answered from the live index. Each file is added, or refused with the reason
   * (type, size, encoding, a duplicate of an indexed document, a name already taken). Throws IngestBusyError when
   * another ingest is running.
   */
  addDocuments(files: NewDocument[], options?: AddOptions): Promise<AddReport>;
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
