/**
 * Issue 16: -rate_increase, -rate_interval and -rate_max give the same per-period call rates as SIPp's:
 * the same options to both against SIPp's UAS, the stat files' OutgoingCall(P) and CallRate(P) compared.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { csvRows, sipp, sippAvailable, sipts, startSippUas, loopbackUac } from '../helpers.js';

test("rate ramp: per-period rates and the stop at -rate_max as SIPp's", { skip: !sippAvailable(), timeout: 60_000 }, async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'sipts-ramp-'));
  const uas = await startSippUas(cwd);
  t.after(() => uas.child.kill());
  // 10, 20, 30, 40 calls/s a second each; the next step would pass 40, so both stop there.
  const args = [
    ...loopbackUac(uas.port),
    '-r',
    '10',
    '-rate_increase',
    '10',
    '-rate_interval',
    '1',
    '-rate_max',
    '40',
    '-fd',
    '1',
    '-trace_stat',
  ];
  const [a, b] = await Promise.all([
    sipp([...args, '-stf', join(cwd, 'sipp.csv')], 30_000, cwd).exited,
    sipts([...args, '-stf', join(cwd, 'sipts.csv'), '-nostdin', '-cp', '0'], 30_000, cwd).exited,
  ]);
  assert.deepEqual([a.code, b.code], [0, 0], b.stderr);
  // The rows of the four periods of the ramp: SIPp also writes a row as it starts, which sipts does not.
  const periods = (file: string, skip: number): { calls: number; rate: number }[] =>
    csvRows(join(cwd, file))
      .slice(skip, skip + 4)
      .map((r) => ({ calls: Number(r['OutgoingCall(P)']), rate: Number(r['CallRate(P)']) }));
  const ours = periods('sipts.csv', 0);
  const theirs = periods('sipp.csv', 1);
  const all = `sipts ${JSON.stringify(ours)} vs SIPp ${JSON.stringify(theirs)}`;
  assert.equal(ours.length, 4, all);
  assert.equal(theirs.length, 4, all);
  // A call due at the very instant a period ends falls on either side of it, in either tool (SIPp starts its
  // first call a call interval late); a row written a few ms late takes a call of the next period.
  ours.forEach((p, i) => {
    const s = theirs[i] ?? { calls: -99, rate: -99 };
    const slack = Math.max(2, 0.1 * s.calls);
    assert.ok(Math.abs(p.calls - s.calls) <= slack + 1, `period ${i + 1}: ${all}`);
    assert.ok(Math.abs(p.rate - s.rate) <= slack + 1, `period ${i + 1}: ${all}`);
  });
  // Both stopped at -rate_max: nothing after the fourth period.
  const after = (file: string): number =>
    csvRows(join(cwd, file))
      .slice(-1)
      .reduce((n, r) => n + Number(r['OutgoingCall(C)']), 0);
  assert.ok(Math.abs(after('sipts.csv') - after('sipp.csv')) <= 4, `total calls: sipts ${after('sipts.csv')}, SIPp ${after('sipp.csv')}`);
});
