/** Outside text (documents, model replies) shown literally on Discord; file names kept on one line in their code span. */
import { describe, expect, test } from 'vitest';
import { escapeOutside, fileName } from '../../src/bot/escape.js';
import { renderReindexReport } from '../../src/bot/render.js';

describe('escapeOutside', () => {
  test.each([
    ['every masked link on a line', '[1](https://evil.example/a) and [2](https://evil.example/b)', '[1]\\(https://evil.example/a) and [2]\\(https://evil.example/b)'],
    ['spoilers', 'the ||hidden|| part', 'the \\|\\|hidden\\|\\| part'],
    ['code fences', '```js\nalert(1)\n```', '\\`\\`\\`js\nalert(1)\n\\`\\`\\`'],
    ['headings and subtext', '# Big\n## Bigger\n-# small', '\\# Big\n\\## Bigger\n\\-# small'],
    ['block quotes and lists', '> quoted\n- item\n1. first', '\\> quoted\n\\- item\n1\\. first'],
    ['bidi embedding, override and isolate controls', 'a\u202Eevil\u202C b\u2066x\u2069', 'aevil bx'],
    ['bold, italics and backslashes', '**bold** _it_ a\\b', '\\*\\*bold\\*\\* \\_it\\_ a\\\\b'],
  ])('%s', (_kind, text, shown) => {
    expect(escapeOutside(text)).toBe(shown);
  });

  test('plain news text is left as it is', () => {
    const text = 'Lavrov met Diop in Moscow on February 28 [1]. “Security,” he said [2].';
    expect(escapeOutside(text)).toBe(text);
  });
});

describe('fileName', () => {
  test('a backtick, a newline or a bidi control cannot break out of the code span or disguise the name', () => {
    expect(fileName('notes `x`\nmore\u202Etxt.exe.txt')).toBe('`notes ˋxˋ\\nmore\\u202etxt.exe.txt`');
  });

  test('the re-index report keeps one line per file whatever its name', () => {
    const report = renderReindexReport({
      documents: [
        { source: 'togo\nembassy.txt', title: 'Togo', chunks: 3, status: 'indexed', placeholders: [] },
        { source: 'photo ||x||.jpg', chunks: 0, status: 'skipped', placeholders: [], warning: 'unsupported file type ".jpg" (use .txt, .md or .html)' },
      ],
      chunks: 3,
      ms: 1200,
      stories: [],
    });
    expect(report.embeds[0]!.toJSON().description!.split('\n').slice(2)).toEqual([
      '`togo\\nembassy.txt` — indexed, 3 chunks, 0 placeholders',
      '`photo ||x||.jpg` — unsupported file type ".jpg" (use .txt, .md or .html)',
    ]);
  });
});
