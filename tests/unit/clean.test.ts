import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkDocument } from '../../src/rag/ingest/chunk.js';
import { cleanDocument, repeatedLines } from '../../src/rag/ingest/clean.js';
import { loadCorpus } from '../../src/rag/ingest/load.js';
import { parseMarkdown } from '../../src/rag/ingest/markdown.js';
import { findPlaceholders, findSpeculation } from '../../src/rag/text/flags.js';

const corpus = Object.fromEntries(readdirSync('corpus').map((f) => [f, readFileSync(join('corpus', f), 'utf8')]));
const cleaned = Object.fromEntries(Object.entries(corpus).map(([f, raw]) => [f, cleanDocument(raw)]));
const all = Object.values(cleaned).map((d) => d.text).join('\n');

describe('cleaning the real corpus', () => {
  it.each([
    ['separator lines', /^\s*(?:\.\s*){3,}$/m],
    ['site furniture', /Exit mobile version/],
    ['author blurbs', /seasoned investigative journalist|foreign correspondent with a knack/],
    ['agency trailers', /Based on materials from TASS|GSV "Russia/],
    ['calls to comment', /Share your insights and comments below/],
    ['SEO leftovers', /LSI Keywords/],
    ['promotional asides', /Pro Tip:/],
    ['bullet glyphs', /^\s*[•-]\s/m],
    ['missing spaces after punctuation', /relations,lavrov|Africa\.These|strong,as/],
    ['runs of spaces', / {2,}/],
  ])('removes %s', (_name, pattern) => {
    expect(all).not.toMatch(pattern);
  });

  it('keeps factual asides', () => {
    expect(cleaned['003_aed676f35e158f01.txt']!.text).toContain('Did You Know? The Eurasian Economic Union (EAEU) aims to ensure');
  });

  it('drops a heading repeated on the next line and a section the article repeats', () => {
    const car = cleaned['001_e09e45f6e40bd673.txt']!.text;
    expect(car.split('Significance of Bilateral Relations Between the Central African Republic and Russia').length - 1).toBe(1);
    const togo = cleaned['002_b32f95e2bef2da54.txt']!.text;
    expect(togo.split('The opening ceremony, attended by high-ranking officials').length - 1).toBe(1);
    expect(togo.split('Zimbabwe').length - 1).toBe(1);
  });

  it('keeps each FAQ question with its answer', () => {
    expect(cleaned['003_aed676f35e158f01.txt']!.text).toContain(
      'What key international organizations are Russia and Belarus focusing on for collaboration? The collaboration focuses on the Eurasian Economic Union (EAEU)',
    );
  });

  it('turns every table cell into a sentence that keeps its row and column', () => {
    const car = cleaned['001_e09e45f6e40bd673.txt']!.text;
    expect(car).toMatch(/Agriculture — Sector Potential Investment: US\$ 200 Million\./);
    expect(car).toMatch(/Mining — Sector Potential Investment: US\$ 150 Million\./);
    expect(cleaned['002_b32f95e2bef2da54.txt']!.text).toContain('Angola — Investment (in million USD): 40; Year Established: 2020.');
    expect(cleaned['003_aed676f35e158f01.txt']!.text).toContain('Machinery — Russia: Exporter; Belarus: Importer, Assembly; Meaning: support for production.');
    expect(cleaned['000_c2b3d48a19ad4320.txt']!.text).toContain('Agriculture — Sector Potential Benefits: Increased food production and export opportunities.');
  });

  it('finds exactly one placeholder in the corpus, [insert date] in 000, with its sentence', () => {
    const found = Object.entries(cleaned).flatMap(([f, d]) => d.placeholders.map((p) => ({ f, ...p })));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ f: '000_c2b3d48a19ad4320.txt', text: '[insert date]' });
    expect(found[0]!.sentence).toMatch(/^Arriving on \[insert date\], Lavrov’s trip/);
    const doc = cleaned['000_c2b3d48a19ad4320.txt']!;
    expect(doc.text.slice(found[0]!.offset, found[0]!.offset + 13)).toBe('[insert date]');
  });

  it('does not take brackets, years or acronyms for placeholders', () => {
    expect(findPlaceholders('The Alliance of Sahel States (ASC) [formed in 2023] met in 2024 (EAEU, CIS).')).toEqual([]);
    expect(findPlaceholders('Due on [TBD], see {{author}} and XX/XX; lorem ipsum.').map((p) => p.text)).toEqual([
      '[TBD]',
      '{{author}}',
      'XX/XX',
      'lorem ipsum',
    ]);
  });

  it('marks hedged speculation but not the month of May', () => {
    expect(findSpeculation('Lavrov’s discussions likely touched on investment.')).toEqual(['likely touched on']);
    expect(findSpeculation('The treaty was signed in May 1999.')).toEqual([]);
  });

  it('titles every document', () => {
    expect(cleaned['000_c2b3d48a19ad4320.txt']!.title).toBe('Sergei Lavrov’s Diplomatic Journey: Strengthening Ties Between Russia and Burundi');
    expect(cleaned['003_aed676f35e158f01.txt']!.title).toMatch(/^Russia And Belarus Deepen Strategic Cooperation/);
    expect(cleaned['002_b32f95e2bef2da54.txt']!.title).toBe('Russia Expands Diplomatic Footprint in Africa with Togo Embassy Opening');
    expect(cleaned['004_51570dea19fac233.txt']!.title).toMatch(/^Russian Foreign Minister Sergey Lavrov is set to meet/);
    for (const d of Object.values(cleaned)) expect(d.title.length).toBeGreaterThan(10);
  });

  it('maps every copied word back to the same word in the original file', () => {
    for (const [file, doc] of Object.entries(cleaned)) {
      const raw = corpus[file]!;
      let checked = 0;
      for (const paragraph of doc.text.split('\n\n')) {
        if (paragraph.includes(' — ')) continue; // table rows: column names are written by cleaning, not copied
        const start = doc.text.indexOf(paragraph);
        for (const m of paragraph.matchAll(/[\p{L}\p{N}]{4,}/gu)) {
          const at = doc.toOriginal(start + m.index!);
          expect(raw.slice(at, at + m[0].length)).toBe(m[0]);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(200);
    }
  });

  it('chunks carry offsets that slice exactly their text', () => {
    for (const [file, doc] of Object.entries(cleaned)) {
      for (const c of chunkDocument(file, doc)) {
        expect(doc.text.slice(c.start, c.end)).toBe(c.text);
        for (const s of c.sentences) expect(doc.text.slice(s.start, s.end)).toBe(s.text);
      }
    }
  });
});

describe('cleaning any input', () => {
  it('never throws, is idempotent, and chunk offsets always hold', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (input) => {
        const once = cleanDocument(input);
        expect(cleanDocument(once.text).text).toBe(once.text);
        for (const c of chunkDocument('x.txt', once)) expect(once.text.slice(c.start, c.end)).toBe(c.text);
      }),
      { numRuns: 300 },
    );
  });
});

