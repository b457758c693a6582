import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/rag/engine.js';
import { InvalidQuestionError } from '../../src/rag/errors.js';
import { oneEditApart, reciprocalRankFusion } from '../../src/rag/search/hybrid-retriever.js';
import { withTurn } from '../../src/rag/types.js';
import { cleanDocument } from '../../src/rag/ingest/clean.js';
import { decide } from '../../src/rag/compose/answer.js';
import { answerModel } from '../../src/rag/compose/answer-model.js';

let engine: Engine;
const cleaned = (file: string) => cleanDocument(readFileSync(join('corpus', file), 'utf8')).text;

beforeAll(async () => {
  engine = await Engine.open(loadConfig({ ...process.env, INDEX_DIR: mkdtempSync(join(tmpdir(), 'answer-index-')) }, '/nonexistent'), {
    autoIngest: true,
  });
});

describe('reciprocal rank fusion', () => {
  it('ranks first what both lists rank high, and keeps what only one list found', () => {
    expect(reciprocalRankFusion([[1, 2, 3], [2, 4, 1]])).toEqual([2, 1, 4, 3]);
    expect(reciprocalRankFusion([[], [7]])).toEqual([7]);
  });
});

describe('one edit apart', () => {
  it('is a letter changed, added or dropped, or two neighbours swapped; never the same word or two edits', () => {
    for (const [a, b] of [['kllbrandon', 'kilbrandon'], ['shirei', 'shirlei'], ['lavorv', 'lavrov'], ['malli', 'mali'], ['ab', 'ba']]) {
      expect(oneEditApart(a!, b!), `${a} ~ ${b}`).toBe(true);
      expect(oneEditApart(b!, a!), `${b} ~ ${a}`).toBe(true);
    }
    for (const [a, b] of [['mali', 'mali'], ['lavrov', 'lvaorv'], ['touadera', 'touad'], ['abc', 'cab']]) {
      expect(oneEditApart(a!, b!), `${a} !~ ${b}`).toBe(false);
    }
  });
});

