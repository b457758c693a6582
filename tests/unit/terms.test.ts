import { describe, expect, it } from 'vitest';
import { askedShape, phrasesOf, sharedPhrases } from '../../src/rag/compose/answer.js';
import { capitalTermsOf, questionTerms, term, terms } from '../../src/rag/text/terms.js';

const same = (a: string, b: string) => expect(terms(a), `${a} ~ ${b}`).toEqual(terms(b));

describe('country names in another form (world-countries data)', () => {
  it.each([
    ['Kenyan', 'Kenya'],
    ['Kenyans', 'Kenya'],
    ['French', 'France'],
    ['Russian', 'Russia'],
    ['Belarusian', 'Belarus'],
    ['Senegalese', 'Senegal'],
    ['Malawian', 'Malawi'],
    ['Dutch', 'Netherlands'],
    ['Holland', 'Netherlands'],
    ['Burma', 'Myanmar'],
    ['Turkish', 'Turkey'],
  ])('%s is %s', (a, b) => same(a, b));

  it('maps the changed word of a two-word demonym: South Korean = South Korea', () => same('South Korean officials', 'South Korea officials'));

  it('leaves alone a demonym two countries share, and native names that are English words', () => {
    expect(terms('Congolese')).toEqual(['congoles']);
    expect(terms('Dominican')).not.toEqual(terms('Dominica'));
    expect(terms('island')).not.toEqual(terms('Iceland'));
  });

  it('does not fold one country into another: Nigerian is not Niger, Austrian is not Australia', () => {
    expect(terms('Nigerian')).toEqual(terms('Nigeria'));
    expect(terms('Nigerian')).not.toEqual(terms('Niger'));
    expect(terms('Austrian')).not.toEqual(terms('Australian'));
  });

  it('knows the capital of a country: a sentence set in Nairobi is about Kenya', () => {
    expect(capitalTermsOf(term('Kenya')!)).toContain(term('Nairobi'));
    expect(capitalTermsOf(term('France')!)).toContain(term('Paris'));
  });

  it('expands CAR only when written in capitals: a car is a vehicle', () => {
    expect(terms('the CAR')).toEqual(terms('Central African Republic'));
    expect(terms('a new car')).toEqual(['new', 'car']);
  });
});

describe('apostrophes, quotes and spellings', () => {
  it.each([
    ["O'Neill", 'O’Neill'],
    ["N'Dour", 'N‘Dour'],
    ["O'Neill", 'Oʼneill'],
    ["Lavrov's visit", 'Lavrov’s visit'],
  ])('%s = %s', (a, b) => same(a, b));

  it('drops the possessive, whichever apostrophe writes it', () => {
    expect(terms('Kenya’s minister')).toEqual(terms('Kenya minister'));
  });

  it('quotation marks around a word change nothing', () => same('the “Skulls” program', 'the "Skulls" program'));

  it.each([
    ['organisation', 'organization'],
    ['centre', 'center'],
    ['labour', 'labor'],
    ['fertiliser', 'fertilizer'],
  ])('British %s = American %s', (a, b) => same(a, b));
});

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

describe('the kind of fact a question asks for', () => {
  it.each([
    ['When did Lavrov arrive in Burundi?', 'date'],
    ['On what date did Lavrov arrive in Senegal?', 'date'],
    ['How much did Newcastle pay Lens for Ndour?', 'money'],
    ['What does the Nimbus Aria X2 cost?', 'money'],
    ['How many children were enrolled in the trial?', 'quantity'],
    ['How much grain did Russia give Mali free of charge?', 'quantity'],
    ['How large is the Russian state loan?', 'quantity'],
    ['Who chairs the Hong Kong Rugby Football Union?', 'person'],
    ['Which countries announced their withdrawal from ECOWAS?', 'names'],
    ['What did Lavrov discuss in Mali?', 'list'],
    ['Where is the studio moving to?', 'place'],
    ['Which album won the critics’ award?', 'names'],
    ['Which phone model does the virus target?', 'code'],
    ['What model of phone does the virus target?', 'code'],
    ['What was the score in the final?', 'quantity'],
    ['What is the unemployment rate in Lesotho?', 'quantity'],
    ['How much did GDP grow in the fourth quarter?', 'quantity'],
  ])('%s → %s', (question, shape) => expect(askedShape(question)).toBe(shape));
});

describe('words that are names of object properties', () => {
  it.each(['valueOf', 'constructor', 'toString', 'hasOwnProperty'])('%s is an ordinary word', (w) => {
    expect(terms(`the ${w} of CAR`)).toEqual([term(w.toLowerCase()), ...terms('Central African Republic')]);
  });

  it('__proto__ is read as the word proto', () => expect(terms('__proto__')).toEqual(terms('proto')));
});

describe('phrases of the question a sentence repeats', () => {
  const asked = phrasesOf("won the critics' award");
  it('counts terms side by side in the question’s order, stopwords between them ignored', () => {
    expect(sharedPhrases(asked, 'His album won the critics’ award for album of the year.')).toBe(2);
  });
  it('does not count the same words scattered', () => {
    expect(sharedPhrases(asked, 'The critically acclaimed album won an award in the crossing category.')).toBe(0);
  });
});
