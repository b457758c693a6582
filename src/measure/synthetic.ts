/**
 * Deterministic synthetic data for benchmarks: corpora of any size made from the real documents' sentences with
 * their names and numbers varied (so vectors and BM25 statistics look like real news text, not random noise), and
 * paraphrases of evaluation questions. The same seed always gives the same output.
 */
import type { Chunk } from '../rag/ingest/chunk.js';
import type { SentenceSpan } from '../rag/text/sentences.js';

/** Mulberry32: a small, fast, well-distributed 32-bit PRNG; enough for shuffling test data reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/**
 * Places and capitals the word vectors know, added to the corpus's own names so that varied sentences talk about
 * many more countries than the five articles do.
 */
const EXTRA_NAMES = `Algeria Angola Argentina Armenia Azerbaijan Bangladesh Benin Bolivia Botswana Brazil Cameroon Chad Chile
  China Colombia Congo Cuba Egypt Eritrea Ethiopia Gabon Gambia Ghana Guinea India Indonesia Iran Iraq Jordan Kazakhstan
  Kenya Kyrgyzstan Laos Lebanon Liberia Libya Madagascar Malawi Mauritania Mongolia Morocco Mozambique Namibia Nepal
  Nicaragua Nigeria Pakistan Peru Rwanda Senegal Serbia Somalia Sudan Syria Tajikistan Tanzania Tunisia Turkey Uganda
  Uzbekistan Venezuela Vietnam Yemen Zambia Zimbabwe Accra Addis Abuja Algiers Ankara Astana Baku Beijing Cairo Dakar
  Delhi Hanoi Harare Havana Kampala Khartoum Kigali Kinshasa Lagos Luanda Lusaka Nairobi Niamey Rabat Tashkent Tehran
  Tunis Yaounde`.split(/\s+/);

/** A capitalised word that is not the first of its sentence (possessive 's left outside). */
const CAPITALISED = /(?<=\S\s+)\p{Lu}\p{L}+(?:-\p{Lu}\p{L}+)*/gu;
const NUMBER = /\d+/g;

export interface SyntheticDocument {
  source: string;
  title: string;
  text: string;
  sections: { heading: string; start: number; end: number }[];
  chunks: Chunk[];
}

export interface SentenceSource {
  sentences: string[];
  headings: string[];
  titles: string[];
}

/** Sentences, headings and titles of the real documents' chunks: the material synthetic documents are made of. */
export function sentenceSource(chunks: Chunk[]): SentenceSource {
  const sentences = new Set<string>();
  for (const c of chunks) for (const s of c.sentences) if (/\p{L}{3}/u.test(s.text)) sentences.add(s.text);
  const titles = [...new Set(chunks.map((c) => c.title))];
  const headings = [...new Set(chunks.map((c) => c.heading).filter(Boolean))];
  // A corpus without headings (the BBC archive's plain-text articles) lends its titles as headings.
  return { sentences: [...sentences], headings: headings.length ? headings : titles, titles };
}

/**
 * Names of people, places and organisations: capitalised words whose lower-case form the corpus never uses
 * ("Lavrov", "Bamako"; not "Foreign" or "Economic", which also occur in lower case).
 */
function namesIn(sentences: string[]): Set<string> {
  const lower = new Set(sentences.flatMap((s) => s.match(/\p{Ll}+/gu) ?? []));
  return new Set(sentences.flatMap((s) => s.match(CAPITALISED) ?? []).filter((w) => !lower.has(w.toLowerCase())));
}

/** Replaces names through the document's own mapping (so a document stays consistent) and varies every number. */
function vary(text: string, known: Set<string>, names: Map<string, string>, pool: string[], random: () => number): string {
  return text
    .replace(CAPITALISED, (word) => {
      if (!known.has(word)) return word;
      if (!names.has(word)) names.set(word, random() < 0.7 ? pick(random, pool) : word);
      return names.get(word)!;
    })
    .replace(NUMBER, (digits) => {
      if (digits.length === 4 && /^(19|20)/.test(digits)) return String(1950 + Math.floor(random() * 80));
      const low = digits.length > 1 ? 10 ** (digits.length - 1) : 0;
      return String(low + Math.floor(random() * (10 ** digits.length - low)));
    });
}

const CHUNKS_PER_DOCUMENT = 20;
const CHUNKS_PER_SECTION = 5;

/**
 * `total` chunks in documents of twenty, each chunk three to five real sentences drawn from anywhere in the corpus,
 * with names and numbers varied per document. Chunks do not overlap; offsets are exact (text.slice(start, end)).
 */
export function syntheticCorpus(material: SentenceSource, total: number, seed = 1): SyntheticDocument[] {
  const random = seededRandom(seed);
  const known = namesIn(material.sentences);
  const pool = [...new Set([...known, ...EXTRA_NAMES])];
  const varied = (text: string, names: Map<string, string>) => vary(text, known, names, pool, random);
  const documents: SyntheticDocument[] = [];
  for (let made = 0; made < total; ) {
    const source = `synthetic-${String(documents.length).padStart(6, '0')}.txt`;
    const names = new Map<string, string>();
    const title = varied(pick(random, material.titles), names);
    const count = Math.min(CHUNKS_PER_DOCUMENT, total - made);
    let text = `${title}\n\n`;
    const sections: SyntheticDocument['sections'] = [];
    const chunks: Chunk[] = [];
    for (let i = 0; i < count; i++) {
      if (i % CHUNKS_PER_SECTION === 0) {
        const heading = varied(pick(random, material.headings), names);
        text += `${heading}\n\n`;
        sections.push({ heading, start: text.length, end: text.length });
      }
      const section = sections[sections.length - 1]!;
      const spans: SentenceSpan[] = [];
      const sentenceCount = 3 + Math.floor(random() * 3);
      for (let s = 0; s < sentenceCount; s++) {
        if (s) text += ' ';
        const sentence = varied(pick(random, material.sentences), names);
        spans.push({ start: text.length, end: text.length + sentence.length, text: sentence });
        text += sentence;
      }
      const start = spans[0]!.start;
      const end = spans[spans.length - 1]!.end;
      chunks.push({ id: `${source}#${i}`, source, title, heading: section.heading, start, end, text: text.slice(start, end), sentences: spans });
      section.end = end;
      text += '\n\n';
    }
    documents.push({ source, title, text, sections, chunks });
    made += count;
  }
  return documents;
}

/** Ways people rephrase a question; each keeps the question's content words, so answers stay comparable. */
const REPHRASINGS: ((q: string) => string)[] = [
  (q) => q.toLowerCase().replace(/\?$/, ''),
  (q) => `Can you tell me ${lowerFirst(q)}`,
  (q) => `According to the articles, ${lowerFirst(q)}`,
  (q) => `Quick question: ${q}`,
  (q) => `${q} Please cite the source.`,
  (q) =>
    q
      .replace(/^When\b/, 'On what date')
      .replace(/^Who\b/, 'Which person')
      .replace(/\bdiscuss(ed)?\b/, 'talk about')
      .replace(/^How much\b/, 'What amount of')
      .replace(/\bannounce\b/, 'declare'),
];

function lowerFirst(q: string): string {
  return /^[A-Z][a-z]/.test(q) ? q[0]!.toLowerCase() + q.slice(1) : q;
}

/** Every question followed by its rephrasings: `questions.length × 7` questions, in a fixed order. */
export function paraphrases(questions: string[]): string[] {
  return questions.flatMap((q) => [q, ...REPHRASINGS.map((rephrase) => rephrase(q))]);
}
