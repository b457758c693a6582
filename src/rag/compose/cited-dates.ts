/**
 * Dates in answers: each citation says when what it quotes happened, from a date its quote writes (read with its
 * document's date: "February 28" in an article of 2024-02-20) or else from its document's date; and a "when"
 * question answered from sources that date nothing says so, rather than letting the answer pass for dated.
 */
import type { Citation } from '../types.js';
import { analyseQuestion } from '../text/question.js';
import type { Statements, StoryView } from './stories.js';

/** A date as precise as its source: 2023-09-21, 2023-02, 2023. */
const cut = (iso: string, precision: 'day' | 'month' | 'year') => iso.slice(0, precision === 'day' ? 10 : precision === 'month' ? 7 : 4);

/** The citations with the date of what each one reports, where the text or its document gives one. */
export function datedCitations(citations: Citation[], view: StoryView, statements: Statements): Citation[] {
  return citations.map((c) => {
    const published = view.document(c.source).date;
    // A quote's first date is when its news happened: "on September 21, 2023, during the UN General Assembly".
    const [first] = statements.datesIn(c.source, c.quote);
    if (first) return { ...c, when: { date: cut(first.date, first.precision), from: 'text', year: first.year } };
    return published ? { ...c, when: { date: published, from: 'document' } } : c;
  });
}

/** For a "when" question whose citations date nothing (no date in the quotes, undated documents): a sentence saying so. */
export function undatedRemark(question: string, citations: Citation[]): string | null {
  if (analyseQuestion(question).answerType !== 'date' || !citations.length || citations.some((c) => c.when)) return null;
  const documents = new Set(citations.map((c) => c.source)).size === 1 ? 'The cited document is undated' : 'The cited documents are undated';
  const passages = citations.length === 1 ? 'the passage names no date' : 'the passages name no date';
  return `${documents} and ${passages}, so when this happened is not known from the corpus.`;
}
