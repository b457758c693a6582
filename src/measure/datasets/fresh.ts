/**
 * The fresh real-news set: real articles kept in public GitHub repositories, listed in eval/fresh/articles.jsonl
 * (repository, commit, path), and questions this team wrote after reading them (eval/fresh/questions.jsonl, the
 * shared question format). Only the list and the questions are committed; the articles are read from the
 * repositories when the set is built. An article is written to the corpus as its repository keeps it (a saved
 * HTML page stays HTML), or, when the repository keeps articles as fields of a JSON file, as the text of that
 * field.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { parseJsonLines, readQuestions } from '../evaluate.js';
import { locateRepository, readAtCommit, type GitOrigin } from './git-source.js';
import type { LabelledSet, SourceDocument, SourceQuestion } from './labelled-set.js';

const articleFields = {
  /** The corpus file name. */
  file: z.string().regex(/^[\w.-]+\.(txt|md|html)$/),
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  path: z.string().min(1),
  licence: z.string().min(1),
};
const articleSchema = z.union([
  z.object({ ...articleFields, key: z.undefined().optional() }),
  /** An article kept as `json[key][field]`. */
  z.object({ ...articleFields, key: z.string().min(1), field: z.string().min(1) }),
]);
export type FreshArticle = z.infer<typeof articleSchema>;

export const FRESH_ARTICLES = 'eval/fresh/articles.jsonl';
export const FRESH_QUESTIONS = 'eval/fresh/questions.jsonl';

export async function readArticles(file: string = FRESH_ARTICLES): Promise<FreshArticle[]> {
  return parseJsonLines(await readFile(file, 'utf8'), file, articleSchema, 'article');
}

function articleText(dir: string, origin: GitOrigin, article: FreshArticle, parsed: Map<string, unknown>): string {
  if (article.key === undefined) return readAtCommit(dir, origin, article.path).toString('utf8');
  const cacheKey = `${article.repo}@${article.commit}:${article.path}`;
  if (!parsed.has(cacheKey)) parsed.set(cacheKey, JSON.parse(readAtCommit(dir, origin, article.path).toString('utf8')));
  const record = (parsed.get(cacheKey) as Record<string, Record<string, unknown>>)[article.key];
  const text = record?.[article.field];
  if (typeof text !== 'string') throw new Error(`${article.path} has no text at ${article.key}.${article.field}`);
  return text;
}

/** The set from the committed lists, reading each article from its repository under `fromDir`. */
export async function loadFresh(fromDir: string, options: { clone?: boolean }, files = { articles: FRESH_ARTICLES, questions: FRESH_QUESTIONS }): Promise<LabelledSet> {
  const articles = await readArticles(files.articles);
  const origins = new Map<string, GitOrigin>();
  const dirs = new Map<string, string>();
  const parsed = new Map<string, unknown>();
  const documents: SourceDocument[] = [];
  for (const article of articles) {
    const key = `${article.repo}@${article.commit}`;
    if (!origins.has(key)) {
      const origin = { repo: article.repo, commit: article.commit, licence: article.licence };
      origins.set(key, origin);
      dirs.set(key, locateRepository(fromDir, origin, options));
    }
    const text = articleText(dirs.get(key)!, origins.get(key)!, article, parsed);
    documents.push({ file: article.file, text, group: article.file });
  }
  const questions: SourceQuestion[] = (await readQuestions(files.questions)).map((q) => ({
    id: q.id,
    question: q.question,
    source: q.source ?? '',
    answerable: q.expect === 'answer',
    facts: q.facts,
  }));
  return {
    name: 'fresh',
    origin: [...origins.values()],
    documents,
    questions,
    notes: [`${files.articles}: each article as its repository keeps it (or a JSON field's text); questions from ${files.questions}`],
  };
}
