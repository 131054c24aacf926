/** The README's option table, generated from the option table (npm run options-table prints it). */
import { readFileSync, writeFileSync } from 'node:fs';
import { OPTIONS, type OptionSpec } from './options.js';

export function optionsMarkdown(): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = ['| option | value | default | what it does |', '| --- | --- | --- | --- |'];
  for (const o of OPTIONS as readonly OptionSpec[]) {
    const value = o.kind === 'flag' ? '' : `${o.arg ?? ''}${o.choices === undefined ? '' : ` (${o.choices.join(' \\| ')})`}`;
    const def = o.default === undefined ? '' : `${o.default}${o.kind === 'time' ? ` ${o.unit ?? ''}` : ''}`;
    const why =
      o.refused !== undefined ? ` **Refused**: ${o.refused}.` : o.ignored !== undefined ? ` **Accepted and ignored**: ${o.ignored}.` : '';
    rows.push(`| \`-${o.name}\` | ${value} | ${o.refused !== undefined ? '' : def} | ${esc(o.help + why)} |`);
  }
  return rows.join('\n');
}

/** Replaces the option table in a README text. */
export function withOptionsTable(readme: string): string {
  const start = readme.indexOf('| option | value | default | what it does |');
  const end = readme.indexOf('\n\n', start);
  return start < 0 || end < 0 ? readme : readme.slice(0, start) + optionsMarkdown() + readme.slice(end);
}

// `npm run options-table` prints the table; with -- --write it updates README.md in place.
if (process.argv[1]?.endsWith('options-table.js') === true) {
  if (process.argv.includes('--write')) writeFileSync('README.md', withOptionsTable(readFileSync('README.md', 'utf8')));
  else process.stdout.write(`${optionsMarkdown()}\n`);
}
