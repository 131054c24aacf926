/**
 * Run-time semantics where sipts follows SIPp 3.6.1 (issue 16): the same scenario of our own, run by SIPp
 * and by sipts against the same peer, must give the peer the same thing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  lastCsvRow,
  loopbackBuiltin,
  loopbackScenario,
  RawPeer,
  sipp,
  sippAvailable,
  sipts,
  startSippScenario,
  startSippUas,
  startSiptsUas,
} from '../helpers.js';
import { answer200, answerInvite200, ok200Text, uacRequest } from '../scenario-snippets.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-semantics-'));
const count = (text: string, label: string): number => Number(new RegExp(`${label}\\s*│\\s*(\\d+)`).exec(text)?.[1]);

function scenarioFile(name: string, body: string): string {
  const file = join(work, name);
  writeFileSync(file, `<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="${name}">\n${body}\n</scenario>\n`);
  return file;
}

/** SIPp answering with scenario `file` on a free port. */
const startSippServer = (file: string, extra: readonly string[] = []): ReturnType<typeof startSippScenario> =>
  startSippScenario(file, extra, work);

// ---------------------------------------------------------------------------------------------------------
// 1. <ereg>: what it captures from a header, the body, the whole message, and from the message a <send> sent.

const EREG_UAS = `
  <recv request="OPTIONS">
    <action>
      <ereg regexp=".*" search_in="hdr" header="From" assign_to="a"/>
      <ereg regexp=".*" search_in="hdr" header="From:" assign_to="b"/>
      <ereg regexp=".*" search_in="hdr" header="Via:" assign_to="c"/>
      <ereg regexp=".*" search_in="hdr" header="Via:" occurrence="2" assign_to="d"/>
      <ereg regexp=".*" search_in="hdr" header="via:" case_indep="true" occurrence="2" assign_to="e"/>
      <ereg regexp=".*" search_in="hdr" header="To:" assign_to="f"/>
      <ereg regexp=".*" search_in="hdr" header="To:" start_line="true" assign_to="g"/>
      <ereg regexp=".*" search_in="hdr" header="t:" assign_to="h"/>
      <ereg regexp="x(.*)" search_in="hdr" header="X-None:" assign_to="i,i1"/>
      <ereg regexp="v=[a-z]+" search_in="body" assign_to="j"/>
      <ereg regexp="Call-ID: [a-z0-9-]*" search_in="msg" start_line="true" assign_to="k"/>
      <assignstr assign_to="l" value="before"/>
      <ereg regexp="nomatch-xyz" search_in="msg" assign_to="l"/>
      <assignstr assign_to="m2" value="before"/>
      <ereg regexp="(zzz)?tag=([0-9]+)" search_in="hdr" header="From:" assign_to="m,m2,m3"/>
      <ereg regexp=".*" search_in="hdr" header="subject:" case_indep="true" assign_to="n"/>
      <ereg regexp=".*" search_in="hdr" header="Via" occurrence="0" assign_to="o"/>
      <ereg regexp="TAG=[0-9]+" search_in="hdr" header="from:" case_indep="true" assign_to="p"/>
      <ereg regexp=".*" search_in="hdr" header="v:" start_line="true" assign_to="q"/>
    </action>
  </recv>
  <send><![CDATA[
${ok200Text(
  [
    'X-a: <[$a]>',
    'X-b: <[$b]>',
    'X-c: <[$c]>',
    'X-d: <[$d]>',
    'X-e: <[$e]>',
    'X-f: <[$f]>',
    'X-g: <[$g]>',
    'X-h: <[$h]>',
    'X-i: <[$i]|[$i1]>',
    'X-j: <[$j]>',
    'X-k: <[$k]>',
    'X-l: <[$l]>',
    'X-m: <[$m]|[$m2]|[$m3]>',
    'X-n: <[$n]>',
    'X-o: <[$o]>',
    'X-p: <[$p]>',
    'X-q: <[$q]>',
  ],
  ';tag=x',
)}]]>
    <action><ereg regexp="X-a: [^;]*" search_in="msg" assign_to="s"/></action>
  </send>
  <send><![CDATA[
MESSAGE sip:x@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:a@b>;tag=1
To: <sip:x@y>
Call-ID: [call_id]
CSeq: 2 MESSAGE
X-s: <[$s]>
Content-Length: 0

]]></send>`;

