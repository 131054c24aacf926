/**
 * Issue 5, overload and limits: a rate the machine cannot make, and -t un past the file-descriptor limit.
 * The run goes on, counts what it could not do, and says so.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BIN, countersOf, run, sipts, startSiptsUas, loopbackUac } from '../helpers.js';

test(
  'a rate beyond what the machine can do: the run goes on, the starts it cannot make are counted and shown',
  { timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-overload-'));
    const uas = await startSiptsUas(['-cp', '0']);
    t.after(() => uas.child.kill('SIGKILL'));
    const json = join(dir, 'uac.json');
    // 200,000 calls/s: far beyond two cores, for whoever runs this.
    const r = await sipts(
      [...loopbackUac(uas.port), '-cp', '0', '-r', '200000', '-timeout', '4s', '-recv_timeout', '2000', '--json', json],
      50_000,
    ).exited;
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr.slice(-1000)}`);
    const c = countersOf(json);
    assert.ok((c['CallsNotStarted'] ?? 0) > 100_000, JSON.stringify(c));
    assert.ok((c['CallsCreated'] ?? 0) > 1000, 'it still makes calls');
    assert.match(r.stderr, /\d+ not started \(behind rate\)/, 'the progress line says so');
    assert.match(r.stdout, /Not started \(behind rate\)\s*│\s*\d+/);
    // Every call created is accounted for: ended one way or another.
    assert.equal((c['SuccessfulCalls'] ?? 0) + (c['FailedCalls'] ?? 0) + (c['AbortedCalls'] ?? 0), c['CallsCreated']);
    uas.child.kill('SIGKILL');
  },
);

test('-t un beyond the file-descriptor limit: said once, and the calls go on over the main socket', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-fd-'));
  const uas = await startSiptsUas(['-cp', '0']);
  t.after(() => uas.child.kill('SIGKILL'));
  const json = join(dir, 'uac.json');
  // 400 calls of 2 s at 200/s want about 400 sockets at once; the shell allows the process 150 descriptors.
  const args = [...loopbackUac(uas.port), '-cp', '0', '-t', 'un', '-r', '200', '-d', '2000', '-m', '400', '--json', json];
  const r = await run('bash', ['-c', 'ulimit -n 150 && exec "$0" "$@"', process.execPath, BIN, ...args], 50_000).exited;
  assert.equal(r.code, 0, r.stderr.slice(-1500));
  const warnings = r.stderr.split('\n').filter((l) => l.includes('file descriptor limit'));
  assert.equal(warnings.length, 1, r.stderr.slice(-1500));
  assert.match(
    warnings[0] ?? '',
    /^sipts: warning: -t un: no socket for a new call after \d+ \(EMFILE: the file descriptor limit, see ulimit -n\); new calls share the main socket$/,
  );
  const c = countersOf(json);
  assert.equal(c['SuccessfulCalls'], 400, JSON.stringify(c));
  // The refused socket is the one transport error: the limit kind, said once (SendErrors is every kind's total).
  assert.deepEqual((JSON.parse(readFileSync(json, 'utf8')) as { transportErrors: unknown }).transportErrors, { limit: 1 });
  assert.equal(c['SendErrors'], 1);
  uas.child.kill('SIGKILL');
});
