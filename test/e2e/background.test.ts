/**
 * -bg: print the PID of a background run and return at once; the background run goes on, writes its reports
 * and ends. The printed line and the exit code (99) are SIPp 3.6.1's ("Background mode - PID=[N]"), checked against
 * the installed sipp.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { countersOf, freePort, sipp, sippAvailable, sipts, startSiptsUas } from '../helpers.js';

const sippMissing = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';

/** Whether `pid` runs: exists, and is not a zombie waiting for a parent that does not reap (some containers' PID 1). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const PID_LINE = /^Background mode - PID=\[(\d+)\]\n$/;

test(
  '-bg prints the background PID and returns; that process makes the calls, writes its report and ends',
  { timeout: 60_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-bg-'));
    const uas = await startSiptsUas(['-cp', '0']);
    t.after(() => uas.child.kill('SIGKILL'));
    const json = join(dir, 'bg.json');
    // 20 calls at 10 a second: the background run outlives the command by about two seconds.
    const started = performance.now();
    const r = await sipts(
      ['-bg', '-sn', 'uac', `127.0.0.1:${uas.port}`, '-i', '127.0.0.1', '-p', '0', '-cp', '0', '-r', '10', '-m', '20', '--json', json],
      10_000,
      dir,
    ).exited;
    const returnedMs = performance.now() - started;
    assert.equal(r.code, 99, `SIPp's -bg returns EXIT_OTHER (99); ${r.stderr}`);
    const pid = Number(PID_LINE.exec(r.stdout)?.[1]);
    assert.ok(pid > 0, `stdout: ${JSON.stringify(r.stdout)}`);
    t.after(() => {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    });
    assert.equal(existsSync(json), false, `returned (after ${returnedMs.toFixed(0)} ms) while the run goes on`);
    assert.ok(alive(pid), 'the background run is running');
    await until('the background run to end', () => !alive(pid));
    const c = countersOf(json);
    assert.equal(c['SuccessfulCalls'], 20, JSON.stringify(c));
  },
);

test('-bg: SIPp prints the same line for the same command line', { skip: sippMissing, timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-bg-sipp-'));
  const uas = await startSiptsUas(['-cp', '0']);
  t.after(() => uas.child.kill('SIGKILL'));
  const r = await sipp(
    ['-bg', '-sn', 'uac', `127.0.0.1:${uas.port}`, '-i', '127.0.0.1', '-p', String(await freePort()), '-r', '10', '-m', '5'],
    10_000,
    dir,
  ).exited;
  assert.equal(r.code, 99, r.stderr);
  const pid = Number(PID_LINE.exec(r.stdout)?.[1]);
  assert.ok(pid > 0, `SIPp printed ${JSON.stringify(r.stdout)}`);
  t.after(() => {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  await until("SIPp's background run to end", () => !alive(pid));
});