describe('answers over the real corpus', () => {
  it('reads a capital as its government: "Moscow and Bangui" in an article that says Russia and the CAR, never Bangui', async () => {
    const a = await engine.ask('Which agreement did Moscow and Bangui sign in 2018?');
    expect(a.status).toBe('answered');
    expect(a.citations[0]!.source).toBe('001_e09e45f6e40bd673.txt');
    expect(a.answer).toMatch(/Military Cooperation Agreement/);
  });

  it('answers "What did Lavrov discuss in Mali?" from the Mali article, each sentence cited and quoted exactly', async () => {
    const a = await engine.ask('What did Lavrov discuss in Mali?');
    expect(a.status).toBe('answered');
    expect(a.citations[0]!.source).toBe('004_51570dea19fac233.txt');
    expect(a.answer).toMatch(/military-technical/);
    expect(a.answer).toMatch(/Moscow/);
    for (const c of a.citations) {
      expect(a.answer).toContain(`[${c.n}]`);
      expect(cleaned(c.source).slice(c.start, c.end)).toBe(c.quote);
      expect(c.quote.length).toBeLessThanOrEqual(300);
    }
    expect(a.answer.length).toBeLessThanOrEqual(1500);
  });

  it('finds a table cell asked for by row and column', async () => {
    const a = await engine.ask('How much investment in agriculture did Russia and the CAR propose?');
    expect(a.citations[0]!.source).toBe('001_e09e45f6e40bd673.txt');
    expect(a.answer).toMatch(/US\$ 200 Million/);
  });

  it('matches names across spelling variants and accents', async () => {
    const a = await engine.ask('Who did Vladimir Putin hold talks with from the Central African Republic?');
    expect(a.answer).toMatch(/Touadera/);
    const accented = await engine.ask('What did Touadéra and Putin discuss about security?');
    expect(accented.citations[0]!.source).toBe('001_e09e45f6e40bd673.txt');
    const variant = await engine.ask('What did Sergei Lavrov discuss with Ryzhenkov?');
    expect(variant.citations[0]!.source).toBe('003_aed676f35e158f01.txt');
  });

  it('flags the placeholder and says plainly that the source leaves the date blank', async () => {
    const a = await engine.ask('When did Lavrov arrive in Burundi?');
    expect(a.status).toBe('answered');
    expect(a.flags).toContainEqual({ kind: 'placeholder', text: '[insert date]', source: '000_c2b3d48a19ad4320.txt' });
    expect(a.answer).toMatch(/^The source leaves this detail blank: .*“Arriving on \[insert date\]/);
  });

  it('flags speculation in a cited sentence', async () => {
    const a = await engine.ask("What investment opportunities did Lavrov's discussions touch on in Burundi?");
    expect(a.flags.some((f) => f.kind === 'speculative' && f.source === '000_c2b3d48a19ad4320.txt')).toBe(true);
  });

  it.each([
    ['What did Lavrov discuss in Japan?', '000_c2b3d48a19ad4320.txt'],
    ['Who won the 2022 World Cup?', null],
    ['What is the population of Togo?', '002_b32f95e2bef2da54.txt'],
    ['What is the capital of Burundi?', '000_c2b3d48a19ad4320.txt'],
  ])('abstains on "%s", naming the closest documents or quoting the closest passages as unverified', async (q, closest) => {
    const a = await engine.ask(q);
    expect(a.status).toBe('not_found');
    expect(a.citations).toEqual([]);
    if (a.closest?.length) {
      // A passage came near: quoted as unverified, each with its citation, never as an answer.
      expect(a.answer).toMatch(/^I could not verify an answer in the corpus\. The closest passages?, which may not answer the question: “/);
      expect(a.closest.length).toBeLessThanOrEqual(2);
      if (closest) expect(a.closest[0]!.source).toBe(closest);
    } else {
      expect(a.answer).toMatch(/^I could not find this in the corpus, so I won't guess\. The closest the corpus comes: “[^”]+” \(\S+\.txt\)/);
      // Two or three documents at most, however large the corpus.
      expect(a.answer.match(/\(\S+\.txt\)/g)!.length).toBeLessThanOrEqual(3);
      if (closest) expect(a.answer).toContain(`(${closest})`);
    }
  });

  it('answers a two-part question from two sentences of one article', async () => {
    const a = await engine.ask("When will Lavrov meet Mali's foreign minister, and how much grain did Russia give Mali?");
    expect(a.status).toBe('answered');
    expect(a.answer).toMatch(/February 28/);
    expect(a.answer).toMatch(/25,000 tons of grain/);
    expect(new Set(a.citations.map((c) => c.source))).toEqual(new Set(['004_51570dea19fac233.txt']));
  });

  it('answers a one-fact question in a sentence or two', async () => {
    for (const q of ['How much grain did Russia give Mali free of charge?', 'When was the Union State Treaty signed?']) {
      const a = await engine.ask(q);
      expect(a.status).toBe('answered');
      expect(a.citations.length, q).toBeLessThanOrEqual(2);
      expect(a.answer.length, q).toBeLessThanOrEqual(400);
    }
  });

  it('quotes a one-sentence answer\'s runner-up when both fit in 360 characters, and never answers because of it', async () => {
    const questions = ['eval/questions.jsonl', 'eval/dev-questions.jsonl'].flatMap((file) =>
      readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { question: string }).question),
    );
    const alone = { ...answerModel, composition: { ...answerModel.composition, runnerUp: false } };
    let quoted = 0;
    for (const q of questions) {
      const deliberation = await engine.deliberate(q);
      const [withIt, without] = [decide(deliberation, answerModel), decide(deliberation, alone)];
      expect(withIt.answered, q).toBe(without.answered);
      expect(withIt.probability, q).toBe(without.probability);
      expect(withIt.chosen, q).toEqual(without.chosen);
      expect(without.runnerUp, q).toBeNull();
      if (!withIt.runnerUp) continue;
      quoted++;
      expect(withIt.chosen, q).toHaveLength(1);
      expect(withIt.runnerUp.evidence.sentence.source, q).toBe(withIt.chosen[0]!.evidence.sentence.source);
      expect(withIt.chosen[0]!.evidence.sentence.text.length + withIt.runnerUp.evidence.sentence.text.length, q).toBeLessThanOrEqual(360);
      // The reader meets the chosen sentence first, the runner-up after it, whatever their order in the article.
      const answer = (await engine.ask(q)).answer;
      const at = (c: typeof withIt.runnerUp) => answer.indexOf(c.evidence.sentence.text.slice(0, 60));
      if (withIt.answered) expect(at(withIt.chosen[0]!), q).toBeGreaterThanOrEqual(0);
      if (withIt.answered) expect(at(withIt.runnerUp), q).toBeGreaterThan(at(withIt.chosen[0]!));
    }
    expect(quoted).toBeGreaterThan(0);
  });

  it('answers a follow-up that points back ("on that trip") though the article calls the trip a visit', async () => {
    const first = await engine.ask('When did Lavrov first visit Mali?');
    const a = await engine.ask('Who did he meet on that trip?', { history: withTurn([], first) });
    expect(a.status).toBe('answered');
    expect(a.answer).toMatch(/Goita/);
  });

  it('reads a misspelt name as the corpus writes it, and says so; a name no document is one letter from stays refused', async () => {
    const a = await engine.ask('What did Lavorv discuss in Malli?');
    expect(a.understood).toBe('What did Lavrov discuss in Mali?');
    expect(a.status).toBe('answered');
    expect(a.citations[0]!.source).toBe('004_51570dea19fac233.txt');
    const japan = await engine.ask('What did Lavrov discuss in Japan?');
    expect(japan.understood).toBeUndefined();
    expect(japan.status).toBe('not_found');
    // Never read as another: a short name (one letter from too many), a country the corpus lacks (Benin is one
    // letter from "begin"), a name whose only neighbour is an ordinary word ("Begim").
    for (const question of ['What did Lavrov discuss in Mal?', 'What did Lavrov discuss in Benin?', 'What did Lavrov discuss with Begim?']) {
      const refused = await engine.ask(question);
      expect(refused.understood, question).toBeUndefined();
      expect(refused.status, question).toBe('not_found');
    }
  });

  it('requires the year the question asks about: 2023 is answered, 2021 is not', async () => {
    const asked = await engine.ask('Who did Lavrov meet during his 2023 visit to Mali?');
    expect(asked.status).toBe('answered');
    expect(asked.answer).toMatch(/Goita/);
    expect((await engine.ask('Who did Lavrov meet during his 2021 visit to Mali?')).status).toBe('not_found');
  });

  it('refuses empty, invisible-only, punctuation-only and over-long questions with a reason', async () => {
    await expect(engine.ask('   ')).rejects.toThrow(InvalidQuestionError);
    await expect(engine.ask('\u200b\u200b\u0007')).rejects.toThrow('the question is empty');
    await expect(engine.ask('?!...')).rejects.toThrow('no words to search for');
    await expect(engine.ask('a'.repeat(2001))).rejects.toThrow('too long (2001 characters; the limit is 2000)');
  });

  it('answers through markup and injection-looking text without harm', async () => {
    for (const q of ["'; DROP TABLE docs; -- what about Mali grain?", '$(rm -rf /) .*( ||spoiler|| @everyone', 'Что обсуждал Лавров в Мали?']) {
      const a = await engine.ask(q);
      expect(['answered', 'not_found']).toContain(a.status);
    }
  });
});

