/**
 * `npm run countries`: rebuilds src/rag/text/countries.json, the country tables the word analysis reads, from the
 * world-countries data (src/rag/text/country-tables.ts). Run it after upgrading world-countries or changing how words
 * are folded, spelt or stemmed; the unit tests fail until it has been run.
 */
import { writeFile } from 'node:fs/promises';
import { buildCountryTables, countryRecords } from '../src/rag/text/country-tables.js';
import { command, parseArguments, runCli } from './cli.js';

const TABLES_FILE = 'src/rag/text/countries.json';

await runCli(async () => {
  const exit = parseArguments(command('countries', `Rebuild ${TABLES_FILE} from the world-countries data.`));
  if (exit !== null) return exit;
  const tables = buildCountryTables(countryRecords());
  await writeFile(TABLES_FILE, `${JSON.stringify(tables, null, 1)}\n`);
  const count = (o: object) => Object.keys(o).length;
  console.log(
    `${TABLES_FILE}: ${count(tables.aliases)} other names of countries, ${count(tables.capitals)} countries' capitals, ` +
      `${count(tables.seats)} capitals' countries, ${tables.places.length} place terms, ${count(tables.regions)} regions`,
  );
  return 0;
});
