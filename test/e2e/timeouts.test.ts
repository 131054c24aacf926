/**
 * Issue 5, timeouts through the command line: a silent or late peer makes calls fail with the right
 * reason, in bounded time, and what comes after a call ended is counted as a dead-call message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RawPeer, responseTo, sipts } from '../helpers.js';

type Report = { counters: Record<string, number>; failures: Record<string, number> };
const reportOf = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report;

async function timed(args: readonly string[]): Promise<{ ms: number; code: number | null; report: Report }> {
  const json = join(mkdtempSync(join(tmpdir(), 'sipts-timeouts-')), 'r.json');
  const started = performance.now();
  const r = await sipts([...args, '-i', '127.0.0.1', '-p', '0', '-cp', '0', '--json', json], 30_000).exited;
  return { ms: performance.now() - started, code: r.code, report: reportOf(json) };
}

test(
  'a silent peer: -max_retrans and -recv_timeout fail calls with their reason, in bounded time; -timeout ends the run',
  { timeout: 60_000 },
  async (t) => {
    const silent = new RawPeer();
    const port = await silent.open();
    t.after(() => silent.close());
    const target = `127.0.0.1:${port}`;
    const [retrans, inviteOnly, recv, whole] = await Promise.all([
      // INVITE timer A: 0.5 + 1 s of retransmissions, then 2 s for the last: 3.5 s.
      timed(['-sn', 'uac', target, '-r', '10', '-m', '3', '-max_retrans', '2']),
      // The INVITE has its own limit.
      timed(['-sn', 'uac', target, '-r', '10', '-m', '3', '-max_invite_retrans', '1', '-max_non_invite_retrans', '4']),
      timed(['-sn', 'uac', target, '-r', '10', '-m', '3', '-recv_timeout', '1s']),
      timed(['-sn', 'uac', target, '-r', '10', '-timeout', '2s']),
    ]);
    assert.equal(retrans.code, 1);
    assert.deepEqual([retrans.report.failures['FailedMaxUDPRetrans'], retrans.report.counters['Retransmissions']], [3, 6]);
    assert.ok(retrans.ms > 3400 && retrans.ms < 9000, `${retrans.ms} ms`);
    assert.deepEqual([inviteOnly.report.failures['FailedMaxUDPRetrans'], inviteOnly.report.counters['Retransmissions']], [3, 3]);
    assert.ok(inviteOnly.ms > 1400 && inviteOnly.ms < 6000, `${inviteOnly.ms} ms`);
    assert.equal(recv.code, 1);
    assert.equal(recv.report.failures['FailedTimeoutOnRecv'], 3);
    assert.ok(recv.ms > 1000 && recv.ms < 6000, `${recv.ms} ms`);
    assert.equal(whole.code, 1);
    assert.ok((whole.report.counters['AbortedCalls'] ?? 0) >= 19, JSON.stringify(whole.report.counters));
    assert.ok(whole.ms > 2000 && whole.ms < 6000, `${whole.ms} ms`);
  },
);

test(
  'a late peer: the 200 that comes after -recv_timeout failed the call is a dead-call message, until -deadcall_wait',
  { timeout: 30_000 },
  async (t) => {
    const peer = new RawPeer();
    const port = await peer.open();
    t.after(() => peer.close());
    // Two calls a second apart: the run is still going (call 2) when the late answer to call 1 comes.
    const json = join(mkdtempSync(join(tmpdir(), 'sipts-timeouts-')), 'r.json');
    const run = sipts(
      [
        '-sn',
        'uac',
        `127.0.0.1:${port}`,
        '-r',
        '1',
        '-m',
        '2',
        '-recv_timeout',
        '800ms',
        '-deadcall_wait',
        '5000',
        '-nr',
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-cp',
        '0',
        '--json',
        json,
        '--prometheus',
        '127.0.0.1:0',
      ],
      30_000,
    );
    let stderr = '';
    run.child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const invite = await peer.next(5000);
    // The answer comes once call 1 has failed on its -recv_timeout (as /metrics says), not after a guessed time.
    let failed = 0;
    while (failed < 1) {
      await new Promise((r) => setTimeout(r, 20));
      const url = /Prometheus metrics on (http:\/\/\S+\/metrics)/.exec(stderr)?.[1];
      if (url !== undefined) failed = Number(/^sipts_failed_calls_total (\d+)$/m.exec(await (await fetch(url)).text())?.[1] ?? 0);
    }
    peer.send(responseTo(invite, '200 OK', 'late'), Number(/^Via: SIP\/2\.0\/UDP [^:]+:(\d+)/m.exec(invite)?.[1]));
    const code = (await run.exited).code;
    const report = reportOf(json);
    assert.equal(code, 1);
    assert.equal(report.failures['FailedTimeoutOnRecv'], 2);
    assert.equal(report.counters['DeadCallMsgs'], 1, JSON.stringify(report.counters));
    assert.equal(report.counters['OutOfCallMsgs'], 0);
  },
);
