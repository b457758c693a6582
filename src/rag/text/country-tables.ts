/**
 * How the country tables of text/countries.json are built from the world-countries data (250 countries): which
 * words mean which country, each country's capitals, the country a capital stands for, the terms of place names, and
 * the countries of each region. `npm run countries` writes them; answering reads the written file (terms.ts), and a
 * unit test checks that it is what this module builds today.
 */
import { createRequire } from 'node:module';
import { stemmer } from 'stemmer';
import { fold, plainTerm, STOPWORDS } from './terms.js';

interface CountryRecord {
  name: { common: string };
  independent?: boolean;
  altSpellings: string[];
  capital: string[];
  region: string;
  subregion?: string;
  demonyms?: { eng?: { f: string; m: string } };
}

/** The tables as countries.json holds them. */
export interface CountryTableData {
  aliases: Record<string, string>;
  capitals: Record<string, string[]>;
  seats: Record<string, string>;
  places: string[];
  regions: Record<string, string[]>;
}

/** The package's minified copy: it parses in about half the time of its main file. */
export const countryRecords = () => createRequire(import.meta.url)('world-countries/dist/countries.json') as CountryRecord[];

const isOneWord = (s: string) => /^[\p{L}]+$/u.test(s);

/** Plural of a demonym used as a noun ("Kenyans", "Israelis"); "Swiss", "French", "Togolese" have none. */
const demonymPlural = (d: string) => (/(?:s|sh|ch|ese|x|z)$/.test(d) ? null : `${d}s`);

/**
 * The continents' adjectives, which stem apart from their names ("Europeans" and "Europe", "Asian" and "Asia"):
 * "African leaders" are leaders in Africa. "American" is left out: news writes it of the United States.
 */
const CONTINENT_ADJECTIVES: Record<string, string> = { african: 'africa', asian: 'asia', european: 'europe', oceanian: 'oceania' };

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
export function buildCountryTables(records: CountryRecord[]): CountryTableData {
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
      for (const c of r.capital.map(fold).filter(isOneWord).map(plainTerm)) {
        // A capital two countries list (none today) or one named as its country (Djibouti) stands for no other name.
        if (isOneWord(name) && plainTerm(name) === c) continue;
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
  current = claims.sovereign;
  for (const [adjective, continent] of Object.entries(CONTINENT_ADJECTIVES)) {
    claim(adjective, continent);
    claim(demonymPlural(adjective), continent);
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
  const placeWords = [...new Set(records.flatMap((r) => [r.name.common, ...r.capital, r.region, r.subregion ?? '']))]
    .flatMap((name) => [...new Set(fold(name).split(/[\s-]+/))])
    .filter((w) => w.length > 2 && !STOPWORDS.has(w))
    .map(plainTerm);
  const uses = new Map<string, number>();
  for (const w of placeWords) uses.set(w, (uses.get(w) ?? 0) + 1);
  const wholeNames = new Set([...names, ...records.map((r) => fold(r.region))].filter(isOneWord).map((w) => stemmer(w)));
  const places = new Set(placeWords.filter((w) => uses.get(w)! < 3 || wholeNames.has(w)));
  for (const country of aliases.values()) places.add(stemmer(country));
  const regions: Record<string, string[]> = {};
  for (const r of records) (regions[r.region] ??= []).push(r.name.common);
  return {
    aliases: Object.fromEntries(aliases),
    capitals: Object.fromEntries(capitals),
    seats: Object.fromEntries([...seats].filter((e): e is [string, string] => e[1] !== null)),
    places: [...places],
    regions,
  };
}

