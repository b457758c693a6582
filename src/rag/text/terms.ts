/**
 * Words as the lexical index and the abstention rule see them: case, accents and apostrophes folded (Touadéra =
 * Touadera, O'Neill = O’Neill), a country's demonyms and other names mapped to the country (Kenyan = Kenya, from
 * the world-countries data), the spelling variants this corpus mixes mapped together (Sergei/Sergey), then
 * Porter-stemmed (agriculture = agricultural). Questions and documents go through the same function, so they
 * always agree.
 */
import { stemmer } from 'stemmer';
import corpusWords from './corpus-words.json' with { type: 'json' };
import countryData from './countries.json' with { type: 'json' };

/**
 * Spellings of one name the articles mix that no country table knows (Sergei/Sergey), and acronyms expanded only
 * where written in capitals ("CAR" in these articles; "car" in a news archive is a vehicle): corpus knowledge, kept
 * as data beside this file.
 */
const VARIANTS = new Map(Object.entries(corpusWords.variants));
const ACRONYMS = new Map(Object.entries(corpusWords.acronyms));

/** Function words, question words and verbs that every question uses and no answer turns on. */
export const STOPWORDS = new Set(
  `a about above after again against all also am an and any are as at be because been before being below between both
  but by can could did do does doing down during each few for from further had has have having he her here hers him his
  how i if in into is it its itself just me more most my no nor not now of off on once only or other our out over own
  same she should so some such than that the their them then there these they this those through to too under until up
  very was we were what when where which while who whom why will with would you your yours
  much many tell say said says happen happened mention mentioned give gave given hold held take took make made get got
  go went know describe explain according article source corpus document`.split(/\s+/),
);

export const foldAccents = (s: string) => s.normalize('NFD').replace(/\p{M}+/gu, '');

/** Curly, modifier-letter and grave apostrophes all written as the straight one, so O’Neill and O'Neill are one word. */
const foldApostrophes = (s: string) => s.replace(/[\u2018\u2019\u02BC\u0060\u00B4]/g, "'");

/**
 * A word: letters and digits, with one inner apostrophe ("O'Neill", "N'Dour", "Lavrov's"); or a number with its
 * thousands separators and decimals ("4,800", "12.5"), so "unit 4" is not found in "4,800 megawatts".
 */
