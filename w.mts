import { readdirSync, readFileSync } from 'node:fs';
import { words, terms } from './src/rag/text/terms.js';
const texts = readdirSync('/tmp/bbc-archive').map(f => readFileSync(`/tmp/bbc-archive/${f}`,'utf8'));
let t=performance.now(); let n=0; for (const x of texts) n+=new Set(words(x)).size; console.log('words', Math.round(performance.now()-t), n);
t=performance.now(); n=0; for (const x of texts) n+=new Set(x.toLowerCase().match(/[\p{L}\p{N}]+/gu)).size; console.log('plain', Math.round(performance.now()-t), n);
t=performance.now(); n=0; for (const x of texts) n+=new Set(terms(x)).size; console.log('terms', Math.round(performance.now()-t), n);
console.log('bytes', texts.reduce((n,x)=>n+Buffer.byteLength(x),0)); 
