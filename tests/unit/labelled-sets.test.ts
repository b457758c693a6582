/**
 * The labelled sets (npm run eval:sets) and their figures by part: how SQuAD and QuAIL become corpus files and
 * tasks, how documents are split and removed, and what `npm run eval` counts per part and kind.
 */
import { describe, expect, it } from 'vitest';
import {
  assignParts,
  buildTasks,
  chooseRemoved,
  documentAnswers,
  SPLIT_PLAN,
  type LabelledSet,
  type SourceDocument,
} from '../../src/measure/datasets/labelled-set.js';
import { clapnqSet, detokenise } from '../../src/measure/datasets/clapnq.js';
import { FRESH_QUESTIONS, readArticles } from '../../src/measure/datasets/fresh.js';
import { quailSet } from '../../src/measure/datasets/quail.js';
import { squadSet } from '../../src/measure/datasets/squad.js';
import { figuresByPart, normalize, parseQuestions, readQuestions, scoreAnswers, selectQuestions, type ScoredAnswer } from '../../src/measure/evaluate.js';

const groups = (n: number) => Array.from({ length: n }, (_, i) => `group ${i}`);

describe('the split by document', () => {
  it('puts half the groups in fit and a quarter each in check and final, the same way every time', () => {
    const parts = assignParts(groups(16), SPLIT_PLAN);
    const count = (p: string) => [...parts.values()].filter((x) => x === p).length;
    expect([count('fit'), count('check'), count('final')]).toEqual([8, 4, 4]);
    expect(assignParts(groups(16).reverse(), SPLIT_PLAN)).toEqual(parts);
  });

  it('removes a fifth of each part’s documents and never a distractor', () => {
    const docs: SourceDocument[] = groups(40).map((g) => ({ file: `${g}.txt`, text: 'x', group: g }));
    docs.push({ file: 'distractor.txt', text: 'x', group: 'distractor.txt', distractor: true });
    const parts = assignParts(
      docs.filter((d) => !d.distractor).map((d) => d.group),
      SPLIT_PLAN,
    );
    const removed = chooseRemoved(docs, parts, SPLIT_PLAN);
    expect(removed.has('distractor.txt')).toBe(false);
    const removedIn = (p: string) => [...removed].filter((f) => parts.get(f.replace('.txt', '')) === p).length;
    expect([removedIn('fit'), removedIn('check'), removedIn('final')]).toEqual([4, 2, 2]);
  });
});

describe('tasks', () => {
  const padded = (text: string) => ` ${normalize(text)} `;

  it('counts a document as answering when it holds the answer, every name and half the other words', () => {
    const q = { id: 'q', question: 'Where did Lavrov meet Diop in February?', source: 'a.txt', answerable: true, answers: ['Moscow'] };
    expect(documentAnswers(padded('Lavrov is to meet Diop in Moscow in February.'), q)).toBe(true);
    expect(documentAnswers(padded('Lavrov is to meet Goita in Moscow in February.'), q)).toBe(false);
    expect(documentAnswers(padded('Lavrov is to meet Diop in Bamako in February.'), q)).toBe(false);
  });

  it('turns answerable questions of removed documents into removed tasks, and drops those another document answers', () => {
    const documents: SourceDocument[] = groups(10).map((g, i) => ({
      file: `${i}.txt`,
      text: i === 9 ? 'Everything: the treaty was signed in 1999 by Ryzhenkov.' : `Article ${i}: the treaty number ${i} was signed in 19${i}0.`,
      group: g,
    }));
    const questions = documents.flatMap((d, i) => [
      { id: `a${i}`, question: `When was treaty number ${i} signed?`, source: d.file, answerable: true, answers: [`19${i}0`] },
      { id: `u${i}`, question: `Who signed treaty number ${i}?`, source: d.file, answerable: false },
      { id: `r${i}`, question: 'Who signed the treaty in 1999?', source: d.file, answerable: true, answers: ['Ryzhenkov'] },
    ]);
    const set: LabelledSet = { name: 't', origin: [], documents, questions, notes: [] };
    const built = buildTasks(set);
    expect(built.removed.length).toBe(2);
    const kinds = Object.fromEntries(built.tasks.map((t) => [t.id, t.kind]));
    for (const file of built.removed) {
      const i = file.replace('.txt', '');
      expect(kinds[`a${i}`]).toBe('removed');
      expect(kinds[`u${i}`]).toBeUndefined();
      expect(built.dropped).toContainEqual({ id: `u${i}`, reason: 'unanswerable question about a removed document' });
      if (i !== '9') expect(built.dropped).toContainEqual({ id: `r${i}`, reason: 'its document was removed, but another document still answers it' });
    }
    const kept = built.tasks.find((t) => t.kind === 'answerable')!;
    expect(kept).toMatchObject({ expect: 'answer', facts: [kept.answers] });
    expect(built.tasks.filter((t) => t.kind !== 'answerable').every((t) => t.expect === 'not_found' && t.facts.length === 0)).toBe(true);
    expect(built.corpus.map((d) => d.file)).not.toContain(built.removed[0]);
  });
});

