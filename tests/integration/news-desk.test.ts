/**
 * The news desk's view, on real indexes: the seed articles plus rewritten copies of two of them (one moves the
 * Moscow talks to March 1 and raises the grain to 30,000 tons), the seeds alone, and the desk dev set (eval/desk:
 * copies of one story, a pair that disagrees on a date, one on a figure, Russia and Mali over five years).
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { Engine } from '../../src/rag/engine.js';
import type { IngestReport } from '../../src/rag/types.js';

const SEED_COPIES = 'tests/fixtures/seed-copies';
const DESK = 'eval/desk/corpus';

let withCopies: Engine;
let seeds: Engine;
let desk: Engine;
let copiesReport: IngestReport;

const temp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

function corpusOf(...dirs: string[]): string {
  const corpus = temp('desk-corpus-');
  for (const dir of dirs) for (const name of readdirSync(dir)) copyFileSync(join(dir, name), join(corpus, name));
  return corpus;
}

async function engineOver(corpus: string): Promise<{ engine: Engine; report: IngestReport }> {
  const config = loadConfig({ ...process.env, CORPUS_DIR: corpus, INDEX_DIR: temp('desk-index-') }, '/nonexistent');
  const report = await Engine.ingest(config);
  return { engine: await Engine.open(config), report };
}

beforeAll(async () => {
  ({ engine: withCopies, report: copiesReport } = await engineOver(corpusOf('corpus', SEED_COPIES)));
  ({ engine: seeds } = await engineOver(corpusOf('corpus')));
  ({ engine: desk } = await engineOver(corpusOf(DESK)));
}, 240_000);

describe('the seeds with rewritten copies', () => {
  it('groups each seed with its copies as one story, best copy first', () => {
    expect(copiesReport.stories.map((s) => s.documents)).toEqual(
      expect.arrayContaining([
        ['004_51570dea19fac233.txt', 'mali-talks-agency.txt', 'mali-talks-rewrite.txt'],
        ['000_c2b3d48a19ad4320.txt', 'burundi-visit-rewrite.txt'],
      ]),
    );
    expect(copiesReport.stories).toHaveLength(2);
  });

  it('lists a story once in sources, its copies under it', async () => {
    const sources = await withCopies.sources();
    const mali = sources.find((s) => s.source === 'mali-talks-agency.txt')!;
    expect(mali.story?.documents[0]).toBe('004_51570dea19fac233.txt');
  });

  it('shows a date the copies disagree on side by side, each with its source', async () => {
    const answer = await withCopies.ask('When will Lavrov receive Diop in Moscow?');
    expect(answer.conflicts).toHaveLength(1);
    const [conflict] = answer.conflicts!;
    expect(conflict!.values.map((v) => [v.value, v.source])).toEqual([
      ['February 28', '004_51570dea19fac233.txt'],
      ['March 1', 'mali-talks-rewrite.txt'],
    ]);
    expect(answer.answer).toMatch(/The reports disagree on the date \(.*\): “February 28” \[1\] \(004_51570dea19fac233\.txt\) and “March 1” \[\d\] \(mali-talks-rewrite\.txt\)\./);
    const cited = answer.citations.find((c) => c.n === conflict!.values[1]!.n)!;
    expect(cited.source).toBe('mali-talks-rewrite.txt');
    expect(cited.quote).toContain('March 1');
  });

  it('shows a figure the copies disagree on, and cites the agreeing copy once with the others named', async () => {
    const answer = await withCopies.ask('How much grain did Russia provide to Mali?');
    const values = answer.conflicts?.[0]?.values.map((v) => v.value);
    expect(values).toEqual(['25,000', '30,000']);
    const first = answer.citations[0]!;
    expect(first.source).toBe('004_51570dea19fac233.txt');
    expect(first.alsoIn?.map((d) => d.source)).toEqual(['mali-talks-agency.txt']);
  });

  it("lays out Lavrov's Africa meetings in date order, copies of one event on one line", async () => {
    const timeline = await withCopies.timeline({ subject: "Lavrov's Africa meetings" });
    expect(timeline.events.map((e) => e.date)).toEqual(['2023-02', '2023-09-21', '2024-02-28']);
    const [visit, unga, talks] = timeline.events;
    expect(visit!.text).toContain('inaugural visit to Mali');
    expect(new Set(unga!.citations.map((c) => c.source))).toEqual(new Set(['004_51570dea19fac233.txt', 'mali-talks-agency.txt', 'mali-talks-rewrite.txt']));
    expect(talks!.year).toBe('inferred');
  });

  it("puts a copy's other date for an event beside it, not on a line of its own", async () => {
    const timeline = await withCopies.timeline({ subject: 'Lavrov and Diop' });
    const talks = timeline.events.find((e) => e.date === '2024-02-28')!;
    expect(talks.citations.map((c) => c.source)).toEqual(['004_51570dea19fac233.txt', 'mali-talks-agency.txt']);
    expect(talks.otherDates?.map((o) => [o.date, o.citation.source])).toEqual([['2024-03-01', 'mali-talks-rewrite.txt']]);
    expect(timeline.events.map((e) => e.date)).not.toContain('2024-03-01');
  });

  it('bounds a timeline with since and until', async () => {
    const timeline = await withCopies.timeline({ subject: "Lavrov's Africa meetings", since: '2023-03', until: '2023-12-31' });
    expect(timeline.events.map((e) => e.date)).toEqual(['2023-09-21']);
    await expect(withCopies.timeline({ subject: 'Mali', since: 'last year' })).rejects.toThrow(/last year is not a date/);
  });
});

describe('the unaltered seeds', () => {
  it('claim no conflict in any answer of the seed question sets', async () => {
    const questions = ['eval/questions.jsonl', 'eval/dev-questions.jsonl'].flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { question: string }).question),
    );
    const claimed: string[] = [];
    for (const q of questions) if ((await seeds.ask(q)).conflicts) claimed.push(q);
    expect(claimed).toEqual([]);
  });

  it('name the date of what an answer cites, and say when a "when" question has no date to give', async () => {
    const dated = await seeds.ask('When was the previous ministerial meeting between Russia and Mali?');
    expect(dated.citations[0]!.when).toEqual({ date: '2023-09-21', from: 'text', year: 'stated' });
    const undated = await seeds.ask('When did Lavrov arrive in Burundi?');
    expect(undated.note).toMatch(/^The cited document is undated and the passages? names? no date/);
  });
});

describe('the desk dev set', () => {
  it('groups reworded and reordered copies, and keeps apart different stories about the same people', async () => {
    const stories = (await desk.sources()).filter((s) => s.story).map((s) => s.story!.documents);
    const groups = new Set(stories.map((d) => d.join(' ')));
    expect([...groups].sort()).toEqual([
      'grain-burkina-faso-2023.md burkina-wheat-shipment.txt',
      'lavrov-massawa-2023-01.md eritrea-visit-report.txt',
      'lavrov-pretoria-2023-01.md wire-lavrov-pandor-talks.txt lavrov-pandor-syndicated.txt',
    ]);
  });

  it('cites a fact its copies share once, from the copy without a blank, naming the others', async () => {
    const answer = await desk.ask('Where did Lavrov meet Naledi Pandor in January 2023?');
    const sources = answer.citations.map((c) => c.source);
    expect(sources[0]).toBe('lavrov-pretoria-2023-01.md');
    expect(sources).not.toContain('lavrov-pandor-syndicated.txt');
    expect(answer.citations[0]!.alsoIn?.length).toBeGreaterThan(0);
  });

  it('shows the pair that disagrees on a date and the pair that disagrees on a figure', async () => {
    const date = await desk.ask('When did Lavrov meet Isaias Afwerki in Massawa?');
    expect(date.conflicts?.[0]?.values.map((v) => v.value).sort()).toEqual(['January 25, 2023', 'January 26, 2023']);
    expect(date.conflicts?.[0]?.values.map((v) => v.date).sort()).toEqual(['2023-01-27', '2023-01-28']);
    const figure = await desk.ask('How much wheat did Russia deliver to Burkina Faso?');
    expect(figure.conflicts?.[0]?.values.map((v) => v.value)).toEqual(['25,000', '50,000']);
  });

  it('does not take the 2023 visit and a later meeting of the same people for a conflict', async () => {
    for (const q of ['When did Lavrov first visit Mali?', 'When did Lavrov and Pandor meet in Cape Town?', 'What did Lavrov promise Mali in Bamako?']) {
      expect((await desk.ask(q)).conflicts, q).toBeUndefined();
    }
  });

  it('orders the events of Russia and Mali over five years', async () => {
    const timeline = await desk.timeline({ subject: 'Russia and Mali' });
    const dates = timeline.events.map((e) => e.date);
    expect(dates).toEqual([...dates].sort());
    expect(dates).toEqual(expect.arrayContaining(['2019-06-25', '2022-08-09', '2023-02-07']));
    expect(new Set(dates.map((d) => d.slice(0, 4)))).toEqual(new Set(['2012', '2019', '2022', '2023']));
  });
});
