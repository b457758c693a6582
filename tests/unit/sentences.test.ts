import { describe, expect, it } from 'vitest';
import { splitSentences, type SentenceSpan } from '../../src/rag/text/sentences.js';

/** The expected sentences located in order in `text`, so offsets are asserted as well as words. */
function spansOf(text: string, sentences: readonly string[], from = 0): SentenceSpan[] {
  let cursor = from;
  return sentences.map((s) => {
    const start = text.indexOf(s, cursor);
    if (start < 0) throw new Error(`bad fixture: ${s}`);
    cursor = start + s.length;
    return { start, end: cursor, text: s };
  });
}

/** News sentences that trip splitters: input, then its sentences in order. */
const CASES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Lavrov arrived in St. Petersburg on Monday. The talks began.', ['Lavrov arrived in St. Petersburg on Monday.', 'The talks began.']],
  ['Mr. Diop met Lavrov. They spoke for an hour.', ['Mr. Diop met Lavrov.', 'They spoke for an hour.']],
  ['The U.S. Secretary of State arrived. He spoke briefly.', ['The U.S. Secretary of State arrived.', 'He spoke briefly.']],
  ['H.E. Mr. Ndayishimiye opened the summit.', ['H.E. Mr. Ndayishimiye opened the summit.']],
  ["India's S. Jaishankar met Wang Yi in Beijing.", ["India's S. Jaishankar met Wang Yi in Beijing."]],
  ['Dr. J. R. Smith led the study. It was published in May.', ['Dr. J. R. Smith led the study.', 'It was published in May.']],
  ['He returned to No. 10 Downing Street.', ['He returned to No. 10 Downing Street.']],
  ['The vote is set for Jan. 5 in Kyiv.', ['The vote is set for Jan. 5 in Kyiv.']],
  ['Gen. Smith said the troops would stay.', ['Gen. Smith said the troops would stay.']],
  ['Shares of Acme Inc. rose 3 per cent. Analysts were surprised.', ['Shares of Acme Inc. rose 3 per cent.', 'Analysts were surprised.']],
  ['Some states, e.g. Mali and Niger, left ECOWAS.', ['Some states, e.g. Mali and Niger, left ECOWAS.']],
  ['Inflation rose 2.5 per cent in March.', ['Inflation rose 2.5 per cent in March.']],
  ['The deal is worth $1.2bn. It was signed today.', ['The deal is worth $1.2bn.', 'It was signed today.']],
  ['The app v2.0 was released. Users complained.', ['The app v2.0 was released.', 'Users complained.']],
  ['"We will come back," he said.', ['"We will come back," he said.']],
  ['"We agreed." Then he left.', ['"We agreed."', 'Then he left.']],
  ['"I don\'t know..." he said, shaking his head.', ['"I don\'t know..." he said, shaking his head.']],
  ['"We will wait…" the envoy said.', ['"We will wait…" the envoy said.']],
  ['The talks were held in Moscow. The talks ended without a deal.', ['The talks were held in Moscow.', 'The talks ended without a deal.']],
  ['Did they agree? Nobody knows.', ['Did they agree?', 'Nobody knows.']],
  ['It was a triumph! Crowds cheered in the streets.', ['It was a triumph!', 'Crowds cheered in the streets.']],
  ['A headline without a full stop\n\nThe story begins here.', ['A headline without a full stop', 'The story begins here.']],
  ['Key points:\n- Troops withdrew\n- Talks resume on Monday', ['Key points:', '- Troops withdrew', '- Talks resume on Monday']],
  ['Paragraph one ends here.\nParagraph two starts here.', ['Paragraph one ends here.', 'Paragraph two starts here.']],
  ['Lavrov met Diop.Lavrov left.', ['Lavrov met Diop.', 'Lavrov left.']],
  ['Aliens landed in Bamako.Lavrov met Diop in Moscow [1].', ['Aliens landed in Bamako.', 'Lavrov met Diop in Moscow [1].']],
  ['Mr. Diop met Lavrov [1]. They spoke [2].', ['Mr. Diop met Lavrov [1].', 'They spoke [2].']],
  ['The U.N. said it was concerned. The U.S. disagreed.', ['The U.N. said it was concerned.', 'The U.S. disagreed.']],
  ['He moved to the U.S. in 2019.', ['He moved to the U.S. in 2019.']],
  ['Prof. Ali and Sen. Warren spoke. Both agreed.', ['Prof. Ali and Sen. Warren spoke.', 'Both agreed.']],
  ['The meeting ended at 5 p.m. on Friday.', ['The meeting ended at 5 p.m. on Friday.']],
  ['Lt. Col. Ahmed was arrested. His lawyer denied the charges.', ['Lt. Col. Ahmed was arrested.', 'His lawyer denied the charges.']],
  ['Ms. Merkel, Mrs. May and Mr. Macron met in Brussels.', ['Ms. Merkel, Mrs. May and Mr. Macron met in Brussels.']],
  ['The company, Foo Corp., lost $3.4 million. Its shares fell.', ['The company, Foo Corp., lost $3.4 million.', 'Its shares fell.']],
  ['The score was 3-1. Fans celebrated.', ['The score was 3-1.', 'Fans celebrated.']],
  ['Turnout was 61.3%. Officials welcomed it.', ['Turnout was 61.3%.', 'Officials welcomed it.']],
  ['He said: "This is unacceptable." The minister then resigned.', ['He said: "This is unacceptable."', 'The minister then resigned.']],
  ["'We are ready,' she said. 'Are you?'", ["'We are ready,' she said.", "'Are you?'"]],
  ['"Will you resign?" asked a reporter.', ['"Will you resign?" asked a reporter.']],
  ['The bill passed 52-48 (see Art. 5 of the treaty). It now goes to the House.', ['The bill passed 52-48 (see Art. 5 of the treaty).', 'It now goes to the House.']],
  ['Sept. 11 changed everything. Feb. 24 did too.', ['Sept. 11 changed everything.', 'Feb. 24 did too.']],
  ['Vladimir V. Putin and Xi Jinping signed the pact.', ['Vladimir V. Putin and Xi Jinping signed the pact.']],
  ['A. Guterres, the U.N. chief, warned of famine. Aid agencies agreed.', ['A. Guterres, the U.N. chief, warned of famine.', 'Aid agencies agreed.']],
  ['Visit www.example.com for details. The site is down.', ['Visit www.example.com for details.', 'The site is down.']],
  ['The Post reported it on Jan. 3, 2024. Officials declined to comment.', ['The Post reported it on Jan. 3, 2024.', 'Officials declined to comment.']],
  ["Pope Francis visited St. Peter's Square. Thousands attended.", ["Pope Francis visited St. Peter's Square.", 'Thousands attended.']],
  ['Apple Inc. and Google LLC were fined.', ['Apple Inc. and Google LLC were fined.']],
  ['The conflict began in 2014.Russia annexed Crimea.', ['The conflict began in 2014.', 'Russia annexed Crimea.']],
  ['Zelensky vs. Putin: a timeline of the war.', ['Zelensky vs. Putin: a timeline of the war.']],
  ['State aid follows rulings known as Abbott v. Burke. Doherty wants them gone.', ['State aid follows rulings known as Abbott v. Burke.', 'Doherty wants them gone.']],
  ['Sen. John McCain (R-Ariz.) died in 2018.', ['Sen. John McCain (R-Ariz.) died in 2018.']],
  ['The WHO warned. Cases rose sharply across the region.', ['The WHO warned.', 'Cases rose sharply across the region.']],
  ['  Leading spaces are trimmed.   Trailing too.  ', ['Leading spaces are trimmed.', 'Trailing too.']],
  ['Is it over?! No.', ['Is it over?!', 'No.']],
  ['The ministry said (in a statement) that it would act. No date was given.', ['The ministry said (in a statement) that it would act.', 'No date was given.']],
  ['The summit ends Friday.\n\n\n"It was a success," said the host.', ['The summit ends Friday.', '"It was a success," said the host.']],
  // A quote of several sentences before its attribution is one sentence: no piece of it without its speaker.
  [
    '"The port is not for sale. It is for rent, and that is a different thing," Mr. Ouma said. Talks resume in May.',
    ['"The port is not for sale. It is for rent, and that is a different thing," Mr. Ouma said.', 'Talks resume in May.'],
  ],
  ['“We signed. We will build. We will pay,” the minister said.', ['“We signed. We will build. We will pay,” the minister said.']],
  // A quote that ends its own sentence is split as before, and a quotation never reaches across a line.
  ['She added: "Fares will rise. Nobody wants that." The board agreed.', ['She added: "Fares will rise.', 'Nobody wants that."', 'The board agreed.']],
  ['He said: "Fares will rise.\nNobody wants that," she wrote.', ['He said: "Fares will rise.', 'Nobody wants that," she wrote.']],
];

