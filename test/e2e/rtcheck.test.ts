/**
 * Issue 16, -rtcheck: a peer that retransmits its INVITE with a new top Via branch. With full (the
 * default) that is not the same transaction (RFC 3261 §17.2.3), so it is not a retransmission; with loose
 * (SIPp: only To, From, Call-ID and CSeq count) it is, and the last answer is sent again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RawPeer, sipts, startSiptsUas } from '../helpers.js';

const invite = (port: number, branch: string): string => [
  `INVITE sip:service@127.0.0.1:${port} SIP/2.0`,
  `Via: SIP/2.0/UDP 127.0.0.1:PEER;branch=${branch}`,
  'From: <sip:a@127.0.0.1>;tag=a1',
  `To: <sip:service@127.0.0.1:${port}>`,
  'Call-ID: rtcheck-1@127.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: <sip:a@127.0.0.1>',
  'Content-Length: 0',
  '', ''].join('\r\n');

async function resend(mode: 'full' | 'loose'): Promise<string[]> {
  const uas = await startSiptsUas(['-rtcheck', mode, '-nostdin', '-cp', '0', '-timeout', '3']);
  const peer = new RawPeer();
  const me = await peer.open();
  try {
    peer.send(invite(uas.port, 'z9hG4bK-first').replace('PEER', String(me)), uas.port);
    const answers = [await peer.next(), await peer.next()];
    assert.deepEqual(answers.map((a) => a.split('\r\n')[0]), ['SIP/2.0 180 Ringing', 'SIP/2.0 200 OK']);
    peer.send(invite(uas.port, 'z9hG4bK-second').replace('PEER', String(me)), uas.port);
    // Before the UAS's own retransmission of its 200 (500 ms after it).
    return (await peer.drain(250)).map((m) => `${m.split('\r\n')[0] ?? ''} ${/^CSeq: .*$/m.exec(m)?.[0] ?? ''}`.trim());
  } finally {
    peer.close();
    uas.child.kill('SIGKILL');
  }
}

test('-rtcheck loose: an INVITE resent with another branch gets the 200 again; full: it does not', { timeout: 30_000 }, async () => {
  const [loose, full] = await Promise.all([resend('loose'), resend('full')]);
  assert.deepEqual(loose, ['SIP/2.0 200 OK CSeq: 1 INVITE']);
  assert.ok(!full.includes('SIP/2.0 200 OK CSeq: 1 INVITE'), JSON.stringify(full));
});

test('-sleep: nothing starts before it is over (seconds by default, or with a unit)', { timeout: 30_000 }, async () => {
  const started = performance.now();
  const r = await sipts(['-sn', 'uas', '-i', '127.0.0.1', '-p', '0', '-cp', '0', '-nostdin', '-sleep', '1200ms', '-timeout', '1']).exited;
  assert.equal(r.code, 97);
  assert.ok(performance.now() - started >= 2200, `${performance.now() - started} ms`);
});
