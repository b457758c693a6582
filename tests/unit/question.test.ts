import { describe, expect, it } from 'vitest';
import { answerModel, checkModel } from '../../src/rag/compose/answer-model.js';
import { kindNearQuestion, phrasesOf } from '../../src/rag/compose/features.js';
import { entityMentions } from '../../src/rag/text/entities.js';
import { analyseQuestion, questionTerms } from '../../src/rag/text/question.js';
import { terms } from '../../src/rag/text/terms.js';

describe('numbers and years in questions', () => {
  it('marks years and figures as numbers the evidence must state', () => {
    const q = questionTerms('Who won the 2005 final in unit 4?');
    expect(q.find((t) => t.term === '2005')).toMatchObject({ numeric: true });
    expect(q.find((t) => t.term === '4')).toMatchObject({ numeric: true });
  });

  it('keeps a figure whole, so "unit 4" is not found in "4,800 megawatts"', () => {
    expect(terms('a capacity of 4,800 megawatts')).toContain('4800');
    expect(terms('a capacity of 4,800 megawatts')).not.toContain('4');
    expect(terms('up 12.5 per cent in 2023.')).toEqual(expect.arrayContaining(['12.5', '2023']));
  });

  it('leaves out an initial, which articles drop after the first mention, but keeps a dotted acronym', () => {
    expect(questionTerms('How did S. Jaishankar describe BRICS?').map((t) => t.term)).toEqual(terms('Jaishankar BRICS'));
    expect(questionTerms('What did J. R. Smith rule?').map((t) => t.term)).toEqual(terms('Smith rule'));
    expect(questionTerms('What did the U.S. say about BRICS?').map((t) => t.term)).toEqual(terms('U.S. BRICS'));
  });

  it.each([
    ['By how much had trade grown?', 'trade grew 12.5 per cent'],
    ['What did the index rise to?', 'the index rose to 58.6'],
    ['Who won the seat?', 'she wins the seat'],
    ['How much did Newcastle pay?', 'Newcastle paid €42.5m'],
  ])('finds the irregular past of a verb: %s ~ %s', (question, answer) => {
    const verb = questionTerms(question).map((t) => t.term).filter((t) => !terms('trade index seat Newcastle').includes(t));
    expect(verb).toHaveLength(1);
    expect(terms(answer)).toContain(verb[0]);
  });

  it('leaves past forms that are other words alone: founded is not found, left is not leave', () => {
    expect(terms('founded')).toEqual(terms('found'));
    expect(terms('left')).not.toEqual(terms('leave'));
  });

  it('marks capitalised words after the first as names', () => {
    const q = questionTerms("Where does Dr. Amina O'Neill work?");
    expect(q.filter((t) => t.name).map((t) => t.term)).toEqual(terms("Dr Amina O'Neill"));
  });
});

describe('nouns that point back in a follow-up', () => {
  const referents = (q: string) => questionTerms(q).filter((t) => t.referent).map((t) => t.word);
  it('marks the noun after a preposition and a demonstrative: "on that trip"', () => {
    expect(referents('Who did he meet on that trip?')).toEqual(['trip']);
    expect(referents('What was agreed at this meeting?')).toEqual(['meeting']);
  });
  it('leaves "that" as a relative pronoun alone', () => expect(referents('Which virus poses as a card that spreads by e-mail?')).toEqual([]));
});