function eregProbe(port: number): string {
  return [
    'OPTIONS sip:x@127.0.0.1 SIP/2.0',
    `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-1`,
    'v: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-2',
    'VIA: SIP/2.0/UDP 10.0.0.3;branch=z9hG4bK-3',
    'Reply-To: <sip:reply@h>',
    'From: "A" <sip:a@h>;tag=123',
    'To: <sip:x@h>',
    'Call-ID: ereg-1',
    'CSeq: 1 OPTIONS',
    'Subject:   spaced  ',
    'Content-Type: text/plain',
    'Content-Length: 14',
    '',
    'hello\r\nv=body\r\n',
  ].join('\r\n');
}

/** The X- lines of the 200 and the MESSAGE a UAS on `port` sends back to `peer` for the probe. */
async function eregAnswers(peer: RawPeer, own: number, port: number): Promise<string[]> {
  peer.send(eregProbe(own), port);
  const got = [await peer.next(5000), await peer.next(5000)];
  return got.flatMap((m) => m.split('\r\n').filter((l) => l.startsWith('X-')));
}

test(
  'ereg: a peer gets the same captures from sipts as from SIPp (header without colon, compact forms, occurrence, start_line, body, msg, send)',
  { skip, timeout: 60_000 },
  async (t) => {
    const file = scenarioFile('ereg-uas.xml', EREG_UAS);
    const peer = new RawPeer();
    const own = await peer.open();
    t.after(() => peer.close());
    const s = await startSippServer(file, ['-m', '1']);
    t.after(() => s.child.kill('SIGKILL'));
    const fromSipp = await eregAnswers(peer, own, s.port);
    const u = await startSiptsUas(['-sf', file, '-m', '1']);
    t.after(() => u.child.kill('SIGKILL'));
    const fromSipts = await eregAnswers(peer, own, u.port);
    assert.deepEqual(fromSipts, fromSipp);
    // What SIPp 3.6.1 gave, spelled out: header="From" starts at the colon, "To:" is found in Reply-To, "t:"
    // in Subject, the compact v: is not a Via, and no match keeps the value a variable had.
    assert.ok(fromSipp.includes('X-a: <: "A" <sip:a@h>;tag=123>'), fromSipp.join('\n'));
    assert.ok(fromSipp.includes('X-f: < <sip:reply@h>>'));
    assert.ok(fromSipp.includes('X-h: <   spaced  >'));
    assert.ok(fromSipp.includes('X-l: <before>'));
    assert.ok(fromSipp.includes('X-m: <tag=123|before|123>'));
  },
);

// ---------------------------------------------------------------------------------------------------------
// 5. optional="global": a receive the call is past still takes its message. The UAS waits for the BYE when
// the OPTIONS comes; only the global receive (behind a mandatory ACK) can take it, and its next= answers it.

const GLOBAL_UAS = `
  <recv request="INVITE"/>
  ${answerInvite200('[pid]-[call_number]')}
  <recv request="OPTIONS" optional="global" next="options"/>
  <recv request="ACK"/>
  <recv request="BYE"/>
  ${answer200()}
  <nop next="done"/>
  <label id="options"/>
  ${answer200(['X-Answered-By: the global receive'])}
  <recv request="BYE"/>
  ${answer200()}
  <label id="done"/>`;

/** A request of the OPTIONS_UAC's call: its header lines `extra` before Max-Forwards; all but the INVITE in the dialog. */
function callerRequest(method: string, cseq: number, extra: readonly string[] = []): string {
  const lines = [
    `${method} sip:service@[remote_ip]:[remote_port] SIP/2.0`,
    'Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]',
    'From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]-[call_number]',
    `To: <sip:service@[remote_ip]:[remote_port]>${method === 'INVITE' ? '' : '[peer_tag_param]'}`,
    'Call-ID: [call_id]',
    `CSeq: ${cseq} ${method}`,
    ...extra,
    'Max-Forwards: 70',
    'Content-Length: 0',
  ];
  return `<send${method === 'ACK' ? '' : ' retrans="500"'}><![CDATA[\n${lines.join('\n')}\n\n]]></send>`;
}

