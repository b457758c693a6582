/** Articles added from chat: safe names and folders, the corpus's own rules, duplicates by content. */
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { refusedUrl } from '../../src/bot/attachments.js';
import { isQuestion } from '../../src/bot/commands/ask-message.js';
import { parseFolders } from '../../src/bot/commands/scope.js';
import { safeFileName, safeFolder, saveAdditions } from '../../src/rag/ingest/additions.js';

const ARTICLE = Buffer.from('Lamu Port Opens\n\nKenya opened a port at Lamu with three berths.\n');

describe('safe names', () => {
  test.each([
    ['../../etc/cron.d/job.txt', 'job.txt'],
    ['..\\..\\windows\\evil.md', 'evil.md'],
    ['.hidden.txt', 'hidden.txt'],
    ['report <final> | v2.HTML', 'report _final_ _ v2.html'],
    ['Лавров в Мали.txt', 'Лавров в Мали.txt'],
    // A dot file has no extension: "txt", then refused as a file of no type.
    ['.txt', 'txt'],
    ['..', 'document'],
  ])('%s → %s', (given, safe) => {
    expect(safeFileName(given)).toBe(safe);
  });

  test('a long name is cut to 120 bytes, keeping its extension', () => {
    const name = safeFileName(`${'Ж'.repeat(200)}.txt`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(120);
    expect(name.endsWith('.txt')).toBe(true);
  });

  test('folders: names separated by "/", nothing that climbs out or hides', () => {
    expect(safeFolder(' africa/2024/ ')).toBe('africa/2024');
    for (const bad of ['../etc', 'africa/../..', '.git', 'a/b/c/d', 'africa\\2024', '']) expect(() => safeFolder(bad)).toThrow(/is not a safe folder name/);
  });

  test('scope folders as typed', () => {
    expect(parseFolders(' africa , /europe/2024/, africa')).toEqual(['africa', 'europe/2024']);
    expect(parseFolders('../secrets')).toBeNull();
    expect(parseFolders(' , ')).toBeNull();
  });
});

describe('saveAdditions', () => {
  test('applies the corpus rules, refuses a twin of an indexed document and a taken name, saves the rest atomically', async () => {
    const corpus = await mkdtemp(join(tmpdir(), 'additions-'));
    await writeFile(join(corpus, 'taken.txt'), 'An older article.\n');
    const { saved, refused } = await saveAdditions(
      corpus,
      [
        { name: 'lamu.txt', bytes: ARTICLE },
        { name: 'again.txt', bytes: ARTICLE },
        { name: 'taken.txt', bytes: Buffer.from('A newer article about something else entirely.\n') },
        { name: 'latin1.txt', bytes: Buffer.from('Caf\xe9 in Bamako.', 'latin1') },
        { name: 'photo.png', bytes: Buffer.from('not really a picture') },
        { name: 'known.txt', bytes: Buffer.from('Already indexed text.\n') },
      ],
      { folder: 'kenya', indexed: new Map([['ad1ee6c8e4bd3bc7c9abe3b48eee1c1a4b49dcc3e9b3c4d5e6f708192a3b4c5d', 'x.txt']]) },
    );
    expect(saved).toEqual([{ name: 'lamu.txt', source: 'kenya/lamu.txt', replaced: false }, { name: 'taken.txt', source: 'kenya/taken.txt', replaced: false }, { name: 'known.txt', source: 'kenya/known.txt', replaced: false }]);
    expect(refused).toEqual([
      { name: 'again.txt', reason: 'the same text as kenya/lamu.txt, which is already in the corpus' },
      { name: 'latin1.txt', reason: 'not valid UTF-8 text' },
      { name: 'photo.png', reason: 'unsupported file type ".png" (use .txt, .md or .html)' },
    ]);
    expect((await readdir(join(corpus, 'kenya'))).sort()).toEqual(['known.txt', 'lamu.txt', 'taken.txt']);

    const second = await saveAdditions(corpus, [{ name: 'taken.txt', bytes: Buffer.from('Replacement text.\n') }], { indexed: new Map() });
    expect(second.refused[0]!.reason).toBe('a file named taken.txt is already in the corpus (add it with replace:true to overwrite it)');
    const replaced = await saveAdditions(corpus, [{ name: 'taken.txt', bytes: Buffer.from('Replacement text.\n') }], { indexed: new Map(), replace: true });
    expect(replaced.saved).toEqual([{ name: 'taken.txt', source: 'taken.txt', replaced: true }]);
    expect(await readFile(join(corpus, 'taken.txt'), 'utf8')).toBe('Replacement text.\n');
    expect((await readdir(corpus)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('never writes through a folder that is a link out of the corpus', async () => {
    const root = await mkdtemp(join(tmpdir(), 'additions-'));
    await mkdir(join(root, 'corpus'));
    await mkdir(join(root, 'outside'));
    await symlink(join(root, 'outside'), join(root, 'corpus', 'africa'));
    await expect(saveAdditions(join(root, 'corpus'), [{ name: 'a.txt', bytes: ARTICLE }], { folder: 'africa', indexed: new Map() })).rejects.toThrow(
      'africa in the corpus is not a folder',
    );
    expect(await readdir(join(root, 'outside'))).toEqual([]);
  });
});

describe('attachment addresses', () => {
  const hosts = ['cdn.discordapp.com', 'media.discordapp.net', '127.0.0.1:4000'];
  test.each([
    ['https://cdn.discordapp.com/attachments/1/2/a.txt?ex=1', null],
    ['https://media.discordapp.net/attachments/1/2/a.txt', null],
    ['http://127.0.0.1:4000/attachments/1/2/a.txt', null],
    ['http://cdn.discordapp.com/attachments/1/2/a.txt', 'the attachment address is not https (http:)'],
    ['https://evil.example/attachments/a.txt', "the attachment is not on Discord's attachment servers (evil.example)"],
    ['https://cdn.discordapp.com.evil.example/a.txt', "the attachment is not on Discord's attachment servers (cdn.discordapp.com.evil.example)"],
    ['http://127.0.0.1:4001/a.txt', "the attachment is not on Discord's attachment servers (127.0.0.1:4001)"],
    ['file:///etc/passwd', "the attachment is not on Discord's attachment servers ()"],
  ])('%s', (url, reason) => {
    expect(refusedUrl(url, hosts)).toBe(reason);
  });
});

describe('the message menu', () => {
  test.each([
    ['What did Lavrov discuss in Mali?', true],
    ['did they sign anything', true],
    ['How many berths does Lamu have', true],
    ['Russia is opening an embassy in Togo.', false],
    ['Lavrov met Diop in Moscow on February 28', false],
  ])('%s: a question? %s', (text, expected) => {
    expect(isQuestion(text)).toBe(expected);
  });
});