/** Cleans a page given as lines, alone (no corpus around it). */
const cleanLines = (...lines: string[]) => cleanDocument(lines.join('\n'));
const PROSE = 'Five companies have bid to run the container terminal at Kisumu port, the authority said on Monday.';

describe('furniture recognised by its shape, whatever the site', () => {
  it.each([
    ['page labels', ['Advertisement', 'Search …', 'Related', 'Share', 'Exit mobile version']],
    ['calls to act', ['Spread the love', 'Share on Facebook / Twitter / WhatsApp', 'Also Read: Ferry fares on Lake Victoria to rise in March', 'Read the original article on Lakeside Courier', 'Report an error', 'Click here to follow Lakeside Courier on WhatsApp', 'Lakeside Courier is a non-profit newsroom. Support our work: click here to donate.', 'What do you think? Share your thoughts in the comments below!']],
    ['links to the site\'s other articles', ['Also on the Lakeside Courier: Ferry fares on Lake Victoria to rise in March · Kisumu port tender draws five bidders', 'More from Coastline Media: Mombasa cranes arrive from Shanghai']],
    ['comment forms', ['Leave a Reply', 'Your email address will not be published. Required fields are marked *', 'Comment *', 'Save my name, email, and website in this browser for the next time I comment.', 'Post Comment']],
    ['copyright and cookie lines', ['Copyright © 2025 Lakeside Courier. All rights reserved.', '© 2025 Coastline Media. All rights reserved. | Terms | Privacy', 'We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.']],
    ['bylines', ['By Achieng Otieno', 'By Mona El-Sayed, Energy Correspondent', 'Staff Reporter', 'Staff Reports', 'From staff and wire reports', '3 June 2025 | By Thomas Avery, Legal Correspondent | 6 min read']],
    ['time stamps', ['Published · 2 mins ago', 'Updated: 14 March 2024 09:12 GMT', 'Published: 23 August 2024', 'Posted on March 3, 2024 at 10:05', 'Thursday, 11 September 2025', '5 mins ago']],
    ['photo captions', ['Cranes at the Kisumu inland port. Photo: Lakeside Courier / Brian Ouma', '(File photo) Fishermen land their catch at Dunga beach.', 'A nurse prepares a dose at a clinic near Blantyre. Photo courtesy of the trial team']],
    ['navigation', ['Home > Business > Transport', 'News › Employment › Gig economy', 'Egypt | Business | Energy | Opinion | Video', 'About Us | Contact | Advertise | Privacy Policy']],
    ['section labels and tags', ['ENERGY', 'Tagged: Ports, Kisumu, Transport', 'Filed under: Trade']],
  ])('drops %s', (_kind, lines) => {
    const doc = cleanLines(...lines.flatMap((l) => [l, '']), PROSE);
    expect(doc.text).toBe(PROSE);
  });

  it('keeps prose that merely mentions the same words', () => {
    const prose = [
      'Share prices of the port operator rose 4 per cent on Monday.',
      'By March the talks had collapsed, officials said.',
      'The photo agency said its staff had been detained for two days.',
      'Copyright lawyers said the ruling would matter for every newspaper in the region.',
      'Readers who subscribe to the print edition will get the supplement free.',
      'Published figures show inflation fell to 3.6 per cent in September',
      'Updated forecasts put growth at 5.2 per cent.',
      'Also on Tuesday the authority said: "We will name the winner by June."',
    ];
    expect(cleanLines(...prose.flatMap((p) => [p, ''])).text).toBe(prose.join('\n\n'));
  });

  it('drops the headlines listed under a "Read more:" label', () => {
    const doc = cleanLines(PROSE, '', 'Read more:', 'Uganda opens new lake berth at Port Bell', 'Tanzania tenders Mwanza dredging works', '', 'The authority will name the winner by June.');
    expect(doc.text).toBe(`${PROSE}\n\nThe authority will name the winner by June.`);
  });

  it('drops a trailer after the last sentence and the masthead above the headline', () => {
    const doc = cleanLines('Lakeside Courier', 'Kisumu port tender draws five bidders', '', PROSE, 'Lakeside Desk "Ports and Trade"');
    expect(doc.title).toBe('Kisumu port tender draws five bidders');
    expect(doc.text).toBe(`Kisumu port tender draws five bidders\n\n${PROSE}`);
  });
});