describe('the kind of answer a question asks for', () => {
  it.each([
    ['When did Lavrov arrive in Burundi?', 'date'],
    ['On what date did Lavrov arrive in Senegal?', 'date'],
    ['How much did Newcastle pay Lens for Ndour?', 'money'],
    ['What does the Nimbus Aria X2 cost?', 'money'],
    ['How many children were enrolled in the trial?', 'number'],
    ['How much grain did Russia give Mali free of charge?', 'number'],
    ['How large is the Russian state loan?', 'number'],
    ['Who chairs the Hong Kong Rugby Football Union?', 'person'],
    ['Which Kenyan minister held talks with Lavrov?', 'person'],
    ['Which countries announced their withdrawal from ECOWAS?', 'place'],
    ['In which city did the ministers meet?', 'place'],
    ['What did Lavrov discuss in Mali?', 'list'],
    ['What sectors could Russia and Burundi cooperate in?', 'list'],
    ['Where is the studio moving to?', 'place'],
    ['Which organization did Belarus join?', 'organization'],
    ['What was the score in the final?', 'number'],
    ['What is the unemployment rate in Lesotho?', 'number'],
    ['How much did GDP grow in the fourth quarter?', 'number'],
    ['In what year did the treaty take effect?', 'date'],
    ['Why did the talks stall?', 'reason'],
    ['Is Mali a member of the alliance?', 'yesno'],
    ['And when was that?', 'date'],
  ])('%s → %s', (question, kind) => expect(analyseQuestion(question).answerType).toBe(kind));

  it('names the thing counted, and whether a list is asked for', () => {
    expect(analyseQuestion('How many embassies does Russia have in Africa?').focus).toBe(terms('embassies')[0]);
    expect(analyseQuestion('Which countries announced their withdrawal?').asksList).toBe(true);
    expect(analyseQuestion('Which country announced its withdrawal?').asksList).toBe(false);
    expect(analyseQuestion('What did they agree on?').asksList).toBe(true);
  });

  it('hears a question about the newest news, and one that leans on the conversation', () => {
    expect(analyseQuestion('What did Lavrov discuss most recently?').asksLatest).toBe(true);
    expect(analyseQuestion('Who did he meet there?').pointsBack).toBe(true);
    expect(analyseQuestion('And what about Togo?').continues).toBe(true);
    expect(analyseQuestion('What did Lavrov discuss in Mali?')).toMatchObject({ asksLatest: false, pointsBack: false, continues: false });
  });

  it('marks words naming the kind of answer, which the evidence need not repeat', () => {
    const q = questionTerms('Which country did Lavrov visit in 2023?');
    expect(q.find((t) => t.term === terms('country')[0])).toMatchObject({ answerType: true });
    expect(q.find((t) => t.term === 'lavrov')).toMatchObject({ name: true, answerType: false });
  });
});

describe('phrases of the question a sentence repeats', () => {
  const asked = phrasesOf("won the critics' award");
  const shared = (text: string) => [...phrasesOf(text)].filter((p) => asked.has(p)).length;
  it('counts terms side by side in the question’s order, stopwords between them ignored', () => {
    expect(shared('His album won the critics’ award for album of the year.')).toBe(2);
  });
  it('does not count the same words scattered', () => {
    expect(shared('The critically acclaimed album won an award in the crossing category.')).toBe(0);
  });
});

describe('the kind asked for beside the question’s words', () => {
  const near = (text: string, kind: Parameters<typeof kindNearQuestion>[2], words: string) =>
    kindNearQuestion(text, entityMentions(text, new Set()), kind, new Set(terms(words)));
  it('is 1 for a figure next to the thing counted, less the further apart they stand', () => {
    expect(near('Nearly 300 school districts closed because of the rally.', 'number', 'school districts')).toBe(1);
    expect(near('More than 1.5 million passengers used Stansted, whose flights were later cancelled.', 'number', 'flights')).toBeCloseTo(1 / 5);
  });
  it('is 1 for a name that holds the word asked for', () => {
    expect(near('"We are joining," NASA Administrator Jim Bridenstine said.', 'person', 'administrator')).toBe(1);
  });
  it('is 0 when the sentence states nothing of the kind or none of the words', () => {
    expect(near('The flights were cancelled.', 'number', 'flights')).toBe(0);
    expect(near('Nearly 300 school districts closed.', 'number', 'salary')).toBe(0);
  });
});

describe('the committed answer model', () => {
  it('weighs the features this build computes (npm run fit -- --write refits it when they change)', () => {
    expect(() => checkModel(answerModel)).not.toThrow();
  });
});
