/** Summaries through the real Engine: each seed article as a news brief, and topics organised by article. */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/rag/engine.js';
import { UnknownSourceError } from '../../src/rag/errors.js';
import { evaluateSummaries, readSummaryCases } from '../../src/measure/summaries.js';
import type { Summary } from '../../src/rag/types.js';
import { cleanedText } from '../support/cleaned-texts.js';

const WEB_CORPUS = 'eval/web/corpus';

interface Opened {
  engine: Engine;
  indexDir: string;
  /** A document's cleaned text as the index records it: what every quote must be a slice of. */
  cleaned: (source: string) => string;
}

/** An engine with defaults only (offline embedder, no language model) over `corpusDir`, in an index of its own. */
async function openEngine(corpusDir: string): Promise<Opened> {
  const indexDir = mkdtempSync(join(tmpdir(), 'summary-index-'));
  const engine = await Engine.open(loadConfig({ CORPUS_DIR: corpusDir, INDEX_DIR: indexDir }, '/nonexistent'), { autoIngest: true });
  return { engine, indexDir, cleaned: (source) => cleanedText(indexDir, source) };
}

let seeds: Opened;

/**
 * A quote that is a list item or table row read alone: a row as the cleaner writes tables ("Agriculture — Sector
 * Potential Benefits: …"), or a one-sentence paragraph in a run of them under a paragraph ending with a colon.
 */
function isFragment(text: string, start: number, quote: string): boolean {
  if (/^[^—:\n]{1,80} — [^:\n]{1,120}: /.test(quote)) return true;
  const paragraphs = text.slice(0, start).split(/\n[ \t]*\n/);
  const own = paragraphs.pop()!;
  if (own.trim()) return false; // the quote does not open its paragraph: prose around it
  if (text.slice(start).split(/\n[ \t]*\n/)[0]!.trim() !== quote.trim()) return false; // more sentences follow: prose
  for (let i = paragraphs.length - 1; i >= 0; i--) {
    const p = paragraphs[i]!.trim();
    if (p.endsWith(':')) return true;
    if (/[.!?]["”’)]?\s+\p{Lu}/u.test(p)) return false; // a paragraph of several sentences: prose, not a list
  }
  return false;
}

function expectNewsBrief(s: Summary, source: string, { cleaned }: Opened = seeds): void {
  const text = cleaned(source);
  expect(s.summary.length).toBeLessThanOrEqual(700);
  expect(s.citations.length).toBeGreaterThanOrEqual(3);
  expect(s.citations.length).toBeLessThanOrEqual(5);
  expect(s.documents).toEqual([expect.objectContaining({ source, citations: s.citations.map((c) => c.n) })]);
  for (const c of s.citations) {
    expect(c.source).toBe(source);
    expect(text.slice(c.start, c.end)).toBe(c.quote);
    expect(s.summary).toContain(`${c.quote} [${c.n}]`);
    expect(isFragment(text, c.start, c.quote), `out of context: ${c.quote}`).toBe(false);
  }
}

beforeAll(async () => {
  seeds = await openEngine('corpus');
}, 120_000);

describe('a seed article summarised as a news brief', () => {
  it('Burundi: names Lavrov and Burundi, and shows the date the lead leaves blank', async () => {
    const s = await seeds.engine.summarize({ source: '000_c2b3d48a19ad4320.txt' });
    expectNewsBrief(s, '000_c2b3d48a19ad4320.txt');
    expect(s.summary).toMatch(/Lavrov/);
    expect(s.summary).toMatch(/Burundi/);
    expect(s.summary).toContain('[insert date]');
    expect(s.flags).toContainEqual({ kind: 'placeholder', text: '[insert date]', source: '000_c2b3d48a19ad4320.txt' });
  });

  it('Central African Republic: names Touadera, Putin and the country', async () => {
    const s = await seeds.engine.summarize({ source: '001_e09e45f6e40bd673.txt' });
    expectNewsBrief(s, '001_e09e45f6e40bd673.txt');
    expect(s.summary).toMatch(/Touadera/);
    expect(s.summary).toMatch(/Putin/);
    expect(s.summary).toMatch(/Central African Republic/);
  });

  it('Togo: names Togo, Russia and the embassies, without the investment table', async () => {
    const s = await seeds.engine.summarize({ source: '002_b32f95e2bef2da54.txt' });
    expectNewsBrief(s, '002_b32f95e2bef2da54.txt');
    expect(s.summary).toMatch(/Togo/);
    expect(s.summary).toMatch(/embass/i);
    expect(s.summary).not.toMatch(/Investment \(in million USD\)/);
  });

  it('Belarus: names Lavrov, Ryzhenkov and Belarus', async () => {
    const s = await seeds.engine.summarize({ source: '003_aed676f35e158f01.txt' });
    expectNewsBrief(s, '003_aed676f35e158f01.txt');
    expect(s.summary).toMatch(/Lavrov/);
    expect(s.summary).toMatch(/Ryzhenkov/);
    expect(s.summary).toMatch(/Belarus/);
  });

  it('Mali: opens with its lead, Lavrov to meet Diop in Moscow on February 28', async () => {
    const s = await seeds.engine.summarize({ source: '004_51570dea19fac233.txt' });
    expectNewsBrief(s, '004_51570dea19fac233.txt');
    expect(s.citations[0]!.quote).toMatch(/Lavrov.*Diop in Moscow on February 28/);
    expect(s.summary).not.toMatch(/Based on materials from TASS/);
  });

  it('says which documents exist when asked for an unknown one', async () => {
    await expect(seeds.engine.summarize({ source: 'missing.txt' })).rejects.toThrow(UnknownSourceError);
  });
});

describe('summary figures on the seed articles (npm run eval -- --summaries)', () => {
  it('state every key fact of eval/summaries.jsonl, within 700 characters, every quote found in its file', async () => {
    const cases = (await readSummaryCases('eval/summaries.jsonl')).filter((c) => c.corpus === 'seeds');
    const report = await evaluateSummaries(cases, async () => seeds.engine);
    const missed = report.cases.filter((c) => c.factsMissed.length).map((c) => `${c.source}: ${c.factsMissed.join(', ')}`);
    expect(report.totals[0]).toMatchObject({ documents: 5, factCoverage: 1, overLength: 0, invalidQuotes: 0 });
    expect(missed).toEqual([]);
  });
});

describe('npm run summary', () => {
  it('prints the brief, its document once under Sources with its citation numbers, and the flag', async () => {
    const env = { ...process.env, CORPUS_DIR: 'corpus', INDEX_DIR: seeds.indexDir };
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'scripts/summary.ts', '--source', '000_c2b3d48a19ad4320.txt'], { env });
    const s = await seeds.engine.summarize({ source: '000_c2b3d48a19ad4320.txt' });
    expect(stdout).toBe(
      `${s.summary}\n\nSources:\n  [1–${s.citations.length}] ${s.documents[0]!.title} (000_c2b3d48a19ad4320.txt)\n` +
        '⚠ The source leaves this blank: [insert date] (000_c2b3d48a19ad4320.txt)\n',
    );
  }, 60_000);
});

