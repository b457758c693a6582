/**
 * The news desk's view of an answer, around its composition: copies of one fact counted once before it (so the
 * citations go to different facts and stories), and after it each citation's other copies, the reports that
 * disagree with it, and the date of what it reports. One per question: it remembers the evidence it was given.
 */
import type { Retrieval } from '../search/hybrid-retriever.js';
import type { Answer } from '../types.js';
import type { ComposedAnswer } from './answer.js';
import { datedCitations, undatedRemark } from './cited-dates.js';
import { conflictSentence, findConflicts } from './conflicts.js';
import { collapseCopies, Statements, withCopies, type CollapsedEvidence, type StoryView } from './stories.js';

export class NewsDesk {
  private readonly statements: Statements;
  private collapsed: CollapsedEvidence | undefined;

  constructor(private readonly view: StoryView) {
    this.statements = new Statements(view);
  }

  /** The retrieval an answer is composed from: each fact that several copies state, once. */
  collapse(retrieval: Retrieval): Retrieval {
    this.collapsed = collapseCopies(retrieval, this.view, this.statements);
    return this.collapsed.retrieval;
  }

  /**
   * The answer with its copies named (`alsoIn`), disagreeing reports cited and said beside it (`conflicts`), each
   * citation's date (`when`), and, for a "when" question that nothing dates, a note saying so.
   */
  review<A extends Pick<Answer, 'status' | 'answer' | 'citations' | 'note'> & Partial<ComposedAnswer>>(question: string, answer: A): A & Pick<Answer, 'conflicts'> {
    if (answer.status !== 'answered') return answer;
    const citations = withCopies(answer.citations, this.collapsed, this.view, this.statements);
    const { conflicts, added } = findConflicts(citations, this.collapsed?.retrieval.evidence ?? [], this.view, this.statements);
    const dated = datedCitations([...citations, ...added], this.view, this.statements);
    // The disagreement is part of the answer; that nothing dates it is a remark about the answer, as notes are.
    const undated = undatedRemark(question, dated);
    const note = [answer.note, undated].filter(Boolean).join(' ');
    return {
      ...answer,
      answer: [answer.answer, ...conflicts.map(conflictSentence)].join(' '),
      citations: dated,
      ...(note ? { note } : {}),
      ...(conflicts.length ? { conflicts } : {}),
    };
  }
}
