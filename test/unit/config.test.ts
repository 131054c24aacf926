import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rewriteArgv } from '../../src/cli/argv.js';
import { buildConfig } from '../../src/cli/config.js';

test('two-value options: -key and -set by name (last wins), every -infindex kept, even on one file', () => {
  const args = rewriteArgv(['-key', 'a', '1', '-key', 'a', '2', '-set', 'v', 'x', '-infindex', 'u.csv', '0', '-infindex', 'u.csv', '2']);
  const raw: Record<string, string[]> = {};
  for (let i = 0; i < args.length; i += 2) (raw[(args[i] ?? '').slice(2)] ??= []).push(args[i + 1] ?? '');
  const c = buildConfig(raw, []);
  assert.deepEqual(c.keys, { a: '2' });
  assert.deepEqual(c.globals, { v: 'x' });
  assert.deepEqual(c.injectionIndexes, [{ file: 'u.csv', field: 0 }, { file: 'u.csv', field: 2 }]);
});
