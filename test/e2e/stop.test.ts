/**
 * Issue 5, stopping: SIGTERM ends a run gracefully within bounded time, hangs up what is still open with BYE,
 * and leaves reports that agree with each other; a second signal stops at once, still with a summary.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { countersOf, sipts, startSiptsUas, waitForOutput } from '../helpers.js';


/** The stat file's last row, by column name. */
function lastStatRow(file: string): Record<string, string> {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const head = (lines[0] ?? '').split(';');
  const last = (lines.at(-1) ?? '').split(';');
  return Object.fromEntries(head.map((h, i) => [h, last[i] ?? '']));
}

test('SIGTERM mid-run: exit within 2 × the longest step timeout, open calls hung up with BYE, last stat line agrees with the summary', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-stop-'));
  const uasJson = join(dir, 'uas.json');
  const uas = await startSiptsUas(['-cp', '0', '--json', uasJson]);
  t.after(() => uas.child.kill('SIGKILL'));
  const uacJson = join(dir, 'uac.json');
  const stat = join(dir, 'uac.csv');
  // Calls hold for 20 s, so all are open when the signal comes; the longest step timeout is -recv_timeout.
  const recvTimeoutMs = 3000;
  const uac = sipts(['-sn', 'uac', `127.0.0.1:${uas.port}`, '-i', '127.0.0.1', '-p', '0', '-cp', '0', '-r', '50', '-d', '20000',
    '-recv_timeout', String(recvTimeoutMs), '-trace_stat', '-stf', stat, '-fd', '1', '--json', uacJson]);
  t.after(() => uac.child.kill('SIGKILL'));
  await waitForOutput(uac.child, /\[2\.0s\] sipts uac: \d+ created/);
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
  const row = lastStatRow(stat);
  assert.equal(Number(row['TotalCallCreated']), c['CallsCreated'], 'the stat file has the final row');
  assert.equal(Number(row['OutgoingCall(C)']), c['CallsCreated']);
  assert.equal(Number(row['SuccessfulCall(C)']), c['SuccessfulCalls']);
  assert.equal(Number(row['FailedCall(C)']), c['FailedCalls']);
  assert.equal(Number(row['CurrentCall']), 0);
  // The UAS got a BYE for each: its calls end as successful, and it stops at once on SIGTERM.
  uas.child.kill('SIGTERM');
  assert.equal((await uas.exited).code, 0);
  const s = countersOf(uasJson);
  assert.equal(s['SuccessfulCalls'], c['CallsCreated'], JSON.stringify(s));
});

test('a second signal stops at once, still writing the summary and the reports', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-stop-'));
  const uas = await startSiptsUas(['-cp', '0']);
  t.after(() => uas.child.kill('SIGKILL'));
  const json = join(dir, 'uac.json');
  // No step timeout: a graceful stop would wait 64·T1 = 32 s for these 60-second calls.
  const uac = sipts(['-sn', 'uac', `127.0.0.1:${uas.port}`, '-i', '127.0.0.1', '-p', '0', '-cp', '0', '-r', '50', '-d', '60000', '--json', json]);
  t.after(() => uac.child.kill('SIGKILL'));
  await waitForOutput(uac.child, /\[2\.0s\] sipts uac: \d+ created/);
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
