/** sipts against real SIPp 3.6.1, both ways. .ci/run installs SIPp (Debian package sip-tester). */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sipp, sippAvailable, sipts, startSippUas, startSiptsUas, waitForOutput, waitForUdpBound, loopbackUac } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-interop-'));
const count = (text: string, label: string): number => Number(new RegExp(`${label}\\s*│\\s*(\\d+)`).exec(text)?.[1]);

test('sipts -sn uac -r 200 -m 2000 against sipp -sn uas: 2000 successful calls, exit 0', { skip, timeout: 120_000 }, async (t) => {
  const { port, child: peer } = await startSippUas(work);
  t.after(() => peer.kill('SIGKILL'));
  const r = await sipts(['-sn', 'uac', `127.0.0.1:${port}`, '-i', '127.0.0.1', '-p', '0', '-r', '200', '-m', '2000'], 100_000).exited;
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(count(r.stdout, 'Successful'), 2000);
  assert.equal(count(r.stdout, 'Failed'), 0);
});

test(
  'sipp -sn uac -r 200 -m 2000 against sipts -sn uas: SIPp exits 0, sipts answered 2000 calls',
  { skip, timeout: 120_000 },
  async (t) => {
    const uas = await startSiptsUas(['-m', '2000'], 100_000);
    const port = uas.port;
    t.after(() => uas.child.kill('SIGKILL'));
    const r = await sipp(['-sn', 'uac', `127.0.0.1:${port}`, '-i', '127.0.0.1', '-r', '200', '-m', '2000'], 100_000, work).exited;
    assert.equal(r.code, 0, r.stdout.slice(-3000));
    assert.match(r.stdout, /Successful call\s*\|\s*\d+\s*\|\s*2000/);
    const s = await uas.exited;
    assert.equal(s.code, 0, s.stderr);
    assert.equal(count(s.stdout, 'Successful'), 2000);
    assert.equal(count(s.stdout, 'Out-of-call messages'), 0);
  },
);

test('seed lines against SIPp: sipts uac line verbatim to sipp -sn uas on 5077', { skip, timeout: 60_000 }, async (t) => {
  const peer = sipp(['-sn', 'uas', '-i', '127.0.0.1', '-p', '5077'], 60_000, work);
  t.after(() => peer.child.kill('SIGKILL'));
  await waitForUdpBound(5077);
  const uac = sipts(['-sn', 'uac', '127.0.0.1:5077', '-i', '127.0.0.1', '-p', '5078', '-r', '50', '-rp', '1000']);
  t.after(() => uac.child.kill('SIGKILL'));
  // Until the progress line (every 2 s without a TTY) has counted 100 successful calls.
  await waitForOutput(uac.child, /sipts uac: \d+ created, \d+ open, [1-9]\d{2,} successful/, 20_000);
  uac.child.kill('SIGINT');
  const r = await uac.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(count(r.stdout, 'Successful') >= 100);
  assert.equal(count(r.stdout, 'Failed'), 0);
});

test('seed lines against SIPp: sipts uas line verbatim answers sipp -sn uac from 5078', { skip, timeout: 60_000 }, async (t) => {
  const uas = sipts(['-sn', 'uas', '-i', '127.0.0.1', '-p', '5077']);
  t.after(() => uas.child.kill('SIGKILL'));
  await waitForOutput(uas.child, /answering on 127\.0\.0\.1:5077/);
  const r = await sipp(
    ['-sn', 'uac', '127.0.0.1:5077', '-i', '127.0.0.1', '-p', '5078', '-r', '50', '-rp', '1000', '-m', '100'],
    50_000,
    work,
  ).exited;
  assert.equal(r.code, 0, r.stdout.slice(-3000));
  uas.child.kill('SIGINT');
  const s = await uas.exited;
  assert.equal(s.code, 0, s.stderr);
  assert.equal(count(s.stdout, 'Successful'), 100);
});

test('SIPp stopped mid-run: sipts does not hang, calls fail with their reason, exit 1', { skip, timeout: 90_000 }, async (t) => {
  const { port, child: peer } = await startSippUas(work);
  t.after(() => peer.kill('SIGKILL'));
  const uac = sipts([...loopbackUac(port), '-r', '100', '-m', '400', '-d', '1000', '-recv_timeout', '40s']);
  t.after(() => uac.child.kill('SIGKILL'));
  // Once some calls have succeeded (the first progress line, at 2 s; calls are made until 4 s).
  await waitForOutput(uac.child, /sipts uac: \d+ created, \d+ open, [1-9]\d* successful/);
  peer.kill('SIGKILL');
  // Default limits: INVITE gives up after 31.5 s, BYE after 7 retransmissions; a call that had its 180 but
  // not its 200 when SIPp died waits for timer C (3 min), so this test bounds receives with -recv_timeout.
  const r = await uac.exited;
  assert.equal(r.code, 1, r.stderr);
  const ok = count(r.stdout, 'Successful');
  const failed = count(r.stdout, 'Failed');
  assert.ok(ok > 0 && failed > 0 && ok + failed === 400, `${ok} + ${failed}`);
  const reasons = (count(r.stdout, 'FailedMaxUDPRetrans') || 0) + (count(r.stdout, 'FailedTimeoutOnRecv') || 0);
  assert.equal(reasons, failed, r.stdout);
});

test('-t un (a socket per call) against sipp -sn uas: every call succeeds', { skip, timeout: 60_000 }, async (t) => {
  const { port, child: peer } = await startSippUas(work);
  t.after(() => peer.kill('SIGKILL'));
  const r = await sipts(['-sn', 'uac', `127.0.0.1:${port}`, '-i', '127.0.0.1', '-p', '0', '-t', 'un', '-r', '300', '-m', '1000'], 50_000)
    .exited;
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(count(r.stdout, 'Successful'), 1000);
});
