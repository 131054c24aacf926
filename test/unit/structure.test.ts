import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { OPTIONS } from '../../src/cli/options.js';
import { optionsMarkdown } from '../../src/cli/options-table.js';
import { ROOT } from '../helpers.js';

test('the README option table is the one generated from the option table (npm run options-table)', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes(`${optionsMarkdown()}\n`), 'README.md: paste the output of `npm run options-table` over the option table');
  const listed = [...readme.matchAll(/^\| `-([A-Za-z0-9_-]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(listed, OPTIONS.map((o) => o.name));
});

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

test('imports go one way: sip and scenario know nothing of the engine; nothing imports the CLI', () => {
  const src = join(ROOT, 'src');
  const allowed: Record<string, readonly string[]> = {
    sip: ['sip'],
    scenario: ['scenario', 'sip', 'errors.ts', 'format.ts', 'load/distributions.ts'],
    transport: ['transport'],
    load: ['load'],
    stats: ['stats', 'engine/outcome.ts'],
    report: ['report', 'stats', 'scenario', 'format.ts', 'engine/outcome.ts', 'engine/trace.ts'],
    engine: ['engine', 'sip', 'scenario', 'stats', 'load', 'transport', 'data'],
    version: [],
    data: ['data', 'errors.ts'],
  };
  for (const file of sources(src)) {
    const rel = relative(src, file);
    const layer = rel.split('/')[0] ?? '';
    const ok = allowed[layer];
    if (ok === undefined) continue; // cli/ and errors.ts may import anything
    for (const m of readFileSync(file, 'utf8').matchAll(/^import[^'"]*['"](\.[^'"]+)['"]/gm)) {
      const target = relative(src, join(file, '..', (m[1] ?? '').replace(/\.js$/, '.ts')));
      assert.ok(ok.some((p) => target === p || target.startsWith(`${p}/`)), `${rel} imports ${target}`);
    }
  }
});
