/** The README's option table, generated from the option table (npm run options-table prints it). */
import { OPTIONS, type OptionSpec } from './options.js';

export function optionsMarkdown(): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = ['| option | value | default | what it does |', '| --- | --- | --- | --- |'];
  for (const o of OPTIONS as readonly OptionSpec[]) {
    const value = o.kind === 'flag' ? '' : `${o.arg ?? ''}${o.choices === undefined ? '' : ` (${o.choices.join(' \\| ')})`}`;
    const def = o.default === undefined ? '' : `${o.default}${o.kind === 'time' ? ` ${o.unit ?? ''}` : ''}`;
    rows.push(`| \`-${o.name}\` | ${value} | ${def} | ${esc(o.help)} |`);
  }
  return rows.join('\n');
}

if (process.argv[1]?.endsWith('options-table.js') === true) process.stdout.write(`${optionsMarkdown()}\n`);
