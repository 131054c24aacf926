/**
 * 3PCC through the CLI: the built-ins as printed by -sd, the option and role errors, and the twin socket's
 * bytes, with this test as the twin of a sipts 3pcc-C-B (a raw TCP client) and as party B (a raw UDP peer).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, freeTcpPort, RawPeer, ROOT, sipts, waitForUdpBound } from '../helpers.js';

const FOUR = ['3pcc-A', '3pcc-B', '3pcc-C-A', '3pcc-C-B'];

test('-sd prints each 3PCC built-in as shipped, our own text', async () => {
  for (const name of FOUR) {
    const r = await sipts(['-sd', name]).exited;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(ROOT, `scenarios/${name}.xml`), 'utf8'));
    assert.match(r.stdout, new RegExp(`sipts built-in "${name}"`));
    assert.doesNotMatch(r.stdout, /free software|SIPpTag/, "not SIPp's text");
  }
});

test('3PCC option and role errors exit 255 and say what to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-3pcc-e2e-'));
  const both = await sipts(['-sn', '3pcc-C-A', '127.0.0.1:5999', '-3pcc', '127.0.0.1:5998', '-master', 'm']).exited;
  assert.equal(both.code, 255);
  assert.match(both.stderr, /-3pcc is not compatible with -master/);
  const noCfg = await sipts(['-sn', '3pcc-C-A', '127.0.0.1:5999', '-master', 'm']).exited;
  assert.equal(noCfg.code, 255);
  assert.match(noCfg.stderr, /extended 3PCC needs -slave_cfg FILE/);
  const cfg = join(dir, 'cfg');
  writeFileSync(cfg, 's1;127.0.0.1:6001\n');
  const unnamed = await sipts(['-sn', '3pcc-C-A', '127.0.0.1:5999', '-master', 'm', '-slave_cfg', cfg]).exited;
  assert.equal(unnamed.code, 255);
  assert.match(unnamed.stderr, /-master m: no line "m;ip:port" in -slave_cfg/);
  const noTwin = await sipts(['-sn', '3pcc-C-A', '127.0.0.1:5999', '-nostdin', '-cp', '0']).exited;
  assert.equal(noTwin.code, 255);
  assert.match(noTwin.stderr, /has <sendCmd> but no twin address was given\n {2}hint: add -3pcc ip:port/);
  // Nobody listens on the twin port: this side connects (its first twin command is a sendCmd).
  const nobody = await sipts([
    '-sn',
    '3pcc-C-A',
    '127.0.0.1:5999',
    '-3pcc',
    `127.0.0.1:${await freeTcpPort()}`,
    '-i',
    '127.0.0.1',
    '-p',
    '0',
    '-nostdin',
    '-cp',
    '0',
  ]).exited;
  assert.equal(nobody.code, 255);
  assert.match(
    nobody.stderr,
    /cannot open a 3PCC TCP \(the 3PCC twin\) connection to 127\.0\.0\.1:\d+.*\n {2}hint: start the instances this one connects to first/,
  );
  // Extended: the master connects to the slaves at start, so they must already listen.
  const ext = join(dir, 'ext.cfg');
  writeFileSync(ext, `m;127.0.0.1:${await freeTcpPort()}\ns1;127.0.0.1:${await freeTcpPort()}\ns2;127.0.0.1:${await freeTcpPort()}\n`);
  const noSlaves = await sipts([
    '-sf',
    join(ROOT, 'test/fixtures/3pcc-ext-master.xml'),
    '127.0.0.1:5999',
    '-master',
    'm',
    '-slave_cfg',
    ext,
    '-i',
    '127.0.0.1',
    '-p',
    '0',
    '-nostdin',
    '-cp',
    '0',
  ]).exited;
  assert.equal(noSlaves.code, 255);
  assert.match(noSlaves.stderr, /cannot open a 3PCC TCP \(3PCC instance s[12]\) connection to 127\.0\.0\.1:\d+/);
  const asSlave = await sipts([
    '-sf',
    join(ROOT, 'test/fixtures/3pcc-ext-master.xml'),
    '127.0.0.1:5999',
    '-slave',
    's1',
    '-slave_cfg',
    ext,
    '-i',
    '127.0.0.1',
    '-p',
    '0',
    '-nostdin',
    '-cp',
    '0',
  ]).exited;
  assert.equal(asSlave.code, 255);
  assert.match(asSlave.stderr, /starts its twin exchange with <sendCmd>, which is a master's, but -slave was given/);
});

/** A response to `req` (RFC 3261 §8.2.6.2: Via, From, Call-ID, CSeq copied, To with a tag). */
function reply(req: string, status: string, body = ''): string {
  const h = (name: string): string => new RegExp(`^${name}:.*$`, 'mi').exec(req)?.[0] ?? '';
  return [
    `SIP/2.0 ${status}`,
    h('Via'),
    h('From'),
    `${h('To')};tag=b-side`,
    h('Call-ID'),
    h('CSeq'),
    'Contact: <sip:b@127.0.0.1>',
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');
}

const OFFER = 'v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n';
const ANSWER = 'v=0\r\no=b 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n';

test(
  '3pcc-C-B: a command (as SIPp writes it) starts a call; the answer goes back ESC-framed; abort_call cancels; an aborted call tells the twin',
  { timeout: 60_000 },
  async (t) => {
    const b = new RawPeer();
    const bPort = await b.open();
    const twinPort = await freeTcpPort();
    const sipPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sipts-3pcc-cb-'));
    const cb = sipts(
      [
        '-sn',
        '3pcc-C-B',
        `127.0.0.1:${bPort}`,
        '-3pcc',
        `127.0.0.1:${twinPort}`,
        '-i',
        '127.0.0.1',
        '-p',
        String(sipPort),
        '-nostdin',
        '-cp',
        '0',
        '-trace_err',
        '-trace_msg',
      ],
      50_000,
      dir,
    );
    t.after(() => {
      cb.child.kill('SIGKILL');
      b.close();
    });
    await waitForUdpBound(twinPort, 10_000, () => false, true);
    const twin = net.connect(twinPort, '127.0.0.1');
    await new Promise<void>((r) => twin.once('connect', () => r()));
    let received = '';
    twin.setEncoding('latin1');
    twin.on('data', (d: string) => {
      received += d;
    });

    // SIPp 3.6.1's 3pcc-C-A sends Call-ID, then the ereg'd "Content-Type: … body" of the 200, then ESC.
    const first = `Call-ID: 1-77@127.0.0.1\r\nContent-Type: application/sdp\r\nContent-Length:   ${OFFER.length}\r\n\r\n${OFFER}\x1b`;
    twin.write(first, 'latin1');
    const invite = await b.next(5000);
    assert.match(invite, /^INVITE sip:service@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
    assert.match(invite, /\r\nCall-ID: 1-77@127\.0\.0\.1\r\n/, "the call takes the command's Call-ID");
    assert.ok(invite.endsWith(`\r\nContent-Length: ${OFFER.length}\r\n\r\n${OFFER}`), invite);
    b.send(reply(invite, '200 OK', ANSWER), sipPort);
    assert.match(await b.next(5000), /^ACK /);
    const until = Date.now() + 5000;
    while (!received.includes('\x1b') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    assert.equal(
      received,
      `Call-ID: 1-77@127.0.0.1\r\nContent-Type: application/sdp\r\nContent-Length: ${ANSWER.length}\r\n\r\n${ANSWER}\x1b`,
    );
    const bye = await b.next(5000);
    assert.match(bye, /^BYE /);
    b.send(reply(bye, '200 OK'), sipPort);

    // A second call: B rings, then the twin aborts its side (SIPp's 3pcc_abort): sipts cancels the INVITE.
    twin.write(`Call-ID: 2-77@127.0.0.1\r\nContent-Type: application/sdp\r\nContent-Length: ${OFFER.length}\r\n\r\n${OFFER}\x1b`, 'latin1');
    const invite2 = await b.next(5000);
    assert.match(invite2, /\r\nCall-ID: 2-77@127\.0\.0\.1\r\n/);
    b.send(reply(invite2, '180 Ringing'), sipPort);
    await new Promise((r) => setTimeout(r, 200));
    twin.write('call-id: 2-77@127.0.0.1\r\ninternal-cmd: abort_call\r\n\r\n\x1b', 'latin1');
    assert.match(await b.next(5000), /^CANCEL sip:service@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);

    // A third call meets an unexpected message (486 where 200 is awaited): sipts aborts it and, as SIPp does
    // with its default message 3pcc_abort, tells the twin.
    received = '';
    twin.write(`Call-ID: 3-77@127.0.0.1\r\nContent-Type: application/sdp\r\nContent-Length: ${OFFER.length}\r\n\r\n${OFFER}\x1b`, 'latin1');
    const invite3 = await b.next(5000);
    assert.match(invite3, /\r\nCall-ID: 3-77@127\.0\.0\.1\r\n/);
    b.send(reply(invite3, '486 Busy Here'), sipPort);
    const until3 = Date.now() + 5000;
    while (!received.includes('\x1b') && Date.now() < until3) await new Promise((r) => setTimeout(r, 20));
    assert.equal(received, 'call-id: 3-77@127.0.0.1\r\ninternal-cmd: abort_call\r\n\r\n\x1b');

    // The twin ends: sipts stops (one call succeeded, two failed).
    twin.end();
    const r = await cb.exited;
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stderr, /the 3PCC twin has closed its connection/);
    assert.match(r.stdout, /Successful\s*│ 1 /);
    assert.match(r.stdout, /FailedCallRejected\s*│ 1 /);
    assert.match(r.stdout, /FailedUnexpectedMessage\s*│ 1 /);
    // -trace_msg logs twin commands as SIPp does: "TCP control message", the length counting the ESC.
    const log = readFileSync(join(dir, `3pcc-C-B_${cb.child.pid ?? 0}_messages.log`), 'latin1');
    assert.ok(log.includes(`TCP control message received [${first.length}] bytes :\n\n${first.slice(0, -1)}\n`), log.slice(0, 2000));
    assert.match(log, /TCP control message sent \(\d+ bytes\):\n\nCall-ID: 1-77@127\.0\.0\.1\r\nContent-Type: application\/sdp\r\n/);
    assert.match(log, /TCP control message sent \(54 bytes\):\n\ncall-id: 3-77@127\.0\.0\.1\r\ninternal-cmd: abort_call\r\n\r\n\n/);
  },
);

test('<recvCmd> waits -recv_timeout: then ontimeout= is taken, or the call fails FailedTimeoutOnRecv', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-3pcc-timeout-'));
  const file = join(dir, 'wait.xml');
  writeFileSync(
    file,
    `<?xml version="1.0"?>
<scenario name="wait for commands">
  <recvCmd/>
  <recvCmd ontimeout="late"/>
  <recvCmd/>
  <nop next="end"/>
  <label id="late"/>
  <nop/>
  <label id="end"/>
</scenario>
`,
  );
  const twinPort = await freeTcpPort();
  const p = sipts(
    [
      '-sf',
      file,
      '127.0.0.1:9',
      '-3pcc',
      `127.0.0.1:${twinPort}`,
      '-recv_timeout',
      '300',
      '-i',
      '127.0.0.1',
      '-p',
      String(await freePort()),
      '-nostdin',
      '-cp',
      '0',
    ],
    25_000,
    dir,
  );
  t.after(() => p.child.kill('SIGKILL'));
  await waitForUdpBound(twinPort, 10_000, () => false, true);
  const twin = net.connect(twinPort, '127.0.0.1');
  await new Promise<void>((r) => twin.once('connect', () => r()));
  // "one" gets one command: its second recvCmd times out to "late", and the call ends there, successful.
  // "two" gets two: its third recvCmd has no ontimeout, and the call fails. "three" gets all three.
  for (const [id, n] of [
    ['one', 1],
    ['two', 2],
    ['three', 3],
  ] as const)
    for (let i = 0; i < n; i++) twin.write(`Call-ID: ${id}\r\n\r\n\x1b`);
  await new Promise((r) => setTimeout(r, 1500));
  twin.end();
  const r = await p.exited;
  assert.equal(r.code, 1, r.stderr + r.stdout);
  assert.match(r.stdout, /Successful\s*│ 2 /);
  assert.match(r.stdout, /FailedTimeoutOnRecv\s*│ 1 /);
});
