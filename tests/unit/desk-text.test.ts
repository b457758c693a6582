/** Dates in text, what a sentence states, and copies of one story: the news desk's reading of text. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { groupCopies } from '../../src/rag/ingest/copies.js';
import { datesIn, prepareDateTagger } from '../../src/rag/ingest/dates.js';
import { disagreements, sameFact, statementOf } from '../../src/rag/compose/statements.js';

beforeAll(() => prepareDateTagger());

const dated = (text: string, published?: string) => datesIn(text, published).map((d) => `${d.text}=${d.date}/${d.precision}/${d.year}`);

describe('dates in text', () => {
  test('a full date is read as written', () => {
    expect(dated('the previous ministerial meeting occurring on September 21, 2023, during the UN General Assembly')).toEqual([
      'September 21, 2023=2023-09-21/day/stated',
    ]);
  });

  test('a month without a year takes the year of the publication date; "last" and "next" count from it', () => {
    expect(dated('Lavrov will meet Diop in Moscow on February 28.', '2024-02-20')).toEqual(['February 28=2024-02-28/day/publication']);
    expect(dated('He met Diop last February and will return next March.', '2024-02-20')).toEqual([
      'last February=2023-02-01/month/publication',
      'next March=2024-03-01/month/publication',
    ]);
  });

  test('an undated article places a yearless date after the latest date it writes in full', () => {
    const text = 'Lavrov is set to meet Diop on February 28. On January 28, 2024, the three nations announced their exit.';
    expect(dated(text)).toEqual(['February 28=2024-02-28/day/inferred', 'January 28, 2024=2024-01-28/day/stated']);
  });

  test('relative words need a publication date, lower-case months are verbs, and a lone year needs a preposition', () => {
    expect(dated('Lavrov said on Monday that talks went well last year.')).toEqual([]);
    expect(dated('Lavrov said on Monday that talks went well last year.', '2024-02-21')).toEqual([
      'on Monday=2024-02-19/day/publication',
      'last year=2023-01-01/year/publication',
    ]);
    expect(dated('The ministers may march on to 25 capitals; trade may grow.')).toEqual([]);
    expect(dated('The treaty, signed in 1999, covers 2024-2026 and 2,000 officers.')).toEqual(['1999=1999-01-01/year/stated']);
  });
});

describe('what a sentence states', () => {
  const lead = "Russian Foreign Minister Sergey Lavrov is set to meet with Mali's Foreign Minister Abdoulaye Diop in Moscow on February 28.";
  test('a reworded copy with the same date states the same fact', () => {
    const copy = 'Russian Foreign Minister Sergey Lavrov will receive his Malian counterpart Abdoulaye Diop in Moscow on February 28 for talks.';
    expect(sameFact(statementOf(lead), statementOf(copy))).toBe(true);
  });

  test('a reworded copy with another date disagrees on that date', () => {
    const copy = "Mali's Foreign Minister Abdoulaye Diop will hold talks with Russian Foreign Minister Sergey Lavrov in Moscow on March 1.";
    expect(disagreements(statementOf(lead), statementOf(copy)).map(([a, b]) => [a.text, b.text])).toEqual([['February 28', 'March 1']]);
  });

  test('figures are compared only when they count the same thing', () => {
    const a = statementOf('Russia has recently provided 25,000 tons of grain to Mali free of charge.');
    const b = statementOf('Russia recently gave Mali 30,000 tons of grain free of charge.');
    const c = statementOf('Russia recently gave Mali 30,000 rifles free of charge.');
    expect(disagreements(a, b).map(([x, y]) => [x.key, y.key])).toEqual([['25000 ton', '30000 ton']]);
    expect(disagreements(a, c)).toEqual([]);
  });

  test('a month mentioned beside a day does not vouch for another day', () => {
    const a = statementOf('Lavrov met Isaias Afwerki in Massawa on January 26, 2023, the last stop of his January tour of Africa.');
    const b = statementOf('Lavrov was received by Isaias Afwerki in Massawa on January 25, 2023, ending his tour of Africa.');
    expect(disagreements(b, a).map(([x, y]) => [x.text, y.text])).toEqual([['January 25, 2023', 'January 26, 2023']]);
  });

  test('a blank where the value should be is no disagreement', () => {
    const a = statementOf('Lavrov began an Africa tour in Pretoria, where he met Naledi Pandor on January 23, 2023.');
    const b = statementOf('Lavrov began an Africa tour in Pretoria, where he met Naledi Pandor on [insert date].');
    expect(sameFact(a, b)).toBe(true);
  });
});

describe('copies of one story', () => {
  const read = (dir: string) =>
    readdirSync(dir).map((name) => ({ source: name, sha256: name.padEnd(12, '0'), text: readFileSync(join(dir, name), 'utf8') }));

  test('reworded, reordered and shortened copies are grouped; other stories about the same people are not', () => {
    const stories = groupCopies([...read('corpus'), ...read('tests/fixtures/seed-copies'), ...read('eval/desk/corpus')]);
    expect(stories.map((s) => [...s.documents].sort())).toEqual(
      expect.arrayContaining([
        ['004_51570dea19fac233.txt', 'mali-talks-agency.txt', 'mali-talks-rewrite.txt'],
        ['000_c2b3d48a19ad4320.txt', 'burundi-visit-rewrite.txt'],
        ['burkina-wheat-shipment.txt', 'grain-burkina-faso-2023.md'],
        ['eritrea-visit-report.txt', 'lavrov-massawa-2023-01.md'],
        ['lavrov-pandor-syndicated.txt', 'lavrov-pretoria-2023-01.md', 'wire-lavrov-pandor-talks.txt'],
      ]),
    );
    expect(stories).toHaveLength(5);
  });

  test('the copy without a blank comes first, then the earliest dated', () => {
    const text = 'Lavrov met Naledi Pandor and Cyril Ramaphosa in Pretoria to discuss trade with South Africa, the BRICS summit and naval drills.';
    const [story] = groupCopies([
      { source: 'b.txt', sha256: 'b'.repeat(64), text, date: '2023-01-25' },
      { source: 'a.txt', sha256: 'a'.repeat(64), text: `${text} Published on [insert date].` },
      { source: 'c.txt', sha256: 'c'.repeat(64), text, date: '2023-01-24' },
    ]);
    expect(story!.documents).toEqual(['c.txt', 'b.txt', 'a.txt']);
  });
});