describe('answers over articles in the shape of other news sites (eval/web/corpus)', () => {
  let web: Engine;
  beforeAll(async () => {
    const env = { ...process.env, CORPUS_DIR: 'eval/web/corpus', INDEX_DIR: mkdtempSync(join(tmpdir(), 'answer-web-index-')) };
    web = await Engine.open(loadConfig(env, '/nonexistent'), { autoIngest: true });
  });

  it('cites and flags the blank a source left where the answer should be', async () => {
    for (const [question, blank] of [
      ["What did Angola's foreign minister say after signing the nuclear deal?", '[insert quote]'],
      ['What is PayRiver valued at after its Series B?', '[TBD]'],
    ]) {
      const a = await web.ask(question!);
      expect(a.flags.map((f) => f.text), question).toContain(blank);
      expect(a.citations.some((c) => c.quote.includes(blank!)), question).toBe(true);
    }
  });

  it('answers a quantity that the article gives though it withholds another ("the fee was not disclosed")', async () => {
    const a = await web.ask('How much Russian gas is to be transited through Kazakhstan to Uzbekistan under the QazaqGaz deal?');
    expect(a.status).toBe('answered');
    expect(a.answer).toMatch(/11 billion|11 bcm/);
  });

  it('finds the country from its demonym: "Kenyan inflation" in an article that says Kenya', async () => {
    const a = await web.ask('What was Kenyan headline inflation in September 2024?');
    expect(a.status).toBe('answered');
    expect(a.citations[0]!.source).toBe('hornmonitor-cbk-rate-cut.txt');
    expect(a.answer).toMatch(/3\.6 per cent/);
  });

  it("matches a straight apostrophe in the question to the article's curly one (O'Neill = O’Neill)", async () => {
    const a = await web.ask("Where does Dr. Amina O'Neill work?");
    expect(a.status).toBe('answered');
    expect(a.answer).toMatch(/Blantyre/);
  });

  it('answers "where" with the sentence that names the place, not with one that merely names something', async () => {
    const a = await web.ask('Where is the Great Stone industrial park?');
    expect(a.status).toBe('answered');
    expect(a.citations[0]!.quote).toMatch(/outside Minsk/);
  });

  it('answers "how much did it fall" with the figure, in a sentence or two of its article', async () => {
    const a = await web.ask('How much did Kenyan inflation fall in September 2024?');
    expect(a.citations[0]!.quote).toMatch(/3\.6 per cent/);
    expect(a.citations.length).toBeLessThanOrEqual(2);
    expect(new Set(a.citations.map((c) => c.source)).size).toBe(1);
    expect(a.answer.length).toBeLessThanOrEqual(400);
  });

  it('answers both halves of a two-part question, each from the sentence that states it', async () => {
    const a = await web.ask('How many staff will PayRiver hire, and what was its lending book at the end of 2024?');
    expect(a.answer).toMatch(/250 staff/);
    expect(a.answer).toMatch(/₦38bn/);
  });

  it.each([
    'What is the price of the Nimbus Aria X2 Lite?',
    'What rate did the Central Bank of Kenya set in March 2026?',
    'How much did Aston Villa pay for Ibrahima Ndour?',
    'What did Lavrov discuss in Tanzania?',
  ])('refuses the near miss "%s"', async (q) => {
    const a = await web.ask(q);
    expect(a.status).toBe('not_found');
    expect(a.citations).toEqual([]);
    expect(a.answer).toMatch(/The closest the corpus comes: “|The closest passages?, which may not answer the question: “/);
  });
});