describe('splitSentences on tricky news sentences', () => {
  it.each(CASES.map(([text, sentences]) => ({ text, sentences })))('$text', ({ text, sentences }) => {
    expect(splitSentences(text)).toEqual(spansOf(text, sentences));
  });
});

describe('splitSentences offsets and ranges', () => {
  it('returns exact offsets into the text', () => {
    expect(splitSentences('  Mr. Diop met Lavrov.Lavrov left.\n\nEnd')).toEqual([
      { start: 2, end: 22, text: 'Mr. Diop met Lavrov.' },
      { start: 22, end: 34, text: 'Lavrov left.' },
      { start: 36, end: 39, text: 'End' },
    ]);
  });

  it('splits only text[from, to) and keeps absolute offsets', () => {
    const text = 'Lavrov met Diop. Aliens landed. Talks ended.';
    expect(splitSentences(text, 17, 44)).toEqual(spansOf(text, ['Aliens landed.', 'Talks ended.'], 17));
  });

  it('returns nothing for empty and blank input', () => {
    expect(splitSentences('')).toEqual([]);
    expect(splitSentences(' \n\n \n')).toEqual([]);
  });

  it('treats CRLF as a line break', () => {
    const text = 'Headline\r\nFirst line.\r\n\r\nSecond.';
    expect(splitSentences(text)).toEqual(spansOf(text, ['Headline', 'First line.', 'Second.']));
  });

  it('still ends a sentence at an abbreviation when no number or name follows', () => {
    const text = 'The vote was in Jan. The talks resumed. Shares of Acme Inc. The company said so.';
    expect(splitSentences(text)).toEqual(
      spansOf(text, ['The vote was in Jan.', 'The talks resumed.', 'Shares of Acme Inc.', 'The company said so.']),
    );
  });

  it('does not read an abbreviation across a glued boundary', () => {
    const text = 'Mr. Diop met Lavrov.Mr. Diop left.';
    expect(splitSentences(text)).toEqual(spansOf(text, ['Mr. Diop met Lavrov.', 'Mr. Diop left.']));
  });

  it('keeps a sentence longer than one segmenter window whole, and splits long documents everywhere', () => {
    const long = `Long ${'word '.repeat(3000)}end.`;
    const text = `Short one. ${long} Next one.`;
    expect(splitSentences(text)).toEqual(spansOf(text, ['Short one.', long, 'Next one.']));
    const repeated = 'Mr. Diop met Lavrov in St. Petersburg on Jan. 5. Talks ended. '.repeat(2000);
    const spans = splitSentences(repeated);
    expect(spans).toHaveLength(4000);
    expect(spans.every((s, i) => s.text === (i % 2 ? 'Talks ended.' : 'Mr. Diop met Lavrov in St. Petersburg on Jan. 5.'))).toBe(true);
  });
});
