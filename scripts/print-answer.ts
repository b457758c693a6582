/** How the terminal shows an answer (`npm run ask`, `npm run chat`): the text once, then one line per cited document. */
import { citedDocuments, datesRemark, flagLine, paragraphsText, quotesNotInAnswer, type Answer, type Citation } from '../src/rag/types.js';

/** "[1] 2024-02-28 (year inferred: the article is undated)": when what a citation reports happened, and how that is known. */
export function whenText(c: Citation): string {
  if (!c.when) return '';
  const how =
    c.when.from === 'document'
      ? " (the article's date)"
      : c.when.year === 'publication'
        ? " (year from the article's date)"
        : c.when.year === 'inferred'
          ? " (year inferred from the article's other dates: it is undated)"
          : '';
  return `[${c.n}] ${c.when.date}${how}`;
}

/** The other copies of a document's story that state what it is cited for: "; also in 2 other documents". */
function alsoInText(citations: Citation[], source: string): string {
  const others = new Set(citations.filter((c) => c.source === source).flatMap((c) => (c.alsoIn ?? []).map((d) => d.source)));
  return others.size ? `; also in ${others.size} other document${others.size === 1 ? '' : 's'}` : '';
}

export function printAnswer(a: Answer): void {
  if (a.understood) console.log(`Understood as: ${a.understood}\n`);
  console.log(a.answer);
  if (a.note) console.log(`\nNote: ${a.note}`);
  // A refusal that quotes the closest passages names their documents as an answer names its sources.
  const documents = citedDocuments(a.citations.length ? a.citations : (a.closest ?? []));
  if (documents.length) {
    console.log(a.citations.length ? '\nSources:' : '\nClosest passages from:');
    const quoted = quotesNotInAnswer(a);
    for (const d of documents) {
      const where = [d.source, paragraphsText(d.paragraphs)].filter(Boolean).join(', ');
      console.log(`  [${d.numbers.join(', ')}] ${d.title}${d.date ? ` — ${d.date}` : ''} (${where})${alsoInText(a.citations, d.source)}`);
      for (const c of quoted.filter((q) => q.source === d.source)) console.log(`      [${c.n}] “${c.quote}”`);
    }
    const dated = datesRemark(a.citations);
    if (dated) console.log(`  ${dated}`);
    const when = a.citations.map(whenText).filter(Boolean);
    if (when.length) console.log(`  When: ${when.join(' · ')}`);
  }
  for (const f of a.flags) console.log(`\n${flagLine(f)}`);
}