describe('SQuAD', () => {
  it('writes one file per paragraph, named after its title, the title as its first line, with every gold answer', () => {
    const json = JSON.stringify({
      data: [
        {
          title: 'Yuan_dynasty',
          paragraphs: [
            {
              context: 'The Yuan dynasty was founded by Kublai Khan.',
              qas: [
                { id: 'x1', question: 'Who founded it?', is_impossible: false, answers: [{ text: 'Kublai Khan' }, { text: 'Kublai Khan' }, { text: 'Kublai' }] },
                { id: 'x2', question: 'Who ended it?', is_impossible: true, answers: [], plausible_answers: [{ text: 'Kublai Khan' }] },
              ],
            },
          ],
        },
      ],
    });
    const set = squadSet(json);
    expect(set.documents).toEqual([{ file: 'yuan-dynasty_00.txt', text: 'Yuan dynasty\n\nThe Yuan dynasty was founded by Kublai Khan.\n', group: 'Yuan dynasty' }]);
    expect(set.questions).toEqual([
      { id: 'squad-x1', question: 'Who founded it?', source: 'yuan-dynasty_00.txt', answerable: true, answers: ['Kublai Khan', 'Kublai'] },
      { id: 'squad-x2', question: 'Who ended it?', source: 'yuan-dynasty_00.txt', answerable: false, extra: { plausible: ['Kublai Khan'] } },
    ]);
  });
});

describe('CLAPnq', () => {
  const line = (id: string, input: string, text: string, selected: string[]) =>
    JSON.stringify({ id, input, passages: [{ title: 'Love the One You \'re With', text, sentences: [] }], output: [{ answer: '', selected_sentences: selected, meta: {} }] });
  const passage = "`` Love the One You 're With '' is a song by folk rocker Stephen Stills . It was a hit ( in 1971 ) .";

  it('joins tokenised text back into prose', () => {
    expect(detokenise(passage)).toBe('"Love the One You\'re With" is a song by folk rocker Stephen Stills. It was a hit (in 1971).');
    expect(detokenise('the All - India Muslim League')).toBe('the All-India Muslim League');
  });

  it('writes each passage once, its title first, with the chosen sentences as gold answers and the unanswerable questions beside it', () => {
    const chosen = "`` Love the One You 're With '' is a song by folk rocker Stephen Stills .";
    const set = clapnqSet(line('1', 'who sang love the one you re with', passage, [chosen]), line('2', 'who wrote the b side', passage, []));
    expect(set.documents).toHaveLength(1);
    expect(set.documents[0]!.text.startsWith('Love the One You\'re With\n\n"Love the One')).toBe(true);
    expect(set.questions.map((q) => [q.id, q.answerable, q.source === set.documents[0]!.file, q.answers])).toEqual([
      ['clapnq-1', true, true, ['"Love the One You\'re With" is a song by folk rocker Stephen Stills']],
      ['clapnq-2', false, true, undefined],
    ]);
  });
});

