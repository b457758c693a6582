import { describe, expect, it } from 'vitest';
import { buildCountryTables, countryRecords } from '../../src/rag/text/country-tables.js';
import writtenTables from '../../src/rag/text/countries.json' with { type: 'json' };
import { capitalTermsOf, countryTermsOfCapital, term, terms, writtenWords } from '../../src/rag/text/terms.js';

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

  it('reads a continent\'s adjective as the continent, but not "American", which news writes of the United States', () => {
    same('Africans', 'Africa');
    same('European leaders', 'Europe leaders');
    same('Asian markets', 'Asia markets');
    expect(terms('American')).not.toEqual(terms('Americas'));
  });

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

  it('knows the country a capital stands for: the government in Bamako is Mali\'s', () => {
    expect(countryTermsOfCapital(term('Bamako')!)).toEqual(terms('Mali'));
    expect(countryTermsOfCapital(term('Moscow')!)).toEqual(terms('Russia'));
    expect(countryTermsOfCapital(term('Bangui')!)).toEqual(terms('Central African Republic'));
    expect(countryTermsOfCapital(term('Djibouti')!)).toBeUndefined(); // the city is named as its country
    expect(countryTermsOfCapital(term('Lavrov')!)).toBeUndefined();
  });

  it('reads the country tables as world-countries and today\'s word analysis build them (else: npm run countries)', () => {
    expect(writtenTables, 'src/rag/text/countries.json is stale: run npm run countries').toEqual(buildCountryTables(countryRecords()));
  });

  it('expands CAR only when written in capitals: a car is a vehicle', () => {
    expect(terms('the CAR')).toEqual(terms('Central African Republic'));
    expect(terms('a new car')).toEqual(['new', 'car']);
  });
});

describe('apostrophes, quotes and spellings', () => {
  it('keeps words as written, case and accents too, the possessive dropped: how a name is shown back', () => {
    expect(writtenWords('O’Neill met Touadéra’s envoy')).toEqual(["O'Neill", 'met', 'Touadéra', 'envoy']);
    // Each written word is the term the text's analysis reads there, so a term's written form can be looked up.
    expect(writtenWords('O’Neill met Touadéra’s envoy').map(term).filter(Boolean)).toEqual(terms('O’Neill met Touadéra’s envoy'));
  });

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

describe('words that are names of object properties', () => {
  it.each(['valueOf', 'constructor', 'toString', 'hasOwnProperty'])('%s is an ordinary word', (w) => {
    expect(terms(`the ${w} of CAR`)).toEqual([term(w.toLowerCase()), ...terms('Central African Republic')]);
  });

  it('__proto__ is read as the word proto', () => expect(terms('__proto__')).toEqual(terms('proto')));
});
