import { readdirSync, readFileSync } from 'node:fs';
const NAME = /(?<![.!?:]\s+|^)(?<=\s)\p{Lu}[\p{L}'’-]+/gu;
const LEAD = 40;
const wordsOf = (t: string) => (t.toLowerCase().match(/[\p{L}\p{N}]{4,}/gu) ?? []);
function feats(f: string, t: string) { const all = wordsOf(t); return { f, terms: new Set(all), lead: new Set(all.slice(0, LEAD)), names: new Set((t.match(NAME)??[]).map(n=>n.toLowerCase().replace(/['’]s$/,''))) }; }
const ov = (a:Set<string>, b:Set<string>) => { let i=0; const [s,l] = a.size<b.size?[a,b]:[b,a]; for (const x of s) if (l.has(x)) i++; return i/(s.size||1); };
const within = (a:Set<string>, b:Set<string>) => { let i=0; for (const x of a) if (b.has(x)) i++; return i/(a.size||1); };
function run(dirs: string[], show: (r:any)=>boolean) {
  const fs = dirs.flatMap(d => readdirSync(d).map(f => feats(f, readFileSync(`${d}/${f}`,'utf8'))));
  const rows: any[] = [];
  for (let i=0;i<fs.length;i++) for (let j=i+1;j<fs.length;j++) { const a=fs[i],b=fs[j]; const n=ov(a.names,b.names); if (n<0.5) continue; const c=ov(a.terms,b.terms); const l=Math.min(within(a.lead,b.terms), within(b.lead,a.terms)); rows.push([c,n,l,a.f.slice(0,28),b.f.slice(0,28)]); }
  rows.sort((x,y)=>y[1]-x[1]);
  for (const r of rows.filter(show).slice(0,70)) console.log(r.slice(0,3).map((x:number)=>x.toFixed(2)).join(' '), r[3], r[4]);
  return rows;
}
run(['corpus','eval/desk/corpus','tests/fixtures/seed-copies','eval/web/corpus'], r => r[1] > 0.6);
if (process.env.BBC) { console.log('--- bbc'); const rows = run(['/tmp/bbc-archive'], r => r[0]>=0.5 && r[1] >= 0.8 && r[0] < 0.95 && r[2]>=0.4);
 console.log('rule count', rows.filter(r=>r[0]>=0.5&&r[1]>=0.85&&r[2]>=0.45).length, 'exactish', rows.filter(r=>r[0]>=0.95).length); }
