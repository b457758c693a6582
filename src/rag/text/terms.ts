/**
 * Words as the lexical index and the abstention rule see them: case, accents and apostrophes folded (Touadéra =
 * Touadera, O'Neill = O’Neill), a country's demonyms and other names mapped to the country (Kenyan = Kenya, from
 * the world-countries data), the spelling variants this corpus mixes mapped together (Sergei/Sergey), then
 * Porter-stemmed (agriculture = agricultural). Questions and documents go through the same function, so they
 * always agree.
 */
import { createRequire } from 'node:module';
import { stemmer } from 'stemmer';
import corpusWords from './corpus-words.json' with { type: 'json' };

/**
 * Spellings of one name the articles mix that no country table knows (Sergei/Sergey), and acronyms expanded only
 * where written in capitals ("CAR" in these articles; "car" in a news archive is a vehicle): corpus knowledge, kept
 * as data beside this file.
 */
const VARIANTS = new Map(Object.entries(corpusWords.variants));
const ACRONYMS = new Map(Object.entries(corpusWords.acronyms));

/** Function words, question words and verbs that every question uses and no answer turns on. */
const STOPWORDS = new Set(
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

/** Lower-cased, accent-folded word tokens, hyphenated words split ("military-technical" → military, technical). */
export function words(text: string): string[] {
  return tokens(text.toLowerCase()).map((w) => w.replace(/'s$/, ''));
}

interface CountryRecord {
  name: { common: string };
  independent?: boolean;
  altSpellings: string[];
  capital: string[];
  region?: string;
  subregion?: string;
  demonyms?: { eng?: { f: string; m: string } };
}

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

/**
 * The country tables, built on first use from the world-countries data (250 countries), so a process that never
 * analyses a word never pays for them. The package's minified copy parses in about half the time of its main file
 * (some 25 ms here): a cold `ask` pays it once.
 */
const countryRecords = () => createRequire(import.meta.url)('world-countries/dist/countries.json') as CountryRecord[];

function countries(): CountryTables {
  countryTables ??= buildCountryTables(countryRecords());
  return countryTables;
}

/** Countries' names of several words, as their index terms joined by spaces ("central africa republ"). */
let placeNames: Set<string> | null = null;

const fold = (s: string) => foldApostrophes(foldAccents(s.toLowerCase()));
const isOneWord = (s: string) => /^[\p{L}]+$/u.test(s);

/** Plural of a demonym used as a noun ("Kenyans", "Israelis"); "Swiss", "French", "Togolese" have none. */
const demonymPlural = (d: string) => (/(?:s|sh|ch|ese|x|z)$/.test(d) ? null : `${d}s`);

/**
 * A country's other one-word names: "Holland", "Burma", "Turkey" (from "Republic of Turkey"). Codes ("KE"),
 * acronyms ("UAE") and words of its native long name ("Island" in "Lýðveldið Ísland") are left out: they are
 * ordinary words in English text.
 */
const ENGLISH_LONG_FORM = /^(?:Republic|Kingdom|State|Commonwealth) of (?:the )?(\p{Lu}\p{Ll}{3,})$/u;

function otherNames(altSpellings: string[]): string[] {
  const native = new Set(altSpellings.filter((a) => a.includes(' ') && !ENGLISH_LONG_FORM.test(a)).flatMap((a) => fold(a).split(' ')));
  return altSpellings
    .map((a) => a.match(ENGLISH_LONG_FORM)?.[1] ?? a)
    .filter((a) => /^\p{Lu}\p{Ll}{3,}$/u.test(a))
    .map(fold)
    .filter((a) => !native.has(a));
}

/**
 * Which words mean which country. Only one-word country names are targets: mapping "American" onto "united" and
 * "states" would make every American sentence mention a state. A demonym several countries share (Congolese,
 * Dominican) is left alone. A multi-word demonym that differs from its country's name only in the last word
 * ("South Korean" / "South Korea") maps that word ("korean" → korea).
 */
export function buildCountryTables(records: CountryRecord[]): CountryTables {
  // Sovereign countries' claims come first: "French" is France's, though the French Southern Lands share it.
  const claims = { sovereign: new Map<string, Set<string>>(), territory: new Map<string, Set<string>>() };
  let current = claims.sovereign;
  const claim = (alias: string | null, country: string) => {
    if (!alias || alias === country || !isOneWord(alias)) return;
    const set = current.get(alias) ?? new Set<string>();
    set.add(country);
    current.set(alias, set);
  };
  const capitals = new Map<string, string[]>();
  const seats = new Map<string, string | null>();
  const names = new Set(records.map((r) => fold(r.name.common)));
  const wordTerm = (w: string) => stemmer(VARIANTS.get(w) ?? americanSpelling(w));
  for (const r of records) {
    current = r.independent === false ? claims.territory : claims.sovereign;
    const name = fold(r.name.common);
    const demonyms = [...new Set([r.demonyms?.eng?.m, r.demonyms?.eng?.f].filter((d): d is string => !!d).map(fold))];
    for (const d of demonyms) {
      claim(d, name);
      claim(demonymPlural(d), name);
    }
    if (isOneWord(name)) {
      for (const alt of otherNames(r.altSpellings)) claim(alt, name);
      const capitalTerms = r.capital.filter((c) => isOneWord(fold(c))).map((c) => stemmer(fold(c)));
      if (capitalTerms.length) capitals.set(stemmer(name), capitalTerms);
    }
    if (r.independent !== false) {
      for (const c of r.capital.map(fold).filter(isOneWord).map(wordTerm)) {
        // A capital two countries list (none today) or one named as its country (Djibouti) stands for no other name.
        if (isOneWord(name) && wordTerm(name) === c) continue;
        seats.set(c, seats.has(c) ? null : r.name.common);
      }
    }
    const nameWords = name.split(' ');
    for (const d of demonyms) {
      const demonymWords = d.split(' ');
      const n = demonymWords.length;
      if (n >= 2 && n === nameWords.length && demonymWords.slice(0, -1).join(' ') === nameWords.slice(0, -1).join(' ')) {
        claim(demonymWords[n - 1]!, nameWords[n - 1]!);
      }
    }
  }
  const aliases = new Map<string, string>();
  const all = new Set([...claims.sovereign.keys(), ...claims.territory.keys()]);
  for (const alias of all) {
    const targets = claims.sovereign.get(alias) ?? claims.territory.get(alias)!;
    const [target] = targets;
    // A word that is itself some country's name ("Niger") keeps meaning that country.
    if (targets.size === 1 && isOneWord(target!) && !names.has(alias)) aliases.set(alias, target!);
  }
  // Words many place names share ("Republic", "Islands", "South", "Saint") name no place on their own.
  const placeWords = [...new Set(records.flatMap((r) => [r.name.common, ...r.capital, r.region ?? '', r.subregion ?? '']))]
    .flatMap((name) => [...new Set(fold(name).split(/[\s-]+/))])
    .filter((w) => w.length > 2 && !STOPWORDS.has(w))
    .map(wordTerm);
  const uses = new Map<string, number>();
  for (const w of placeWords) uses.set(w, (uses.get(w) ?? 0) + 1);
  const wholeNames = new Set([...names, ...records.map((r) => fold(r.region ?? ''))].filter(isOneWord).map((w) => stemmer(w)));
  const places = new Set(placeWords.filter((w) => uses.get(w)! < 3 || wholeNames.has(w)));
  for (const country of aliases.values()) places.add(stemmer(country));
  return { aliases, capitals, seats: new Map([...seats].filter((e): e is [string, string] => e[1] !== null)), places };
}

/** Whether an index term names a place: a country (or a word of its name), a capital, a region or a continent. */
export const isPlaceTerm = (t: string): boolean => countries().places.has(t);

/** Whether index terms name a country whose name has several words ("Central African Republic"). */
export function isPlaceName(ts: string[]): boolean {
  placeNames ??= new Set(countryRecords().map((r) => terms(r.name.common)).filter((t) => t.length > 1).map((t) => t.join(' ')));
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

