/** How the terminal shows an answer (`npm run ask`, `npm run chat`): the text once, then one line per cited document. */
import { citedDocuments, datesRemark, flagLine, paragraphsText, quotesNotInAnswer, type Answer } from '../src/rag/types.js';

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
      console.log(`  [${d.numbers.join(', ')}] ${d.title}${d.date ? ` — ${d.date}` : ''} (${where})`);
      for (const c of quoted.filter((q) => q.source === d.source)) console.log(`      [${c.n}] “${c.quote}”`);
    }
    const dated = datesRemark(a.citations);
    if (dated) console.log(`  ${dated}`);
  }
  for (const f of a.flags) console.log(`\n${flagLine(f)}`);
}
