import { readdirSync, readFileSync } from 'node:fs';
import { groupCopies } from './src/rag/ingest/copies.js';
for (const dirs of [['corpus','eval/desk/corpus','tests/fixtures/seed-copies','eval/web/corpus'], ['/tmp/bbc-archive']]) {
  const docs = dirs.flatMap(d => readdirSync(d).map(f => ({ source: f, sha256: f.padEnd(12,'0'), text: readFileSync(`${d}/${f}`,'utf8') })));
  const t = performance.now(); const stories = groupCopies(docs);
  console.log(Math.round(performance.now()-t), 'ms', stories.length, 'stories', stories.reduce((n,s)=>n+s.documents.length,0), 'docs');
  if (dirs.length > 1) console.log(stories);
  else console.log(stories.filter(s => s.documents.length > 2));
}
