import { prepareDateTagger } from './src/rag/ingest/dates.js';
import { statementOf, subjectOverlap, disagreements, sameFact } from './src/rag/compose/statements.js';
await prepareDateTagger();
const pairs = [
 ["Russian Foreign Minister Sergey Lavrov is set to meet with Mali's Foreign Minister Abdoulaye Diop in Moscow on February 28.", "Mali's Foreign Minister Abdoulaye Diop will hold talks with Russian Foreign Minister Sergey Lavrov in Moscow on March 1, covering cooperation between the two countries and the regional agenda."],
 ["Russian Foreign Minister Sergey Lavrov is set to meet with Mali's Foreign Minister Abdoulaye Diop in Moscow on February 28.", "Russian Foreign Minister Sergey Lavrov will receive his Malian counterpart Abdoulaye Diop in Moscow on February 28 for talks on bilateral cooperation and the regional situation."],
 ["MASSAWA — Russian Foreign Minister Sergey Lavrov met Eritrean President Isaias Afwerki in the Red Sea port city of Massawa on January 26, 2023, the last stop of his January tour of Africa.", "Russia's foreign minister Sergey Lavrov was received by President Isaias Afwerki in the port city of Massawa on January 25, 2023, ending his tour of Africa in Eritrea."],
];
for (const [a,b] of pairs) { const A=statementOf(a), B=statementOf(b); console.log(subjectOverlap(A,B).toFixed(2), sameFact(A,B), disagreements(A,B).map(([x,y])=>x.text+'/'+y.text), [...A.about].join(' '), '|', [...B.about].join(' ')); }
