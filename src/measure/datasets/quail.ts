/**
 * QuAIL v1.3 dev: 120 texts of about 340 words with multiple-choice questions; 30 of them are VOA news. Its
 * questions become tasks this way:
 * - answerable: questions of the types that ask for something the text states (Factual, Character_identity,
 *   Temporal_order, Event_duration, Causality) whose right option is found in the text word for word, after
 *   lower-casing and turning every run of other characters than letters and digits into one space (how answers
 *   are scored); that option is the gold answer. Options the text only paraphrases ("Undocumented immigrants" for
 *   "undocumented young people") cannot be checked inside an answer, so those questions are left out; so are the
 *   types that ask for an inference ("…is probably").
 * - unanswerable: the "Unanswerable" type, whose right option is "not enough information".
 * The 90 texts that are not news (fiction, blogs, user stories) are in the corpus as distractors, asked about by
 * no question. Each text is one file, `<domain>_<id>_<title-slug>.txt`, its title as the first line.
 */
import { DOMParser } from 'linkedom';
import { normalize } from '../evaluate.js';
import { locateRepository, readAtCommit, type GitOrigin } from './git-source.js';
import type { LabelledSet, SourceDocument, SourceQuestion } from './labelled-set.js';
import { slug } from './squad.js';

export const QUAIL_ORIGIN: GitOrigin = {
  repo: 'text-machine-lab/quail',
  commit: 'e2b0705a2099f44b60fad0bad5a947913b181bbd',
  licence: 'CC BY-NC-SA 4.0',
};
const QUAIL_PATH = 'quail_v1.3/xml/ordered/quail_1.3_dev.xml';

/** Question types whose right option, when the text holds it, is a fact the text states. */
const STATED_TYPES = new Set(['Factual', 'Character_identity', 'Temporal_order', 'Event_duration', 'Causality']);
const NOT_ENOUGH = 'not enough information';

const squeeze = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/** The set from QuAIL's XML text. */
export function quailSet(xml: string): LabelledSet {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const documents: SourceDocument[] = [];
  const questions: SourceQuestion[] = [];
  for (const text of doc.querySelectorAll('data > text')) {
    const domain = text.getAttribute('domain') ?? '';
    const id = text.getAttribute('id') ?? '';
    const title = squeeze(text.querySelector('metadata > title')?.textContent ?? '');
    const body = squeeze(text.querySelector('text_body')?.textContent ?? '');
    const file = `${domain}_${id}_${slug(title)}.txt`;
    const news = domain === 'news';
    documents.push({ file, text: `${title}\n\n${body}\n`, group: file, distractor: !news });
    if (!news) continue;
    const searchable = ` ${normalize(`${title} ${body}`)} `;
    for (const q of text.querySelectorAll('questions > q')) {
      const type = q.getAttribute('type') ?? '';
      const question = squeeze(q.firstChild?.textContent ?? '');
      const right = [...q.querySelectorAll('a')].find((a) => a.getAttribute('correct') === 'True');
      const answer = squeeze(right?.textContent ?? '');
      const base = { id: `quail-${id}-${q.getAttribute('id')}`, question, source: file, extra: { qtype: type } };
      if (type === 'Unanswerable' && normalize(answer) === NOT_ENOUGH) {
        questions.push({ ...base, answerable: false });
      } else if (STATED_TYPES.has(type) && normalize(answer) && normalize(answer) !== NOT_ENOUGH && searchable.includes(` ${normalize(answer)} `)) {
        questions.push({ ...base, answerable: true, answers: [answer.replace(/[.\s]+$/, '')] });
      }
    }
  }
  return {
    name: 'quail',
    origin: [QUAIL_ORIGIN],
    documents,
    questions,
    notes: [
      `${QUAIL_PATH}: the 30 news texts asked about, the 90 others as distractors; one file per text, its title as the first line`,
      `answerable: types ${[...STATED_TYPES].join(', ')} whose right option the text holds word for word (normalised)`,
      'unanswerable: type Unanswerable, right option "not enough information"',
    ],
  };
}

export function loadQuail(fromDir: string, options: { clone?: boolean }): LabelledSet {
  const dir = locateRepository(fromDir, QUAIL_ORIGIN, options);
  return quailSet(readAtCommit(dir, QUAIL_ORIGIN, QUAIL_PATH).toString('utf8'));
}