/**
 * Reference texts (a Wikipedia-style passage per file, as the SQuAD- and CLAPnq-derived sets are saved) open with the
 * article's title on its own line, often one or two words, and the passage right under it.
 */
describe('a file that opens with its title and the body under it', () => {
  const INSULIN = 'Insulin is a hormone made in the pancreas that lets the body take sugar from the blood.';

  it.each([
    ['after a blank line', ['Forecasting', '', 'Forecasting is the craft of saying what comes next from what is known today. Weather services do it every hour.']],
    ['on the next line', ['Insulin', INSULIN]],
    ['of two words', ['Machine learning', '', 'The field builds programs that get better at a task the more examples they are shown.']],
    ['in capitals, repeated by the body', ['NATO', '', 'The North Atlantic Treaty Organization (NATO) is a military alliance founded in 1949.']],
  ])('is titled by that line, kept in its text: a title %s', (_case, lines) => {
    const doc = cleanLines(...lines);
    expect(doc.title).toBe(lines[0]);
    expect(doc.text.startsWith(`${lines[0]}\n\n`)).toBe(true);
    expect(doc.sections.at(-1)!.heading).toBe(lines[0]);
  });

  it('keeps the title that every passage of one article repeats, which would otherwise be the corpus furniture', () => {
    const passages = [`Insulin\n\n${INSULIN}`, 'Insulin\n\nIt was first given to a patient in Toronto in 1922, and the boy lived.'];
    const furniture = repeatedLines(passages);
    expect(furniture).toContain('insulin');
    expect(passages.map((p) => cleanDocument(p, { furniture }).title)).toEqual(['Insulin', 'Insulin']);
  });

  it('takes a markdown file\'s short "# " heading on its first line the same way', () => {
    const parsed = parseMarkdown(`# Insulin\n\n${INSULIN}\n`);
    expect(cleanDocument(parsed.text, parsed).title).toBe('Insulin');
  });

  it('still drops a label or a byline above the body, and still prefers the headline to a section label', () => {
    for (const label of ['PRESS RELEASE', 'Staff Reports']) {
      const doc = cleanLines(label, '', PROSE);
      expect(doc.text).toBe(PROSE);
      expect(doc.title).not.toContain(label);
    }
    const labelled = cleanLines('Business', 'Kisumu port tender draws five bidders', '', PROSE);
    expect(labelled.title).toBe('Kisumu port tender draws five bidders');
  });
});