describe('a topic summarised article by article', () => {
  it('keeps to the articles about the topic, one line each', async () => {
    const s = await seeds.engine.summarize({ topic: 'Russia and Belarus in BRICS and the EAEU' });
    expect(s.documents.map((d) => d.source)).toEqual(['003_aed676f35e158f01.txt']);
    expect(s.more).toEqual([]);
    const togo = await seeds.engine.summarize({ topic: 'Russia and Togo embassies' });
    expect(togo.documents[0]!.source).toBe('002_b32f95e2bef2da54.txt');
  });

  it('names at most five articles, most relevant first, and counts the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'summary-corpus-'));
    cpSync('corpus', dir, { recursive: true });
    cpSync(WEB_CORPUS, dir, { recursive: true });
    const all = await openEngine(dir);
    const s = await all.engine.summarize({ topic: 'Russia' });
    const lines = s.summary.split('\n');
    expect(s.documents).toHaveLength(5);
    expect(lines).toHaveLength(5);
    expect(s.more.length).toBeGreaterThan(0);
    const named = new Set([...s.documents, ...s.more].map((d) => d.source));
    expect(named.size).toBe(s.documents.length + s.more.length);
    for (const [i, d] of s.documents.entries()) {
      expect(lines[i]!.startsWith(`“${d.title}”`)).toBe(true);
      expect(d.citations.length).toBeGreaterThanOrEqual(1);
      expect(d.citations.length).toBeLessThanOrEqual(2);
      for (const n of d.citations) {
        const c = s.citations[n - 1]!;
        expect(c.source).toBe(d.source);
        expect(lines[i]).toContain(`${c.quote} [${n}]`);
        expect(all.cleaned(c.source).slice(c.start, c.end)).toBe(c.quote);
      }
    }
  }, 120_000);

  it('says nothing is about a topic the corpus never mentions', async () => {
    const s = await seeds.engine.summarize({ topic: 'Japan' });
    expect(s).toMatchObject({ summary: '', citations: [], documents: [], more: [] });
  });
});

