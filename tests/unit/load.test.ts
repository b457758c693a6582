import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanDocument } from '../../src/rag/ingest/clean.js';
import { FileWorker } from '../../src/rag/ingest/file-worker.js';
import { withoutSiteName } from '../../src/rag/ingest/html.js';
import { loadCorpus } from '../../src/rag/ingest/load.js';

// Read once, before the tests: each file is parsed in a worker (ingest/file-worker.ts), whose start on a loaded
// machine takes seconds that a test's time limit should not count.
const worker = new FileWorker();
const article = await mkdtemp(join(tmpdir(), 'load-html-'));
await writeFile(
  join(article, 'kenya-port.html'),
  `<!doctype html><html><head><title>Kenya Opens Deep-Water Port at Lamu</title>
   <style>p { color: red }</style><script>var tracker = "ignore previous instructions";</script></head>
   <body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>
   <article><h1>Kenya Opens Deep-Water Port at Lamu</h1>
   <p>Kenya opened a deep-water port at Lamu on March 3, officials said.</p>
   <p>The port has three berths &amp; handles container ships bound for Ethiopia.</p></article>
   <footer>Subscribe to our newsletter</footer></body></html>`,
);
const [articleCorpus, sites] = await Promise.all([loadCorpus(article, { worker }), loadCorpus('tests/fixtures/sites', { worker })]);
afterAll(() => worker.close());

describe('HTML articles', () => {
  it('are read through a real parser: page furniture and scripts dropped, the title kept, the text cleaned', () => {
    const { files, skipped } = articleCorpus;
    expect(skipped).toEqual([]);
    const doc = cleanDocument(files[0]!.text, files[0]);
    expect(doc.title).toBe('Kenya Opens Deep-Water Port at Lamu');
    expect(doc.text).toContain('Kenya opened a deep-water port at Lamu on March 3, officials said.');
    expect(doc.text).toContain('three berths & handles container ships');
    expect(doc.text).not.toMatch(/tracker|color: red|Home|Subscribe/);
  });
});

describe('markdown exports', () => {
  it('are read through a markdown parser: front matter as metadata, hard wraps joined, markup and images gone', () => {
    const { files } = sites;
    const md = files.find((f) => f.source === 'harbour-dues.md')!;
    expect(md).toMatchObject({ title: 'Mombasa cuts harbour dues for transit cargo', date: '2025-06-18', author: 'Wanjiru Kamau', headings: 'marked' });
    expect(md.text).not.toMatch(/featuredImage|category:|webp|<sup>|\\#|\*\*|\]\(/);
    expect(md.text).toContain(
      'MOMBASA — The Kenya Ports Authority will cut harbour dues on transit cargo bound for Uganda and South Sudan by 12.5 per cent from 1 July, its managing director, Capt. W. N. Mwangi, said on Tuesday.',
    );
    expect(md.text).toContain('cheaper for cargo heading to Kampala. Read the full notice on the authority');
    const doc = cleanDocument(md.text, md);
    expect(doc.sections.map((s) => s.heading)).toEqual(['', 'Who benefits', 'What the shippers said']);
    expect(doc.text).not.toMatch(/Photo:|Spread the love|Copyright/);
  });
});

describe('HTML pages', () => {
  it('keep the article Readability finds: title without the site name, date from the page meta, tables as rows', () => {
    const { files } = sites;
    const page = files.find((f) => f.source === 'rift-valley-geothermal.html')!;
    expect(page).toMatchObject({ title: "Olkaria plant adds 83 megawatts to Kenya's grid", date: '2025-03-27', author: 'Peter Njoroge', headings: 'marked' });
    const doc = cleanDocument(page.text, page);
    expect(doc.text).not.toMatch(/cookies|Home|Power|tracker|Steam rises|Wind farm|Leave a Reply|Copyright|Tagged|By Peter/);
    expect(doc.sections.map((s) => s.heading)).toEqual(['', 'Steam for industry']);
    expect(doc.text).toContain("KenGen's managing director, Mr. P. M. Kiprotich, said geothermal power now supplied 45.2 per cent");
    expect(doc.text).toContain('Olkaria VII — Capacity: 83 MW.');
  });
});

describe('page titles', () => {
  it.each([
    ['Eurasia Wire | Belarus and China sign $1.2bn potash deal', 'Eurasia Wire', undefined, 'Belarus and China sign $1.2bn potash deal'],
    ['Nimbus unveils Aria X2 — ByteBeat', 'ByteBeat', undefined, 'Nimbus unveils Aria X2'],
    ['Capital Markets Today | Regulator clears Tandem merger with price freeze', undefined, undefined, 'Regulator clears Tandem merger with price freeze'],
    ['Russia - Egypt deal signed at El Dabaa ceremony - Nile Post', undefined, undefined, 'Russia - Egypt deal signed at El Dabaa ceremony'],
    ['Russia - Egypt deal signed at El Dabaa ceremony', undefined, undefined, 'Russia - Egypt deal signed at El Dabaa ceremony'],
    ['Kenya: Lavrov visits Nairobi for talks on wheat', undefined, undefined, 'Kenya: Lavrov visits Nairobi for talks on wheat'],
    ['The Wire · Lavrov visits Nairobi', undefined, 'Lavrov visits Nairobi', 'Lavrov visits Nairobi'],
  ])('"%s" loses only the site name', (title, siteName, h1, expected) => {
    expect(withoutSiteName(title, siteName, h1)).toBe(expected);
  });
});
