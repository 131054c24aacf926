/**
 * Issue 5, stopping: SIGTERM ends a run gracefully within bounded time, hangs up what is still open with BYE,
 * and leaves reports that agree with each other; a second signal stops at once, still with a summary.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { countersOf, lastCsvRow, sipts, sippAvailable, startSippUas, startSiptsUas, waitForOutput, loopbackUac } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';

/**
 * Calls of 20 s against the UAS on `port`; SIGTERM once they are all open. The run must end within 2 × the
 * longest step timeout (-recv_timeout), hang every call up, and its stat file's last row must be the summary.
 * Returns the UAC's counters.
 */
async function sigtermMidRun(t: TestContext, port: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-stop-'));
  const uacJson = join(dir, 'uac.json');
  const stat = join(dir, 'uac.csv');
  const recvTimeoutMs = 3000;
  const uac = sipts([
    ...loopbackUac(port),
    '-cp',
    '0',
    '-r',
    '50',
    '-d',
    '20000',
    '-recv_timeout',
    String(recvTimeoutMs),
    '-trace_stat',
    '-stf',
    stat,
    '-fd',
    '1',
    '--json',
    uacJson,
  ]);
  t.after(() => uac.child.kill('SIGKILL'));
  // A progress line with at least 50 calls created (not its time: a loaded machine prints [2.1s]).
  await waitForOutput(uac.child, /sipts uac: (?:[5-9]\d|\d{3,}) created/);
  const signalledAt = performance.now();
  uac.child.kill('SIGTERM');
  const u = await uac.exited;
  const tookMs = performance.now() - signalledAt;
  assert.ok(tookMs < 2 * recvTimeoutMs, `exited ${tookMs.toFixed(0)} ms after SIGTERM`);
  assert.match(u.stderr, /stopping: no new calls; open calls may end for 3 s, then are hung up/);
  assert.match(u.stdout, /Aborted/, 'the summary is printed');
  const c = countersOf(uacJson);
  assert.ok((c['CallsCreated'] ?? 0) >= 50, JSON.stringify(c));
  assert.equal(c['AbortedCalls'], c['CallsCreated'], 'every call was open, and is counted as aborted');
  const row = lastCsvRow(stat);
  assert.equal(Number(row['TotalCallCreated']), c['CallsCreated'], 'the stat file has the final row');
  assert.equal(Number(row['OutgoingCall(C)']), c['CallsCreated']);
  assert.equal(Number(row['SuccessfulCall(C)']), c['SuccessfulCalls']);
  assert.equal(Number(row['FailedCall(C)']), c['FailedCalls']);
  assert.equal(Number(row['CurrentCall']), 0);
  return c;
}

test(
  'SIGTERM mid-run: exit within 2 × the longest step timeout, open calls hung up with BYE, last stat line agrees with the summary',
  { timeout: 60_000 },
  async (t) => {
    const uasJson = join(mkdtempSync(join(tmpdir(), 'sipts-stop-')), 'uas.json');
    const uas = await startSiptsUas(['-cp', '0', '--json', uasJson]);
    t.after(() => uas.child.kill('SIGKILL'));
    const c = await sigtermMidRun(t, uas.port);
    // The UAS got a BYE for each: its calls end as successful, and it stops at once on SIGTERM.
    uas.child.kill('SIGTERM');
    assert.equal((await uas.exited).code, 0);
    const s = countersOf(uasJson);
    assert.equal(s['SuccessfulCalls'], c['CallsCreated'], JSON.stringify(s));
  },
);

test('SIGTERM mid-run against sipp -sn uas: the same bounds, and SIPp gets a BYE for every call', { skip, timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-stop-'));
  const { port, child } = await startSippUas(dir, 'uas', ['-trace_counts', '-fd', '1']);
  t.after(() => child.kill('SIGKILL'));
  const c = await sigtermMidRun(t, port);
  // SIPp writes its counts file every second: wait for a row that has seen the BYEs.
  const file = join(dir, readdirSync(dir).find((f) => f.endsWith('_counts.csv')) ?? 'none');
  let byes = 0;
  for (let i = 0; i < 30 && byes < (c['CallsCreated'] ?? 0); i++) {
    await new Promise((r) => setTimeout(r, 200));
    byes = Number(lastCsvRow(file)['4_BYE_Recv'] ?? 0);
  }
  assert.equal(byes, c['CallsCreated'], 'SIPp received a BYE for each call');
});

test('a second signal stops at once, still writing the summary and the reports', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-stop-'));
  const uas = await startSiptsUas(['-cp', '0']);
  t.after(() => uas.child.kill('SIGKILL'));
  const json = join(dir, 'uac.json');
  // No step timeout: a graceful stop would wait 64·T1 = 32 s for these 60-second calls.
  const uac = sipts([...loopbackUac(uas.port), '-cp', '0', '-r', '50', '-d', '60000', '--json', json]);
  t.after(() => uac.child.kill('SIGKILL'));
  // A progress line with at least 50 calls created (not its time: a loaded machine prints [2.1s]).
  await waitForOutput(uac.child, /sipts uac: (?:[5-9]\d|\d{3,}) created/);
  uac.child.kill('SIGTERM');
  await waitForOutput(uac.child, /open calls may end for 32 s/);
  const signalledAt = performance.now();
  uac.child.kill('SIGINT');
  const u = await uac.exited;
  assert.ok(performance.now() - signalledAt < 2000, 'stopped at once');
  assert.match(u.stdout, /Aborted/);
  const c = countersOf(json);
  assert.ok((c['AbortedCalls'] ?? 0) >= 50 && c['AbortedCalls'] === c['CallsCreated'], JSON.stringify(c));
  uas.child.kill('SIGKILL');
});
