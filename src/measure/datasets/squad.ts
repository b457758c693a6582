/**
 * SQuAD 2.0 dev, first half (chrischute/squad keeps the official dev set's first 16 titles as its dev file):
 * 646 Wikipedia paragraphs, 6,078 crowd-written questions, 3,168 of them written to look answerable from their
 * paragraph when it does not answer them.
 *
 * Each paragraph is one corpus file, `<title-slug>_<nn>.txt`, whose first line is the article's title ("Yuan
 * dynasty") and then the paragraph. The title is kept because on Wikipedia every paragraph stands under it, and
 * many paragraphs never name their subject ("They were descended from Norse raiders…"): without it a question
 * naming the subject would ask for something no reader of the file could place. Questions are split by title.
 */
import * as z from 'zod';
import { locateRepository, readAtCommit, type GitOrigin } from './git-source.js';
import type { LabelledSet, SourceDocument, SourceQuestion } from './labelled-set.js';

export const SQUAD_ORIGIN: GitOrigin = {
  repo: 'chrischute/squad',
  commit: '85623adeb9e6639f145081fea9cae2d8f3a26379',
  licence: 'SQuAD 2.0: CC BY-SA 4.0 (the repository code: MIT)',
};
const SQUAD_PATH = 'data/dev-v2.0.json';

const answerSchema = z.object({ text: z.string() });
const squadSchema = z.object({
  data: z.array(
    z.object({
      title: z.string(),
      paragraphs: z.array(
        z.object({
          context: z.string(),
          qas: z.array(
            z.object({
              id: z.string(),
              question: z.string(),
              is_impossible: z.boolean(),
              answers: z.array(answerSchema),
              plausible_answers: z.array(answerSchema).optional(),
            }),
          ),
        }),
      ),
    }),
  ),
});

export const slug = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);

const distinct = (texts: string[]) => [...new Set(texts.map((t) => t.trim()).filter(Boolean))];

/** The set from SQuAD's JSON text. */
export function squadSet(json: string): LabelledSet {
  const data = squadSchema.parse(JSON.parse(json)).data;
  const documents: SourceDocument[] = [];
  const questions: SourceQuestion[] = [];
  for (const article of data) {
    const title = article.title.replace(/_/g, ' ');
    article.paragraphs.forEach((p, i) => {
      const file = `${slug(title)}_${String(i).padStart(2, '0')}.txt`;
      documents.push({ file, text: `${title}\n\n${p.context.trim()}\n`, group: title });
      for (const qa of p.qas) {
        questions.push({
          id: `squad-${qa.id}`,
          question: qa.question.trim(),
          source: file,
          answerable: !qa.is_impossible,
          ...(qa.is_impossible
            ? { extra: { plausible: distinct((qa.plausible_answers ?? []).map((a) => a.text)) } }
            : { answers: distinct(qa.answers.map((a) => a.text)) }),
        });
      }
    });
  }
  return {
    name: 'squad',
    origin: [SQUAD_ORIGIN],
    documents,
    questions,
    notes: [`${SQUAD_PATH}: one file per paragraph, the article title as its first line; split by title`],
  };
}

export function loadSquad(fromDir: string, options: { clone?: boolean }): LabelledSet {
  const dir = locateRepository(fromDir, SQUAD_ORIGIN, options);
  return squadSet(readAtCommit(dir, SQUAD_ORIGIN, SQUAD_PATH).toString('utf8'));
}
