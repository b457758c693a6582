/** How a follow-up reads after the question before it, offline: swapped names, carried subjects, or unchanged. */
import { describe, expect, test } from 'vitest';
import { mentionsOwnTerms, understandFollowUp } from '../../src/rag/compose/follow-up.js';
import { terms } from '../../src/rag/text/terms.js';
import type { Turn } from '../../src/rag/types.js';

/** A previous turn: its question and, when it was answered, its answer and the file it cited. */
const turn = (question: string, answer = ''): Turn => ({ question, answer, sources: answer ? ['article.txt'] : [] });

describe('understandFollowUp', () => {
  test.each([
    // A place swaps for the previous place, not for the person.
    ['What did Lavrov discuss in Mali?', 'and what about Togo?', 'What did Lavrov discuss in Togo?'],
    ['What did Lavrov discuss in Mali?', 'And Burkina Faso?', 'What did Lavrov discuss in Burkina Faso?'],
    ['How much investment in mining did they propose?', 'and in infrastructure?', 'How much investment in infrastructure did they propose?'],
    ['How much did Russia invest in Togo?', 'How about in Sudan?', 'How much did Russia invest in Sudan?'],
    ['How much potential investment in agriculture did they propose?', 'What about infrastructure?', 'How much potential investment in infrastructure did they propose?'],
    ['How much grain did Russia give Mali?', 'and to Burkina Faso?', 'How much grain did Russia give Burkina Faso?'],
    ['Who is the Belarusian foreign minister?', 'and the Russian one?', 'Who is the Russian foreign minister?'],
    ['Tell me about the Alliance of Sahel States', 'who are its members?', 'Who are its members (Alliance of Sahel States)?'],
    // No subject of its own: the previous names and key terms come along.
    ['What did Lavrov discuss in Mali?', 'when was that?', 'When was that (Lavrov, discuss, Mali)?'],
    // Words of its own: only the names come along, multi-word names whole.
    ['Who from the Central African Republic held talks with Putin?', 'How much investment in mining did they propose?', 'How much investment in mining did they propose (Central African Republic, Putin)?'],
    ['In which sectors could Russia and Burundi cooperate?', 'When did Lavrov arrive there?', 'When did Lavrov arrive there (Russia, Burundi)?'],
  ])('after “%s”, “%s” reads “%s”', (previous, followUp, understood) => {
    expect(understandFollowUp(followUp, turn(previous))).toBe(understood);
  });

  test('a question that names its own subject stands alone', () => {
    expect(understandFollowUp('What is the capital of France?', turn('What did Lavrov discuss in Mali?'))).toBe('What is the capital of France?');
  });

  test('after “where” or “who”, what the answer named is what the follow-up points at', () => {
    const where = turn('Where has Russia opened a new embassy?', 'Russia has opened its embassy in Togo, its first in West Africa. [1]');
    expect(understandFollowUp('How much has Russia invested there?', where)).toBe('How much has Russia invested there (Togo)?');
    const who = turn('Who is Lavrov’s Belarusian counterpart?', 'Moscow – Sergey Lavrov and his Belarusian counterpart, Maksim Ryzhenkov, met. [1]');
    expect(understandFollowUp('What did he say?', who)).toBe('What did he say (Maksim Ryzhenkov, Lavrov, Belarusian, counterpart)?');
    const which = turn('Which Malian minister will Lavrov meet?', 'On February 28, Lavrov meets Mali’s minister, Abdoulaye Diop. [1]');
    expect(understandFollowUp('Where?', which)).toBe('Where (Abdoulaye Diop, Malian, minister, Lavrov, meet)?');
  });

  test('a follow-up naming a place of its own does not carry the previous place', () => {
    expect(understandFollowUp('and what about his first visit to Mali?', turn('When did Lavrov arrive in Burundi?'))).toBe(
      'His first visit to Mali (Lavrov)?',
    );
  });
});

describe('mentionsOwnTerms', () => {
  const sentences = ['Lavrov is due to meet Diop in Moscow.', 'The alliance was created in 2023.'].map((text) => ({ own: new Set(terms(text)) }));

  test('a follow-up asking about something the documents never mention is not answered by its carried subject', () => {
    expect(mentionsOwnTerms('who travelled with him?', sentences)).toBe(false);
  });

  test('a follow-up whose words the documents use, or that asks only for a name or a time, passes', () => {
    expect(mentionsOwnTerms('Who did he meet on that trip?', sentences)).toBe(true);
    expect(mentionsOwnTerms('what is it called?', sentences)).toBe(true);
    expect(mentionsOwnTerms('when was that?', sentences)).toBe(true);
    const agreement = [{ own: new Set(terms('They signed a cooperation agreement.')) }];
    expect(mentionsOwnTerms('what did they agree on?', agreement)).toBe(true);
  });
});
