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
  assert.deepEqual(
    listed,
    OPTIONS.map((o) => o.name),
  );
});

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('imports go one way: sip and scenario know nothing of the engine; nothing imports the CLI', () => {
  const src = join(ROOT, 'src');
  const allowed: Record<string, readonly string[]> = {
    sip: ['sip'],
    // Load time only: the send-time rendering of templates lives in engine/render.ts.
    scenario: ['scenario', 'sip', 'errors.ts', 'load/distributions.ts', 'media', 'thrown.ts'],
    transport: ['transport', 'events', 'thrown.ts'],
    load: ['load'],
    // What a run produces (call outcomes, trace events): below the engine, the stats and the reports alike.
    events: ['events'],
    stats: ['stats', 'events'],
    report: ['report', 'stats', 'scenario', 'format.ts', 'events', 'thrown.ts', 'json.ts'],
    engine: ['engine', 'sip', 'scenario', 'stats', 'load', 'transport', 'data', 'events', 'format.ts', 'media', 'thrown.ts'],
    version: [],
    // What a catch gives, narrowed from unknown (asError, messageOf, errnoCode): a leaf any layer may use.
    'thrown.ts': [],
    // JSON.parse and Array.isArray giving unknown, for type guards to narrow: a leaf too.
    'json.ts': [],
    data: ['data', 'errors.ts'],
    // RTP media files, packets and measurement (issue 18): below the engine, like sip/; errors.ts for the file readers.
    media: ['media', 'errors.ts', 'thrown.ts'],
    // -workers: between the CLI and the engine. It fronts worker threads as one RunControl and serves an engine
    // to the main thread; what a worker runs is the CLI's (cli/worker-main.ts), so it knows no scenario loading.
    // transport: an answering run's I/O thread owns the socket and its workers' transport is a ring (handoff.ts).
    workers: ['workers', 'engine/run-control.ts', 'load', 'stats', 'transport', 'events'],
    // Kubernetes manifests of a run split in segments (sipts k8s): text out of plain data, nothing of the run itself.
    k8s: ['k8s'],
  };
  for (const file of sources(src)) {
    const rel = relative(src, file);
    const layer = rel.split('/')[0] ?? '';
    const ok = allowed[layer];
    if (ok === undefined) continue; // cli/ and errors.ts may import anything
    for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from\s*['"](\.[^'"]+)['"]/gm)) {
      const target = relative(src, join(file, '..', (m[1] ?? '').replace(/\.js$/, '.ts')));
      assert.ok(
        ok.some((p) => target === p || target.startsWith(`${p}/`)),
        `${rel} imports ${target}`,
      );
    }
  }
});

/** Relative imports of every file under src/, as src-relative paths (type-only imports included: a cycle of types is still a tangle). */
function importGraph(src: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(src)) {
    const targets = [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from\s*['"](\.[^'"]+)['"]/gm)].map((m) =>
      relative(src, join(file, '..', (m[1] ?? '').replace(/\.js$/, '.ts'))),
    );
    graph.set(relative(src, file), targets);
  }
  return graph;
}

test('no import cycles in src/ (a depth-first search over every relative import)', () => {
  const graph = importGraph(join(ROOT, 'src'));
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (node: string, path: readonly string[]): void => {
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), node, next].join(' → '));
      else if (state.get(next) === undefined) visit(next, [...path, node]);
    }
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (state.get(node) === undefined) visit(node, []);
  assert.deepEqual(cycles, []);
});