describe('QuAIL', () => {
  const option = (text: string, correct: boolean) => `<a id="1" correct="${correct ? 'True' : 'False'}">${text}</a>`;
  const xml = `<data>
 <text domain="news" id="n1"><metadata><title>Senate Votes on Budget</title></metadata>
  <text_body>The Senate passed the budget on Friday. Senate Democrats voted against it.</text_body>
  <questions>
   <q id="1" type="Factual">Who opposed the budget?${option('Senate Democrats', true)}${option('not enough information', false)}</q>
   <q id="2" type="Factual">Who wrote the budget?${option('The budget office', true)}${option('not enough information', false)}</q>
   <q id="3" type="Unanswerable">How long was the debate?${option('not enough information', true)}${option('Two days', false)}</q>
   <q id="4" type="Belief_states">Who is probably pleased?${option('Senate Democrats', true)}</q>
  </questions>
 </text>
 <text domain="fiction" id="f1"><metadata><title>A Story</title></metadata><text_body>Once upon a time.</text_body>
  <questions><q id="1" type="Factual">Who?${option('Once', true)}</q></questions>
 </text>
</data>`;

  it('keeps stated answers found word for word and the unanswerable type, with non-news texts as distractors', () => {
    const set = quailSet(xml);
    expect(set.documents.map((d) => [d.file, d.distractor])).toEqual([
      ['news_n1_senate-votes-on-budget.txt', false],
      ['fiction_f1_a-story.txt', true],
    ]);
    expect(set.documents[0]!.text.startsWith('Senate Votes on Budget\n\nThe Senate passed')).toBe(true);
    expect(set.questions.map((q) => [q.id, q.answerable, q.answers])).toEqual([
      ['quail-n1-1', true, ['Senate Democrats']],
      ['quail-n1-3', false, undefined],
    ]);
  });
});

describe('figures by part', () => {
  const line = (id: string, expect: string, kind: string, part: string) =>
    JSON.stringify({ id, question: `q ${id}`, expect, source: 'a.txt', facts: expect === 'answer' ? [['gold']] : [], kind, part });
  const questions = parseQuestions(
    [
      line('1', 'answer', 'answerable', 'fit'),
      line('2', 'answer', 'answerable', 'fit'),
      line('3', 'not_found', 'unanswerable', 'fit'),
      line('4', 'not_found', 'removed', 'fit'),
      line('5', 'answer', 'answerable', 'final'),
      line('6', 'not_found', 'unanswerable', 'final'),
    ].join('\n'),
    'set.jsonl',
  );
  const answered = (text: string): ScoredAnswer => ({ status: 'answered', answer: text, citations: [{ source: 'a.txt', quote: text }] });
  const refused: ScoredAnswer = { status: 'not_found', answer: 'not found', citations: [] };

  it('counts hits, gold answers (none in a refusal), refusals by kind and false refusals in each part', () => {
    const answers = new Map<string, ScoredAnswer>([
      ['1', answered('the gold answer')],
      ['2', { ...refused, answer: 'not found; closest: the gold document' }],
      ['3', refused],
      ['4', answered('something')],
      ['5', answered('not it')],
      ['6', answered('a guess')],
    ]);
    const report = scoreAnswers(questions, answers, new Map([['a.txt', new Set(['the', 'gold', 'answer', 'something', 'not', 'it', 'a', 'guess'])]]));
    const [fit, final] = figuresByPart(report.cases);
    expect(fit).toMatchObject({
      part: 'fit',
      questions: 4,
      hitAt3: { n: 1, of: 2 },
      factCoverage: 0.5,
      unanswerableRefused: { n: 1, of: 1 },
      removedRefused: { n: 0, of: 1 },
      falseRefusals: { n: 1, of: 2 },
    });
    expect(final).toMatchObject({ part: 'final', hitAt3: { n: 1, of: 1 }, factCoverage: 0, unanswerableRefused: { n: 0, of: 1 }, removedRefused: { n: 0, of: 0 } });
  });

  it('selects a part, and at most n questions of each part, the same ones every run', () => {
    expect(selectQuestions(questions, { part: 'final' }).map((q) => q.id)).toEqual(['5', '6']);
    const sample = selectQuestions(questions, { limit: 1 });
    expect(sample.map((q) => q.part)).toEqual(['fit', 'final']);
    expect(selectQuestions(questions, { limit: 1 })).toEqual(sample);
    const team = parseQuestions(JSON.stringify({ id: 't', question: 'q', expect: 'not_found' }), 'team.jsonl');
    expect(selectQuestions(team, { part: 'final', limit: 1 })).toEqual(team);
  });
});

describe('the fresh real-news set', () => {
  it('lists each article once, pinned to a commit, and asks about listed articles only', async () => {
    const articles = await readArticles();
    const files = new Set(articles.map((a) => a.file));
    expect(files.size).toBe(articles.length);
    expect(articles.length).toBeGreaterThanOrEqual(30);
    const questions = await readQuestions(FRESH_QUESTIONS);
    for (const q of questions) expect(files.has(q.source ?? ''), `${q.id}: ${q.source}`).toBe(true);
    expect(questions.filter((q) => q.expect === 'answer').length).toBeGreaterThanOrEqual(100);
    expect(questions.filter((q) => q.expect === 'not_found').length).toBeGreaterThanOrEqual(30);
  });
});
