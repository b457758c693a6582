/**
 * What the corpus could not answer. The bot appends every not-found question and every 👎 to
 * `<dataDir>/gaps.jsonl`; `npm run gaps` and `/gaps` read it back grouped by what the questions were about, most
 * frequent first, with the documents closest to each group, so an admin knows what to add before re-ingesting.
 *
 * A record holds the question and ids (answer, channel), never a user, a name or any other message text; a 👎 may be
 * followed by a record of the reason its voter typed ("what was wrong?"), shown beside the question. A question
 * asked in a scoped channel records the scope, so that channel's report shows its own gaps only. The log is
 * size-bounded: past MAX_LOG_BYTES the file becomes `gaps.1.jsonl` (replacing the one before) and a new one starts.
 */
import { appendFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidQuestionError, UserFacingError } from './rag/errors.js';
import type { AnswerEngine, NearestDocuments, Scope } from './rag/types.js';

/** `reason`: what a 👎 voter said was wrong, attached to the 👎 of the same answer. */
export type GapKind = 'not_found' | 'thumbs_down' | 'reason';

export interface GapRecord {
  time: string;
  kind: GapKind;
  /** The question as understood (a follow-up with its subject carried over); empty in a reason record. */
  question: string;
  answerId: string;
  channelId: string | null;
  /** The corpus subfolders the question was asked within (a scoped channel). */
  scope?: string[];
  /** In a reason record: the voter's line. */
  reason?: string;
}

/** The longest reason kept: one line, as the 👎 form allows. */
export const MAX_REASON_CHARS = 300;

/** Whether a record was made within `scope`: the same folders (unscoped reports take every record). */
export function madeWithin(record: GapRecord, scope?: Scope): boolean {
  if (!scope) return true;
  const own = record.scope ?? [];
  return own.length === scope.length && scope.every((folder) => own.includes(folder));
}

export const MAX_LOG_BYTES = 1 << 20;

export class GapLog {
  readonly path: string;
  readonly previousPath: string;

  constructor(dataDir: string, private readonly maxBytes = MAX_LOG_BYTES) {
    this.path = join(dataDir, 'gaps.jsonl');
    this.previousPath = join(dataDir, 'gaps.1.jsonl');
  }

  async append(record: GapRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    await mkdir(join(this.path, '..'), { recursive: true });
    const size = await stat(this.path).then((s) => s.size, () => 0);
    if (size > 0 && size + Buffer.byteLength(line) > this.maxBytes) await rename(this.path, this.previousPath);
    // One write per line with O_APPEND: concurrent appends never interleave inside a record.
    await appendFile(this.path, line, 'utf8');
  }

  /**
   * Records at or after `since` made within `scope` (all when absent), oldest first; lines that are not records (a
   * torn write) are skipped.
   */
  async read(since?: Date, scope?: Scope): Promise<GapRecord[]> {
    const records: GapRecord[] = [];
    for (const file of [this.previousPath, this.path]) {
      const text = await readFile(file, 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        const record = parseRecord(line);
        if (record && (!since || Date.parse(record.time) >= since.getTime()) && madeWithin(record, scope)) records.push(record);
      }
    }
    return records;
  }
}

function parseRecord(line: string): GapRecord | null {
  if (!line.trim()) return null;
  try {
    const r = JSON.parse(line) as Partial<GapRecord>;
    const valid =
      typeof r.question === 'string' &&
      typeof r.time === 'string' &&
      (r.kind === 'not_found' || r.kind === 'thumbs_down' || (r.kind === 'reason' && typeof r.reason === 'string'));
    return valid ? (r as GapRecord) : null;
  } catch {
    return null;
  }
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** "7d", "24h", "30m", "2w" → the moment that long ago. */
export function sinceDate(span: string, now = Date.now()): Date {
  const m = /^\s*(\d+)\s*([mhdw])\s*$/i.exec(span);
  if (!m) throw new InvalidQuestionError(`the span must be like 7d, 24h, 30m or 2w, not "${span}"`);
  return new Date(now - Number(m[1]) * UNITS[m[2]!.toLowerCase()]!);
}

export interface GapGroup {
  /** What the group's questions are about: the words no document uses, else their key terms. */
  terms: string[];
  count: number;
  notFound: number;
  thumbsDown: number;
  /** Distinct questions, most asked first, with the reasons 👎 voters gave. */
  questions: { question: string; count: number; last: string; reasons: string[] }[];
  /** The documents closest to the group's most asked question: where an answer would belong. */
  documents: NearestDocuments['documents'];
}

/**
 * Groups the records by what they ask about, most frequent first. Questions that share a word the corpus never uses
 * ("Japan") form one group, whatever else they ask; the rest group by their key terms.
 */
export async function gapReport(engine: Pick<AnswerEngine, 'nearest'>, all: GapRecord[], scope?: Scope): Promise<GapGroup[]> {
  const groups = new Map<string, GapGroup>();
  const probes = new Map<string, NearestDocuments | null>();
  const reasons = new Map<string, string[]>();
  for (const r of all) if (r.kind === 'reason' && r.reason?.trim()) reasons.set(r.answerId, [...(reasons.get(r.answerId) ?? []), r.reason.trim()]);
  const records = all.filter((r) => r.kind !== 'reason');
  for (const r of records) {
    if (!probes.has(r.question)) {
      probes.set(
        r.question,
        await engine.nearest(r.question, 3, { scope }).catch((e: unknown) => {
          if (e instanceof UserFacingError) return null;
          throw e;
        }),
      );
    }
    const probe = probes.get(r.question);
    if (!probe) continue;
    const unknown = probe.unknownTerms.length > 0;
    const terms = [...(unknown ? probe.unknownTerms : probe.keyTerms)].sort();
    const key = unknown ? [...groups.keys()].find((k) => k.startsWith('?') && groups.get(k)!.terms.some((t) => terms.includes(t))) : `=${terms.join(' ')}`;
    const group = (key && groups.get(key)) || { terms, count: 0, notFound: 0, thumbsDown: 0, questions: [], documents: [] };
    // Questions sharing a word the corpus lacks are about the same gap ("Japan"): the group is named by what they share.
    if (unknown) group.terms = group.terms.filter((t) => terms.includes(t));
    groups.set(key ?? `?${terms.join(' ')}`, group);
    group.count++;
    if (r.kind === 'not_found') group.notFound++;
    else group.thumbsDown++;
    const said = r.kind === 'thumbs_down' ? (reasons.get(r.answerId) ?? []) : [];
    const same = group.questions.find((q) => q.question.toLowerCase() === r.question.toLowerCase());
    if (same) {
      same.count++;
      same.last = r.time > same.last ? r.time : same.last;
      same.reasons.push(...said.filter((reason) => !same.reasons.includes(reason)));
    } else group.questions.push({ question: r.question, count: 1, last: r.time, reasons: [...new Set(said)] });
  }
  for (const group of groups.values()) {
    group.questions.sort((a, b) => b.count - a.count || b.last.localeCompare(a.last));
    group.documents = probes.get(group.questions[0]!.question)?.documents ?? [];
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || b.questions[0]!.last.localeCompare(a.questions[0]!.last));
}
