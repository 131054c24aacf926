/**
 * bin/sipts.js is run by its #! line, which gives Node V8 options (young generation size, single-threaded GC,
 * old-generation growth, no pretenuring). Node exits with "bad option" on one it does not know, so this runs the
 * file as installed, through `env`, with the Node that runs the tests first in PATH: CI runs it on each LTS line.
 * (The other tests start `node bin/sipts.js`, which skips the #! line.)
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { BIN } from '../helpers.js';

test('bin/sipts.js starts through its #! line and this Node takes every option there', async () => {
  const line = readFileSync(BIN, 'utf8').split('\n')[0] ?? '';
  assert.match(line, /^#!\/usr\/bin\/env -S node( --[a-z-]+(=\d+)?)+$/);
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` };
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(BIN, ['-v'], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
  assert.equal(out.stderr, '');
  assert.equal(out.code, 0);
  assert.match(out.stdout, /^sipts v\d+\.\d+\.\d+/);
});