const TOKEN = /\p{N}+(?:[.,]\p{N}+)*(?![\p{L}\p{N}])|[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;

/** Word tokens as written (case kept), accents and apostrophes folded, thousands separators dropped; hyphenated words split. */
const tokens = (text: string) =>
  (foldApostrophes(foldAccents(text)).match(TOKEN) ?? []).map((t) => (/^\p{N}/u.test(t) ? t.replace(/,(?=\p{N}{3}(?!\p{N}))/gu, '') : t));

/** Word tokens as written, case and accents kept, possessive 's dropped ("Touadéra", "O'Neill" of "O’Neill's"). */
export function writtenWords(text: string): string[] {
  return (foldApostrophes(text).match(TOKEN) ?? []).map((w) => w.replace(/'s$/, ''));
}

/** Lower-cased, accent-folded word tokens, hyphenated words split ("military-technical" → military, technical). */
export function words(text: string): string[] {
  return tokens(text.toLowerCase()).map((w) => w.replace(/'s$/, ''));
}

/**
 * The country tables (countries.json): which words mean which country (demonyms, other names), each country's
 * capitals, the country each capital stands for, the terms of place names, and the countries of each region. They are
 * built from the world-countries data by country-tables.ts and written by `npm run countries`; reading the data and
 * building them took a cold `ask` some 55 ms (772 KB of JSON, most of it translations no table uses), reading the
 * written tables about 4 ms. A unit test checks that the written tables are what the data and this analysis
 * give, so a change to either is caught before it ships.
 */
interface CountryTables {
  /** Folded word → the one-word country name it stands for: demonyms ("kenyan", "kenyans"), other names ("holland"). */
  aliases: Map<string, string>;
  /** Country term → index terms of its capitals ("kenya" → ["nairobi"]). */
  capitals: Map<string, string[]>;
  /**
   * Capital term → its country's name ("bamako" → "Mali", "bangui" → "Central African Republic"): news names a
   * government by its seat ("talks between Moscow and Bamako").
   */
  seats: Map<string, string>;
  /** Terms of place names: countries (every word of their names), capitals, regions and continents. */
  places: Set<string>;
}

let countryTables: CountryTables | null = null;

function countries(): CountryTables {
  countryTables ??= {
    aliases: new Map(Object.entries(countryData.aliases)),
    capitals: new Map(Object.entries(countryData.capitals)),
    seats: new Map(Object.entries(countryData.seats)),
    places: new Set(countryData.places),
  };
  return countryTables;
}

/** Each region ("Africa", "Europe") with the common names of its countries, as world-countries has them. */
export const countriesByRegion = (): [string, string[]][] => Object.entries(countryData.regions);

/** Countries' names of several words, as their index terms joined by spaces ("central africa republ"). */
let placeNames: Set<string> | null = null;

/** A word folded as the country tables are keyed: lower case, accents and apostrophes folded. */
export const fold = (s: string) => foldApostrophes(foldAccents(s.toLowerCase()));

/** The index term of a folded word, spelling and corpus variants applied, without the country aliases. */
export const plainTerm = (w: string) => stemmer(VARIANTS.get(w) ?? americanSpelling(w));

/** Whether an index term names a place: a country (or a word of its name), a capital, a region or a continent. */
export const isPlaceTerm = (t: string): boolean => countries().places.has(t);

/** Whether index terms name a country whose name has several words ("Central African Republic"). */
export function isPlaceName(ts: string[]): boolean {
  placeNames ??= new Set(
    countriesByRegion()
      .flatMap(([, names]) => names.map((name) => terms(name)))
      .filter((t) => t.length > 1)
      .map((t) => t.join(' ')),
  );
  return placeNames.has(ts.join(' '));
}

/** Index terms of the capitals of a country term (the country's stemmed name): a sentence set in Nairobi is about Kenya. */
export const capitalTermsOf = (countryTerm: string): string[] => countries().capitals.get(countryTerm) ?? [];

/** Index terms of the country whose capital a term names ("bamako" → ["mali"]), or undefined. */
export function countryTermsOfCapital(capitalTerm: string): string[] | undefined {
  const country = countries().seats.get(capitalTerm);
  return country === undefined ? undefined : terms(country);
}

/** Stemming dominates indexing time and corpora repeat their words: each distinct word is analysed once. */
const termCache = new Map<string, string | null>();

/** The index term of one word, or null for a stopword. */
export function term(word: string): string | null {
  let t = termCache.get(word);
  if (t === undefined) {
    t = analyse(word);
    termCache.set(word, t);
  }
  return t;
}

/**
 * British and American spellings written one way (organisation = organization, centre = center, labour = labor).
 * Questions and documents are folded alike, so the spelling need only be consistent, not correct ("rise" is too
 * short to be touched).
 */
function americanSpelling(w: string): string {
  if (w.length < 6) return w;
  return w
    .replace(/is(ation|ations|e|ed|es|ing|er|ers)$/, 'iz$1')
    .replace(/our(s|ed|ing)?$/, 'or$1')
    .replace(/tre(s)?$/, 'ter$1');
}

/**
 * Past forms of irregular verbs that news reports figures and events with, as their present ("rose" = "rise", so
 * "What did the index rise to?" finds "the index rose to 58.6"). Forms that are also other words are left out:
 * "found" (founded), "left" (the side), "lead" (the metal), "saw", "bore".
 */
const IRREGULAR = new Map(
  Object.entries({
    rise: 'rose risen', fall: 'fell fallen', grow: 'grew grown', win: 'won', lose: 'lost', sell: 'sold', pay: 'paid',
    buy: 'bought', meet: 'met', speak: 'spoke spoken', begin: 'began begun', choose: 'chose chosen', bring: 'brought',
    seek: 'sought', strike: 'struck', fight: 'fought', send: 'sent', spend: 'spent', build: 'built', keep: 'kept',
    write: 'wrote written', drive: 'drove driven', break: 'broke broken', fly: 'flew flown', draw: 'drew drawn',
    throw: 'threw thrown', freeze: 'froze frozen', steal: 'stole stolen', shoot: 'shot', swear: 'swore sworn',
    sink: 'sank sunk', shrink: 'shrank shrunk',
  }).flatMap(([verb, forms]) => forms.split(' ').map((form) => [form, verb] as const)),
);

function analyse(word: string): string | null {
  const w = fold(word).replace(/'s$/, '');
  if (!w || STOPWORDS.has(w)) return null;
  const country = countries().aliases.get(w) ?? IRREGULAR.get(w) ?? americanSpelling(w);
  const variant = VARIANTS.get(country) ?? country;
  return variant.includes(' ') ? variant : /^\d/.test(variant) ? variant : stemmer(variant);
}

/** Index terms of a text, in order, stopwords dropped; capitalised acronyms expand ("CAR" → central african republic). */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const token of tokens(text)) {
    const acronym = ACRONYMS.get(token);
    if (acronym) {
      out.push(...acronym.split(' ').flatMap((w) => term(w) ?? []));
      continue;
    }
    const t = term(token.toLowerCase());
    if (t) out.push(t);
  }
  return out;
}

/** A year (1900–2099): a document that names it anywhere is about that year, whatever its sentence says. */
export const isYear = (t: string) => /^(?:19|20)\d{2}$/.test(t);