const OPTIONS_UAC = `
  ${callerRequest('INVITE', 1, ['Contact: <sip:caller@[local_ip]:[local_port]>'])}
  <recv response="200"/>
  ${callerRequest('ACK', 1)}
  ${callerRequest('OPTIONS', 2)}
  <recv response="200" timeout="2000">
    <action><ereg regexp="global" search_in="hdr" header="X-Answered-By:" check_it="true" assign_to="by"/></action>
  </recv>
  ${callerRequest('BYE', 3, ['X-By: [$by]'])}
  <recv response="200"/>`;

test(
  'optional="global": sipts as UAS answers the in-dialog OPTIONS through it for a SIPp UAC, 0 failed',
  { skip, timeout: 60_000 },
  async (t) => {
    const uasFile = scenarioFile('global-uas.xml', GLOBAL_UAS);
    const uacFile = scenarioFile('options-uac.xml', OPTIONS_UAC);
    const u = await startSiptsUas(['-sf', uasFile, '-m', '5']);
    t.after(() => u.child.kill('SIGKILL'));
    const r = await sipp(['-sf', uacFile, `127.0.0.1:${u.port}`, '-i', '127.0.0.1', '-m', '5', '-r', '10'], 30_000, work).exited;
    assert.equal(r.code, 0, r.stdout.slice(-2000));
    const s = await u.exited;
    assert.equal(s.code, 0, s.stderr);
    assert.equal(count(s.stdout, 'Successful'), 5);
  },
);

test('optional="global": the same UAS scenario run by SIPp against sipts as UAC, 0 failed', { skip, timeout: 60_000 }, async (t) => {
  const uasFile = scenarioFile('global-uas.xml', GLOBAL_UAS);
  const uacFile = scenarioFile('options-uac.xml', OPTIONS_UAC);
  const s = await startSippServer(uasFile, ['-m', '5']);
  t.after(() => s.child.kill('SIGKILL'));
  const r = await sipts(['-sf', uacFile, `127.0.0.1:${s.port}`, '-i', '127.0.0.1', '-p', '0', '-m', '5', '-r', '10'], 30_000).exited;
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(count(r.stdout, 'Successful'), 5);
  assert.equal(count(r.stdout, 'Failed'), 0);
});

// ---------------------------------------------------------------------------------------------------------
// 2. Messages that come while a call is in a <pause>. SIPp (call.cpp, process_incoming) matches them from the
// pause step: nothing ahead can take them, so they are unexpected, or dropped with -pause_msg_ign. The race
// below, the peer's BYE after its own pause of the same length, is lost by SIPp too now and then (its pause
// ends at a timer tick after the deadline): SIPp against SIPp failed 0 to 4 calls of 20 here, so only sipts
// as the pausing side is held to 0 (before the fix it failed 13 to 16 of 20; with both cores busy it still
// failed 1 call in about 1 run of 5 until a pause took SIPp's coarse clock into account: on the wire, SIPp's
// BYE came 497.7 ms after our ACK, its 500 ms pause 2.3 ms short).

/** UAC: after the ACK it pauses 500 ms, then waits for the BYE of a peer that paused 500 ms after the ACK. */
const PAUSING_UAC = `
  ${uacRequest('INVITE', 1)}
  <recv response="200"/>
  ${uacRequest('ACK', 1)}
  <pause milliseconds="500"/>
  <recv request="BYE"/>
  ${answer200()}`;

const PAUSING_UAS_SENDS_BYE = `
  <recv request="INVITE"/>
  ${answerInvite200('[pid]SIPpTag01[call_number]')}
  <recv request="ACK"/>
  <pause milliseconds="500"/>
  <send retrans="500"><![CDATA[
BYE sip:sipp@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[last_From:]
[last_To:]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>`;

/** UAS: after the ACK it pauses 300 ms, and the peer's BYE comes during that pause (again 500 ms later). */
const UAS_PAUSE_300 = `
  <recv request="INVITE"/>
  ${answerInvite200('[pid]SIPpTag01[call_number]')}
  <recv request="ACK"/>
  <pause milliseconds="300"/>
  <recv request="BYE"/>
  ${answer200()}`;

const QUICK_BYE_UAC = `
  ${uacRequest('INVITE', 1)}
  <recv response="200" rrs="true"/>
  ${uacRequest('ACK', 1)}
  ${uacRequest('BYE', 2)}
  <recv response="200"/>`;

const sippFailed = (stdout: string): number => Number(/Failed call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(stdout)?.[1]);

