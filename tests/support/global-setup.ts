/**
 * Builds the word-vector cache once before any test file runs, so parallel test files load it instead of each
 * converting the 300 MB source at the same time.
 */
import { loadConfig } from '../../src/config.js';
import { SifEmbeddings } from '../../src/rag/embedding/sif-embeddings.js';

export default async function setup(): Promise<void> {
  await SifEmbeddings.load(loadConfig().cacheDir, (message) => console.log(message));
}
