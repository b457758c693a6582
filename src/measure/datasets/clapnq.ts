/**
 * CLAPnq dev: 600 questions people typed into a search engine (Natural Questions), each with the Wikipedia passage
 * its search found; 300 are answered by the passage, with the sentences of it that answer chosen by two annotators,
 * and 300 are not (the passage is on the topic and does not answer). Unlike SQuAD's, the unanswerable questions
 * were not written to look answerable: they are what readers ask, as a bot's users do.
 *
 * Each distinct passage is one corpus file, `<title-slug>_<hash>.txt`, its title as the first line. The passages
 * come tokenised (" , ", "`` … ''"); they are joined back into plain prose, and so are the chosen sentences, which
 * are the gold answers: an answer holding any of them is right. Questions are split by title.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { locateRepository, readAtCommit, type GitOrigin } from './git-source.js';
import type { LabelledSet, SourceDocument, SourceQuestion } from './labelled-set.js';
import { slug } from './squad.js';

export const CLAPNQ_ORIGIN: GitOrigin = {
  repo: 'primeqa/clapnq',
  commit: 'eb26840d130f4dcf4c4c5c12a47d0beffc9cc586',
  licence: 'Apache-2.0',
};
const CLAPNQ_PATHS = ['annotated_data/dev/clapnq_dev_answerable.jsonl', 'annotated_data/dev/clapnq_dev_unanswerable.jsonl'];

const lineSchema = z.object({
  id: z.string(),
  input: z.string(),
  passages: z.array(z.object({ title: z.string(), text: z.string() })).min(1),
  output: z.array(z.object({ selected_sentences: z.array(z.string()).optional() })),
});

/** Natural Questions' tokenised text as prose: quotes as quotes, no space before punctuation or a clitic, hyphens closed up. */
export const detokenise = (text: string) =>
  text
    .replace(/``\s*/g, '"')
    .replace(/\s*''/g, '"')
    .replace(/\s+([,.;:!?%)\]}])/g, '$1')
    .replace(/([([{])\s+/g, '$1')
    .replace(/\s+(['’](?:s|re|ve|ll|d|m)\b|n't\b)/gi, '$1')
    .replace(/(\S) - (?=\S)/g, '$1-')
    .replace(/\s{2,}/g, ' ')
    .trim();

/** The set from CLAPnq's two JSON-lines files (answerable, unanswerable). */
export function clapnqSet(answerable: string, unanswerable: string): LabelledSet {
  const documents = new Map<string, SourceDocument>();
  const questions: SourceQuestion[] = [];
  const lines = (text: string) => text.split('\n').filter((l) => l.trim()).map((l) => lineSchema.parse(JSON.parse(l)));
  for (const [text, isAnswerable] of [[answerable, true], [unanswerable, false]] as const) {
    for (const line of lines(text)) {
      const passage = line.passages[0]!;
      const title = detokenise(passage.title);
      const body = detokenise(passage.text);
      const digest = createHash('sha256').update(`${title}\n${body}`).digest('hex').slice(0, 8);
      const file = `${slug(title)}_${digest}.txt`;
      if (!documents.has(file)) documents.set(file, { file, text: `${title}\n\n${body}\n`, group: title });
      const base = { id: `clapnq-${line.id}`, question: line.input.trim(), source: file };
      if (!isAnswerable) {
        questions.push({ ...base, answerable: false });
        continue;
      }
      const chosen = [...new Set(line.output.flatMap((o) => o.selected_sentences ?? []).map(detokenise).filter(Boolean))];
      if (chosen.length) questions.push({ ...base, answerable: true, answers: chosen.map((s) => s.replace(/[.\s]+$/, '')) });
    }
  }
  return {
    name: 'clapnq',
    origin: [CLAPNQ_ORIGIN],
    documents: [...documents.values()],
    questions,
    notes: [
      `${CLAPNQ_PATHS.join(', ')}: one file per distinct passage, its title as the first line, the tokenised text joined back into prose`,
      'answerable: the sentences the annotators chose are the gold answers; unanswerable: the passage the search found does not answer',
    ],
  };
}

export function loadClapnq(fromDir: string, options: { clone?: boolean }): LabelledSet {
  const dir = locateRepository(fromDir, CLAPNQ_ORIGIN, options);
  const [answerable, unanswerable] = CLAPNQ_PATHS.map((path) => readAtCommit(dir, CLAPNQ_ORIGIN, path).toString('utf8'));
  return clapnqSet(answerable!, unanswerable!);
}