test(
  "pause: the peer's BYE after its own pause of the same length is not unexpected: sipts UAC against SIPp UAS, 20 calls, 0 failed",
  { skip, timeout: 60_000 },
  async (t) => {
    const s = await startSippServer(scenarioFile('pausing-uas.xml', PAUSING_UAS_SENDS_BYE), ['-m', '20']);
    t.after(() => s.child.kill('SIGKILL'));
    const r = await sipts(
      ['-sf', scenarioFile('pausing-uac.xml', PAUSING_UAC), `127.0.0.1:${s.port}`, '-i', '127.0.0.1', '-p', '0', '-m', '20', '-r', '20'],
      30_000,
    ).exited;
    assert.equal(count(r.stdout, 'Failed'), 0, r.stderr + r.stdout);
    assert.equal(count(r.stdout, 'Successful'), 20);
    assert.equal(r.code, 0);
  },
);

test(
  "-pause_msg_ign: a BYE during the UAS's pause is dropped and its retransmission taken, as in SIPp: 0 failed both ways",
  { skip, timeout: 90_000 },
  async (t) => {
    const uas = scenarioFile('uas-pause-300.xml', UAS_PAUSE_300);
    const uac = scenarioFile('quick-bye-uac.xml', QUICK_BYE_UAC);
    // sipts answering, SIPp calling.
    const u = await startSiptsUas(['-sf', uas, '-m', '5', '-pause_msg_ign']);
    t.after(() => u.child.kill('SIGKILL'));
    const r = await sipp(['-sf', uac, `127.0.0.1:${u.port}`, '-i', '127.0.0.1', '-m', '5', '-r', '10'], 30_000, work).exited;
    assert.equal(r.code, 0, r.stdout.slice(-2000));
    const e = await u.exited;
    assert.equal(count(e.stdout, 'Successful'), 5, e.stderr + e.stdout);
    assert.equal(count(e.stdout, 'Failed'), 0);
    // SIPp answering, sipts calling.
    const s = await startSippServer(uas, ['-m', '5', '-pause_msg_ign']);
    t.after(() => s.child.kill('SIGKILL'));
    const c = await sipts(['-sf', uac, `127.0.0.1:${s.port}`, '-i', '127.0.0.1', '-p', '0', '-m', '5', '-r', '10'], 30_000).exited;
    assert.equal(count(c.stdout, 'Successful'), 5, c.stderr + c.stdout);
    assert.equal(count(c.stdout, 'Failed'), 0);
    assert.equal((await s.exited).code, 0);
  },
);

test(
  'without -pause_msg_ign a BYE during a pause is unexpected in sipts as in SIPp: every call of the UAS fails',
  { skip, timeout: 90_000 },
  async (t) => {
    const uas = scenarioFile('uas-pause-300.xml', UAS_PAUSE_300);
    const uac = scenarioFile('quick-bye-uac.xml', QUICK_BYE_UAC);
    const s = await startSippServer(uas, ['-m', '3']);
    t.after(() => s.child.kill('SIGKILL'));
    await sipp(['-sf', uac, `127.0.0.1:${s.port}`, '-i', '127.0.0.1', '-m', '3', '-r', '10'], 30_000, work).exited;
    const bySipp = sippFailed((await s.exited).stdout);
    const u = await startSiptsUas(['-sf', uas, '-m', '3']);
    t.after(() => u.child.kill('SIGKILL'));
    await sipp(['-sf', uac, `127.0.0.1:${u.port}`, '-i', '127.0.0.1', '-m', '3', '-r', '10'], 30_000, work).exited;
    const e = await u.exited;
    assert.equal(bySipp, 3);
    assert.equal(count(e.stdout, 'Failed'), bySipp, e.stdout);
  },
);

// ---------------------------------------------------------------------------------------------------------
// A response without a To header (RFC 3261 §8.1.1.2 makes it mandatory) matches no <recv response>: SIPp 3.6.1
// aborts the call on it as an unexpected message, and so does sipts (SIPp's regression test for github issue 152).

const NO_TO_UAS = `
  <recv request="INVITE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
  <timewait milliseconds="500"/>`;

const INVITE_ONLY_UAC = `
  ${uacRequest('INVITE', 1)}
  <recv response="200"/>`;

