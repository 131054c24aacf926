/**
 * The engine's seams (issue 17): the CLI reaches a run only through RunControl, and the engine's parts (and the
 * interpreter) see small interfaces, never the Engine class. Read from the sources, as structure.test.ts does.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers.js';

const SRC = join(ROOT, 'src');
const files = (dir: string): string[] =>
  readdirSync(join(SRC, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `${dir}/${f}`);
const text = (file: string): string => readFileSync(join(SRC, file), 'utf8');
const imports = (file: string): string[] =>
  [...text(file).matchAll(/^(?:import|export)[^'"]*from\s*['"](\.[^'"]+)['"]/gm)].map((m) => m[1] ?? '');

test('the CLI reaches a run through RunControl only: it imports no Engine, nor reads engine.scheduler or engine.stats', () => {
  for (const file of files('cli')) {
    assert.ok(
      !imports(file).includes('../engine/engine.js'),
      `${file} imports engine/engine.ts: type it as RunControl (engine/run-control.ts)`,
    );
    assert.doesNotMatch(text(file), /\bengine\.(scheduler|stats|wheel|registry)\b/, `${file} reaches inside the engine`);
  }
});

test("the engine's parts and the interpreter take small interfaces, not the Engine class", () => {
  const parts = [
    'call-factory',
    'router',
    'twin-commands',
    'call-host',
    'call-end',
    'trace-taps',
    'id-space',
    'ticker',
    'interpreter',
    'actions',
    'host',
  ].map((p) => `engine/${p}.ts`);
  for (const file of parts) assert.ok(!imports(file).includes('./engine.js'), `${file} imports engine.ts`);
  // Nothing but the run's starter (run.ts) and the engine itself makes engines.
  for (const file of files('engine').filter((f) => f !== 'engine/engine.ts' && f !== 'engine/run.ts')) {
    assert.doesNotMatch(text(file), /new Engine\(/, `${file} makes an Engine`);
  }
});
