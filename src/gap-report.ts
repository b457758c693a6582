/**
 * What the corpus could not answer. The bot appends every not-found question and every 👎 to
 * `<dataDir>/gaps.jsonl`; `npm run gaps` and `/gaps` read it back grouped by what the questions were about, most
 * frequent first, with the documents closest to each group, so an admin knows what to add before re-ingesting.
 *
 * A record holds the question and ids (answer, channel), never a user, a name or any other message text. The log
 * is size-bounded: past MAX_LOG_BYTES the file becomes `gaps.1.jsonl` (replacing the one before) and a new one starts.
 */
import { appendFile, mkdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidQuestionError, UserFacingError } from './rag/errors.js';
import type { AnswerEngine, NearestDocuments } from './rag/types.js';

export type GapKind = 'not_found' | 'thumbs_down';

export interface GapRecord {
  time: string;
  kind: GapKind;
  /** The question as understood (a follow-up with its subject carried over). */
  question: string;
  answerId: string;
  channelId: string | null;
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

  /** Records at or after `since`, oldest first; lines that are not records (a torn write) are skipped. */
  async read(since?: Date): Promise<GapRecord[]> {
    const records: GapRecord[] = [];
    for (const file of [this.previousPath, this.path]) {
      const text = await readFile(file, 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        const record = parseRecord(line);
        if (record && (!since || Date.parse(record.time) >= since.getTime())) records.push(record);
      }
    }
    return records;
  }
}

function parseRecord(line: string): GapRecord | null {
  if (!line.trim()) return null;
  try {
    const r = JSON.parse(line) as Partial<GapRecord>;
    const valid = typeof r.question === 'string' && typeof r.time === 'string' && (r.kind === 'not_found' || r.kind === 'thumbs_down');
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
  /** Distinct questions, most asked first. */
  questions: { question: string; count: number; last: string }[];
  /** The documents closest to the group's most asked question: where an answer would belong. */
  documents: NearestDocuments['documents'];
}

/**
 * Groups the records by what they ask about, most frequent first. Questions that share a word the corpus never uses
 * ("Japan") form one group, whatever else they ask; the rest group by their key terms.
 */
export async function gapReport(engine: Pick<AnswerEngine, 'nearest'>, records: GapRecord[]): Promise<GapGroup[]> {
  const groups = new Map<string, GapGroup>();
  const probes = new Map<string, NearestDocuments | null>();
  for (const r of records) {
    if (!probes.has(r.question)) {
      probes.set(
        r.question,
        await engine.nearest(r.question).catch((e: unknown) => {
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
    const same = group.questions.find((q) => q.question.toLowerCase() === r.question.toLowerCase());
    if (same) {
      same.count++;
      same.last = r.time > same.last ? r.time : same.last;
    } else group.questions.push({ question: r.question, count: 1, last: r.time });
  }
  for (const group of groups.values()) {
    group.questions.sort((a, b) => b.count - a.count || b.last.localeCompare(a.last));
    group.documents = probes.get(group.questions[0]!.question)?.documents ?? [];
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || b.questions[0]!.last.localeCompare(a.questions[0]!.last));
}