describe('articles from other sites', () => {
  let web: Opened;
  beforeAll(async () => {
    web = await openEngine(WEB_CORPUS);
  }, 120_000);

  it('open with the dateline paragraph, not the menu, byline or photo caption', async () => {
    const leads: Record<string, RegExp> = {
      'hornmonitor-cbk-rate-cut.txt': /^NAIROBI — The Central Bank of Kenya/,
      'hornmonitor-eritrea-russia-massawa.txt': /^ASMARA — Eritrea and Russia/,
      'Russia, Egypt install reactor vessel at El Dabaa unit 2 - Nile Post Online.txt': /^Egyptian and Russian engineers/,
      'eurasiawire-belarus-china-potash-great-stone.html': /^MINSK — Belarus and China/,
    };
    expect(readdirSync(WEB_CORPUS)).toEqual(expect.arrayContaining(Object.keys(leads)));
    for (const [source, lead] of Object.entries(leads)) {
      const s = await web.engine.summarize({ source });
      expect(s.citations[0]!.quote).toMatch(lead);
      expectNewsBrief(s, source, web);
    }
  });
});

describe('leads in unusual articles', () => {
  let dir: string;
  let opened: Opened;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'summary-leads-'));
    writeFileSync(
      join(dir, 'scene-setting.txt'),
      [
        'Ruto and Museveni agree on pipeline',
        'As the world watches and the seasons turn, diplomacy in the region enters a new and uncertain chapter for everyone.',
        'Kenyan President William Ruto and Ugandan President Yoweri Museveni agreed in Mombasa on Monday, 3 March 2025, to share the cost of a refined-products pipeline.',
        'The pipeline will run 350 kilometres from Eldoret to Kampala and is due to open in 2028.',
        'Both governments will each hold a 40 per cent stake, with the rest offered to private investors.',
      ].join('\n\n'),
    );
    writeFileSync(
      join(dir, 'home-office.txt'),
      [
        'Migrant checks tightened at ports',
        'Home Secretary Charles Clarke said on Monday that checks on migrants arriving at Dover and Folkestone would double from April.',
        'By contrast, checks at airports will stay as they are, the Home Office said in a statement.',
        'Share prices of ferry operators fell 3% after the announcement in London.',
        'The plans will cost £40m a year and need 600 more border officers, according to the statement.',
      ].join('\n\n'),
    );
    opened = await openEngine(dir);
  }, 120_000);

  it('opens with the first sentence that names someone, somewhere or a date, not with scene-setting', async () => {
    const s = await opened.engine.summarize({ source: 'scene-setting.txt' });
    expect(s.citations[0]!.quote).toMatch(/^Kenyan President William Ruto/);
    expect(s.summary).not.toMatch(/As the world watches/);
  });

  // Words a page's furniture starts with ("Home", "By", "Share") start news sentences too: only a line shaped as
  // furniture as a whole (a menu, a byline, a share bar) is left out.
  it('quotes sentences that open with a word page furniture also uses', async () => {
    const s = await opened.engine.summarize({ source: 'home-office.txt' });
    expect(s.citations[0]!.quote).toMatch(/^Home Secretary Charles Clarke said on Monday/);
    expect(s.summary).toMatch(/By contrast, checks at airports|Share prices of ferry operators/);
  });

  it('quotes a lead too long to quote whole from its start to a clause end, marked with an ellipsis', async () => {
    const lead =
      'GABORONE — Botswana and Namibia signed an agreement on Friday, 6 June 2025, to build a 1,200-kilometre power line ' +
      'between Morupule and Walvis Bay, which officials said would carry up to 600 megawatts of solar and coal power, ' +
      'link the two grids to the Southern African Power Pool, end years of imports from South Africa during the dry ' +
      'season, and create about 4,000 construction jobs in both countries, according to a joint statement issued by ' +
      'the two energy ministries after the signing ceremony in the capital.';
    const body = [
      'The line will be built in three phases, the first of which is due to be finished in 2027.',
      'Namibian Energy Minister Tom Alweendo said the project would make both countries less dependent on South Africa.',
      'The African Development Bank has offered a loan of $450m for the first phase of the power line.',
    ];
    writeFileSync(join(dir, 'power-line.txt'), `Botswana and Namibia agree power line\n\n${lead}\n\n${body.join('\n\n')}\n`);
    await opened.engine.reindex();
    const s = await opened.engine.summarize({ source: 'power-line.txt' });
    expect(lead.length).toBeGreaterThan(420);
    const first = s.citations[0]!;
    expect(lead.startsWith(first.quote)).toBe(true);
    expect(first.quote.length).toBeLessThanOrEqual(420);
    expect(s.summary.startsWith(`${first.quote}… [1]`)).toBe(true);
    expect(opened.cleaned('power-line.txt').slice(first.start, first.end)).toBe(first.quote);
    expect(s.summary.length).toBeLessThanOrEqual(700);
  });
});