/** Pages this team wrote in the shape of saved news sites (tests/fixtures/sites): three of one site, a markdown
 * export, an HTML page, a headline run into its body. */
const { files: sitePages } = await loadCorpus('tests/fixtures/sites');
const furniture = repeatedLines(sitePages.map((f) => f.text));
const docs = Object.fromEntries(sitePages.map((f) => [f.source, cleanDocument(f.text, { ...f, furniture })]));

describe('a corpus of saved pages', () => {
  it('treats lines that several pages share as the site furniture, and drops them', () => {
    expect(furniture).toContain('lakeside courier');
    for (const name of ['lakeside-port-tender.txt', 'lakeside-fish-exports.txt', 'lakeside-rail-link.txt']) {
      expect(docs[name]!.text).not.toMatch(/LAKESIDE COURIER|Subscribe|Spread the love|Copyright|Tagged|Leave a Reply|Photo:|File photo|By Achieng|Read more|Port Bell|Home >/);
    }
  });

  it('keeps every sentence of the articles, with abbreviations and initials inside one sentence', () => {
    const tender = docs['lakeside-port-tender.txt']!;
    expect(tender.text).toBe(
      [
        'Kisumu port tender draws five bidders',
        'KISUMU — Five companies have bid to run the container terminal at Kisumu port, the Kenya Ports Authority said on Monday.',
        'The authority said the winner would be named by June and would operate the terminal for 15 years. Mr. S. K. Were, the port manager, said the bids were worth a combined $84.5m.',
        '"We want the lake to carry more cargo than the roads," Mr. Were said.',
      ].join('\n\n'),
    );
    const chunkSentences = chunkDocument('lakeside-port-tender.txt', tender).flatMap((c) => c.sentences.map((s) => s.text));
    expect(chunkSentences).toContain('Mr. S. K. Were, the port manager, said the bids were worth a combined $84.5m.');
  });

  it('joins the lines of a hard-wrapped plain-text paragraph, each word still mapping to the file', () => {
    const doc = docs['wrapped-newsletter.txt']!;
    const raw = sitePages.find((f) => f.source === 'wrapped-newsletter.txt')!.text;
    const sentence = "Ms. Achieng A. Odhiambo, the company's managing director, said the works had not been upgraded since 1998.";
    expect(doc.text.split('\n\n')).toHaveLength(4);
    expect(chunkDocument('wrapped-newsletter.txt', doc).flatMap((c) => c.sentences.map((s) => s.text))).toContain(sentence);
    const at = doc.text.indexOf('upgraded since 1998');
    expect(raw.slice(doc.toOriginal(at), doc.toOriginal(at) + 19)).toBe('upgraded since 1998');
  });

  // A headline run into its body is cut where the body visibly starts ("The" is written "the" elsewhere); where no
  // word shows it ("Hundreds" is not), the title is the first words, marked as cut.
  it('titles each page by its headline or stated title, never a masthead, byline or date line', () => {
    expect(Object.fromEntries(Object.entries(docs).map(([name, d]) => [name, d.title]))).toEqual({
      'harbour-dues.md': 'Mombasa cuts harbour dues for transit cargo',
      'headline-into-body.txt': 'Kisumu ferry fares to rise',
      'headline-run-on.txt': 'Kisumu fish traders protest new levy Hundreds of fish traders marched through…',
      'lakeside-fish-exports.txt': 'Nile perch exports recover after two-year slump',
      'lakeside-port-tender.txt': 'Kisumu port tender draws five bidders',
      'lakeside-rail-link.txt': 'Rail link to Kisumu reopens for freight',
      'rift-valley-geothermal.html': "Olkaria plant adds 83 megawatts to Kenya's grid",
      'wrapped-newsletter.txt': 'County approves new water tariff for Kisumu households',
    });
  });

  it('keeps the date a page states: front matter, page meta, or a dateline near the top', () => {
    expect(Object.fromEntries(Object.entries(docs).map(([name, d]) => [name, d.date]))).toEqual({
      'harbour-dues.md': '2025-06-18',
      'headline-into-body.txt': undefined,
      'headline-run-on.txt': undefined,
      'lakeside-fish-exports.txt': '2025-03-11',
      'lakeside-port-tender.txt': '2025-02-04',
      'lakeside-rail-link.txt': undefined,
      'rift-valley-geothermal.html': '2025-03-27',
      'wrapped-newsletter.txt': undefined,
    });
  });
});
