/**
 * Issue 16, -rtcheck: a peer that retransmits its INVITE with a new top Via branch. With full (the
 * default) that is not the same transaction (RFC 3261 §17.2.3), so it is not a retransmission; with loose
 * (SIPp: only To, From, Call-ID and CSeq count) it is, and the last answer is sent again. SIPp answers a
 * resent request with the message it sent just after it (its uas, the 180, which it forgets once the 200 is
 * sent): the comparison with SIPp uses a UAS that sends one answer.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, RawPeer, sipp, sippAvailable, sipts, startSiptsUas, waitForUdpBound } from '../helpers.js';

const invite = (port: number, branch: string): string =>
  [
    `INVITE sip:service@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:PEER;branch=${branch}`,
    'From: <sip:a@127.0.0.1>;tag=a1',
    `To: <sip:service@127.0.0.1:${port}>`,
    'Call-ID: rtcheck-1@127.0.0.1',
    'CSeq: 1 INVITE',
    'Contact: <sip:a@127.0.0.1>',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');

/** A UAS that answers 486 and waits for the ACK: the resent INVITE comes while it waits. */
const BUSY = `<?xml version="1.0"?>
<scenario name="busy then ACK">
  <recv request="INVITE"/>
  <send><![CDATA[
    SIP/2.0 486 Busy Here
    [last_Via:]
    [last_From:]
    [last_To:];tag=busy
    [last_Call-ID:]
    [last_CSeq:]
    Content-Length: 0
  ]]></send>
  <recv request="ACK"/>
</scenario>
`;

/** What a UAS sends back to an INVITE resent with another branch after its answer, first lines with CSeq. */
async function resend(mode: 'full' | 'loose', tool: 'sipts' | 'sipp', scenario: 'uas' | 'busy'): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-rtcheck-'));
  writeFileSync(join(dir, 'busy.xml'), BUSY);
  const which = scenario === 'uas' ? ['-sn', 'uas'] : ['-sf', join(dir, 'busy.xml')];
  let uas: { port: number; child: ChildProcess };
  if (tool === 'sipts') uas = await startSiptsUas([...which, '-rtcheck', mode, '-nostdin', '-cp', '0']);
  else {
    const port = await freePort();
    uas = { port, child: sipp([...which, '-i', '127.0.0.1', '-p', String(port), '-rtcheck', mode], 20_000, dir).child };
    await waitForUdpBound(port);
  }
  const peer = new RawPeer();
  const me = await peer.open();
  try {
    peer.send(invite(uas.port, 'z9hG4bK-first').replace('PEER', String(me)), uas.port);
    const answers = scenario === 'uas' ? [await peer.next(), await peer.next()] : [await peer.next()];
    assert.deepEqual(
      answers.map((a) => a.split('\r\n')[0]),
      scenario === 'uas' ? ['SIP/2.0 180 Ringing', 'SIP/2.0 200 OK'] : ['SIP/2.0 486 Busy Here'],
    );
    peer.send(invite(uas.port, 'z9hG4bK-second').replace('PEER', String(me)), uas.port);
    // Before the UAS's own retransmission of its 200 (500 ms after it).
    return (await peer.drain(250)).map((m) => `${m.split('\r\n')[0] ?? ''} ${/^CSeq: .*$/m.exec(m)?.[0] ?? ''}`.trim());
  } finally {
    peer.close();
    uas.child.kill('SIGKILL');
  }
}

test(
  "-rtcheck loose: an INVITE resent with another branch gets the last answer again; full: it does not (sipts's uas)",
  { timeout: 30_000 },
  async () => {
    const [loose, full] = await Promise.all([resend('loose', 'sipts', 'uas'), resend('full', 'sipts', 'uas')]);
    assert.deepEqual(loose, ['SIP/2.0 200 OK CSeq: 1 INVITE']);
    assert.ok(!full.includes('SIP/2.0 200 OK CSeq: 1 INVITE'), JSON.stringify(full));
  },
);

test(
  '-rtcheck, the same scenario to SIPp and sipts: the same answers to the resent INVITE',
  { skip: !sippAvailable(), timeout: 30_000 },
  async () => {
    const runs = await Promise.all([
      resend('loose', 'sipp', 'busy'),
      resend('loose', 'sipts', 'busy'),
      resend('full', 'sipp', 'busy'),
      resend('full', 'sipts', 'busy'),
    ]);
    assert.deepEqual(runs, [['SIP/2.0 486 Busy Here CSeq: 1 INVITE'], ['SIP/2.0 486 Busy Here CSeq: 1 INVITE'], [], []]);
  },
);

test('-sleep: nothing starts before it is over (seconds by default, or with a unit)', { timeout: 30_000 }, async () => {
  const started = performance.now();
  const r = await sipts(['-sn', 'uas', '-i', '127.0.0.1', '-p', '0', '-cp', '0', '-nostdin', '-sleep', '1200ms', '-timeout', '1']).exited;
  assert.equal(r.code, 97);
  assert.ok(performance.now() - started >= 2200, `${performance.now() - started} ms`);
});
