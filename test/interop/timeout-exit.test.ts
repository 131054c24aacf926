/**
 * Issue 16: the exit code of a run ended by -timeout, with and without -timeout_error, is SIPp 3.6.1's: the
 * same command line is given to both tools and their exit codes compared.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sipp, sippAvailable, sipts, startSippUas } from '../helpers.js';

const both = async (args: readonly string[], cwd: string): Promise<{ sipp: number | null; sipts: number | null; stderr: string }> => {
  const [a, b] = await Promise.all([sipp([...args], 30_000, cwd).exited, sipts([...args, '-nostdin', '-cp', '0'], 30_000, cwd).exited]);
  return { sipp: a.code, sipts: b.code, stderr: b.stderr };
};

test(
  "-timeout with no call: exit 97 as SIPp; with -timeout_error: 255 and SIPp's message",
  { skip: !sippAvailable(), timeout: 60_000 },
  async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'sipts-timeout-'));
    const [plain, error] = await Promise.all([
      both(['-sn', 'uas', '-i', '127.0.0.1', '-p', '0', '-timeout', '1'], cwd),
      both(['-sn', 'uas', '-i', '127.0.0.1', '-p', '0', '-timeout', '1', '-timeout_error'], cwd),
    ]);
    assert.deepEqual([plain.sipp, plain.sipts], [97, 97]);
    assert.deepEqual([error.sipp, error.sipts], [255, 255]);
    assert.match(error.stderr, /^sipts: uas timed out after '1\.000' seconds$/m);
  },
);

test(
  '-timeout after calls that all succeeded: exit 0 as SIPp; with -timeout_error: 255',
  { skip: !sippAvailable(), timeout: 60_000 },
  async (t) => {
    const cwd = mkdtempSync(join(tmpdir(), 'sipts-timeout-'));
    const uas = await startSippUas(cwd);
    t.after(() => uas.child.kill());
    // Calls at 0 and 1.5 s, each over in milliseconds: none is open when the timeout comes at 2 s.
    const args = ['-sn', 'uac', `127.0.0.1:${uas.port}`, '-i', '127.0.0.1', '-p', '0', '-r', '1', '-rp', '1500', '-timeout', '2'];
    const [plain, error] = await Promise.all([both(args, cwd), both([...args, '-timeout_error'], cwd)]);
    assert.deepEqual([plain.sipp, plain.sipts], [0, 0]);
    assert.deepEqual([error.sipp, error.sipts], [255, 255]);
  },
);
