/**
 * Issue 5: hostile wire input. While SIPp places 1,000 calls at a sipts UAS, 20,000 random and mutated
 * datagrams hit the same port: truncated and garbage messages, missing or duplicated Call-ID / CSeq / Via,
 * wrong Content-Length, compact and folded headers, huge headers, non-UTF-8 bytes, responses to nothing.
 * sipts must stay up, every SIPp call must succeed, and the bad datagrams must be counted.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sipp, sippAvailable, startSiptsUas, xorshift32 } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';

const INVITE = [
  'INVITE sip:service@127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-fuzz',
  'From: <sip:f@127.0.0.1>;tag=f',
  'To: <sip:service@127.0.0.1>',
  'Call-ID: fuzz',
  'CSeq: 1 INVITE',
  'Contact: <sip:f@127.0.0.1:9>',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\n',
];

/** One hostile datagram. None is a well-formed INVITE with a fresh Call-ID: those would be real calls. */
export function hostile(r: () => number, i: number): Buffer {
  const lines = INVITE.map((l) => l.replace('fuzz', `fuzz-${i}`));
  const pick = Math.floor(r() * 12);
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(r() * 256)));
  switch (pick) {
    case 0:
      return bytes(1 + Math.floor(r() * 1400)); // garbage
    case 1: {
      const b = Buffer.from(lines.join('\r\n'));
      return b.subarray(0, Math.floor(r() * b.length));
    } // truncated
    case 2:
      return Buffer.from(lines.filter((l) => !l.startsWith('Call-ID')).join('\r\n')); // no Call-ID
    case 3:
      return Buffer.from(lines.filter((l) => !l.startsWith('CSeq') && !l.startsWith('Via')).join('\r\n')); // no CSeq, no Via
    case 4:
      return Buffer.from(
        lines.map((l) => (l.startsWith('Content-Length') ? `Content-Length: ${Math.floor(r() * 100000) - 50}` : l)).join('\r\n'),
      ); // wrong length
    case 5:
      return Buffer.from([...lines.slice(0, 5), 'Call-ID: other', 'CSeq: 2 BYE', ...lines.slice(5)].join('\r\n')); // duplicated headers
    case 6:
      return Buffer.from(
        `SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-${i}\r\nf: <sip:a@b>;tag=1\r\nt: <sip:c@d>\r\ni: nothing-${i}\r\nCSeq: 1 BYE\r\nl: 0\r\n\r\n`,
      ); // a response to nothing, compact headers
    case 7:
      return Buffer.from(
        lines
          .map((l) => (l.startsWith('Subject') || l.startsWith('Contact') ? `${l}\r\n  folded;x=1\r\n\tmore` : l))
          .join('\r\n')
          .replace('INVITE sip', 'OPTIONS sip'),
      ); // folded, not a call
    case 8:
      return Buffer.from([lines[0]?.replace('INVITE', 'BYE'), ...lines.slice(1), `X-Huge: ${'h'.repeat(50000)}`].join('\r\n')); // huge header, BYE out of call
    case 9:
      return Buffer.concat([Buffer.from('ACK sip:x SIP/2.0\r\nCall-ID: '), bytes(40), Buffer.from('\r\nCSeq: 1 ACK\r\n\r\n')]); // non-UTF-8 bytes
    case 10:
      return Buffer.from(`SIP/2.0 ${Math.floor(r() * 1000)} ${'x'.repeat(Math.floor(r() * 20))}\r\n\r\n`); // bad status line, no headers
    default: {
      const b = Buffer.from(lines.join('\r\n'));
      for (let k = 0; k < 8; k++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      return b;
    } // bit flips
  }
}

test(
  '20,000 hostile datagrams during a 1,000-call SIPp run: sipts stays up, every call succeeds, the bad ones are counted',
  { skip, timeout: 180_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-hostile-'));
    const json = join(dir, 'uas.json');
    const uas = await startSiptsUas(['--json', json, '-cp', '0', '-error_file', join(dir, 'errors.log')]);
    t.after(() => uas.child.kill('SIGKILL'));
    const uac = sipp(['-sn', 'uac', `127.0.0.1:${uas.port}`, '-i', '127.0.0.1', '-p', '0', '-r', '200', '-m', '1000'], 120_000, dir);
    const socket = dgram.createSocket('udp4');
    t.after(() => socket.close());
    // A deterministic generator, so a failure can be replayed.
    const r = xorshift32(20261122);
    let sent = 0;
    // 20,000 datagrams in bursts of 100, spread over the run.
    while (sent < 20_000) {
      await Promise.all(
        Array.from(
          { length: 100 },
          () => new Promise<void>((resolve) => socket.send(hostile(r, sent++), uas.port, '127.0.0.1', () => resolve())),
        ),
      );
      await new Promise((res) => setTimeout(res, 15));
    }
    const done = await uac.exited;
    assert.equal(done.code, 0, `SIPp: ${done.stdout.slice(-1500)}`);
    assert.equal(uas.child.exitCode, null, 'sipts is still running');
    uas.child.kill('SIGINT');
    const end = await uas.exited;
    assert.doesNotMatch(end.stderr, /internal error|TypeError|RangeError/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { counters: Record<string, number> };
    const c = report.counters;
    // SIPp's 1,000 calls all succeeded. Mutations that still parse as an INVITE with a new Call-ID are new
    // calls (server mode), which fail, counted, since nobody answers their 200 with an ACK.
    assert.equal(c['SuccessfulCalls'], 1000, JSON.stringify(c));
    const fuzzCalls = (c['CallsCreated'] ?? 0) - 1000;
    assert.equal(c['FailedCalls'], fuzzCalls, JSON.stringify(c));
    // Every hostile datagram the kernel delivered is counted: unparsable, out of call, dead call, or a call.
    const counted = (c['BadMessages'] ?? 0) + (c['OutOfCallMsgs'] ?? 0) + (c['DeadCallMsgs'] ?? 0) + fuzzCalls;
    assert.ok((c['BadMessages'] ?? 0) > 1000 && (c['OutOfCallMsgs'] ?? 0) > 1000, JSON.stringify(c));
    assert.ok(counted >= 20_000 * 0.8, `${counted} of 20000 counted: ${JSON.stringify(c)}`);
    assert.match(readFileSync(join(dir, 'errors.log'), 'latin1'), /Discarding a message from 127\.0\.0\.1:\d+ that is not SIP/);
  },
);