test(
  'a 200 without a To header is an unexpected message in sipts as in SIPp: each of 3 calls fails',
  { skip, timeout: 90_000 },
  async (t) => {
    const uas = scenarioFile('no-to-uas.xml', NO_TO_UAS);
    const uac = scenarioFile('invite-only-uac.xml', INVITE_ONLY_UAC);
    const bySipp = await startSippServer(uas, ['-m', '3']);
    t.after(() => bySipp.child.kill('SIGKILL'));
    const s = await sipp(
      [
        '-sf',
        uac,
        `127.0.0.1:${bySipp.port}`,
        '-i',
        '127.0.0.1',
        '-m',
        '3',
        '-r',
        '10',
        '-trace_stat',
        '-stf',
        join(work, 'no-to-sipp.csv'),
      ],
      30_000,
      work,
    ).exited;
    const sippRow = lastCsvRow(join(work, 'no-to-sipp.csv'));
    assert.equal(sippRow['FailedUnexpectedMessage(C)'], '3', s.stdout.slice(-2000));
    const byUs = await startSippServer(uas, ['-m', '3']);
    t.after(() => byUs.child.kill('SIGKILL'));
    const stat = join(work, 'no-to-sipts.csv');
    const r = await sipts(
      ['-sf', uac, `127.0.0.1:${byUs.port}`, '-i', '127.0.0.1', '-p', '0', '-m', '3', '-r', '10', '-trace_stat', '-stf', stat],
      30_000,
    ).exited;
    assert.equal(lastCsvRow(stat)['FailedUnexpectedMessage(C)'], sippRow['FailedUnexpectedMessage(C)'], r.stderr + r.stdout);
    assert.equal(lastCsvRow(stat)['SuccessfulCall(C)'], '0');
    assert.equal(r.code, 1);
  },
);

// recv response="…" regexp_match="true" (SIPp after 3.6.1; its regression test for github issue 769): against SIPp's
// uas, which answers 180 then 200, "^18.$" takes the 180 and "^2" the 200, so every call succeeds; "^4" takes neither.
const patternUac = (final: string): string => `
  ${uacRequest('INVITE', 1)}
  <recv response="100" optional="true"/>
  <recv response="^18.$" regexp_match="true" optional="true"/>
  <recv response="${final}" regexp_match="true" rrs="true"/>
  ${uacRequest('ACK', 1)}
  ${uacRequest('BYE', 2)}
  <recv response="200"/>`;

test(
  'recv response patterns (regexp_match) against SIPp\'s uas: "^2" completes 3 calls of 3, "^4" none',
  { skip, timeout: 90_000 },
  async (t) => {
    const u = await startSippUas(work, 'uas', ['-m', '6']);
    t.after(() => u.child.kill('SIGKILL'));
    const args = (file: string): string[] => [...loopbackScenario(file, u.port), '-m', '3', '-r', '10', '-recv_timeout', '2000'];
    const ok = await sipts(args(scenarioFile('pattern-2xx.xml', patternUac('^2'))), 30_000).exited;
    assert.equal(count(ok.stdout, 'Successful'), 3, ok.stderr + ok.stdout);
    assert.equal(ok.code, 0);
    const none = await sipts(args(scenarioFile('pattern-4xx.xml', patternUac('^4'))), 30_000).exited;
    assert.equal(count(none.stdout, 'Successful'), 0, none.stderr + none.stdout);
    assert.equal(none.code, 1);
  },
);

test(
  "-cid_type uuid (SIPp after 3.7) against SIPp's uas: 3 calls succeed, SIPp saw three RFC 4122 Call-IDs",
  { skip, timeout: 60_000 },
  async (t) => {
    const trace = join(work, 'cid-uas-messages.log');
    const u = await startSippUas(work, 'uas', ['-m', '3', '-trace_msg', '-message_file', trace]);
    t.after(() => u.child.kill('SIGKILL'));
    const r = await sipts([...loopbackBuiltin('uac', u.port), '-m', '3', '-r', '10', '-cid_type', 'uuid', '-nostdin', '-cp', '0'], 30_000)
      .exited;
    assert.equal(r.code, 0, r.stderr);
    const ids = new Set([...readFileSync(trace, 'latin1').matchAll(/^Call-ID: (.*?)\r?$/gm)].map((m) => m[1]));
    assert.equal(ids.size, 3, [...ids].join(', '));
    for (const id of ids) assert.match(id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@127\.0\.0\.1$/);
  },
);
