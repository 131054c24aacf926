/**
 * 3PCC pieces that need no socket: the command text (what SIPp 3.6.1 writes: captured from `sipp -sn
 * 3pcc-C-A` on the twin socket), ESC framing, the scenario's twin role (SIPp's computeSippMode rules) and
 * the plan of who listens and who connects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TwinOptions } from '../../src/cli/config.js';
import { twinPlan } from '../../src/cli/twin-plan.js';
import { DiagnosticsError, SiptsError } from '../../src/errors.js';
import { compileScenarioSource, StepKind } from '../../src/scenario/compile.js';
import { bodyOf } from '../../src/sip/parser.js';
import { findHeaders } from '../../src/sip/headers.js';
import { abortCommand, commandAsMessage, parseCommand } from '../../src/sip/twin-command.js';
import { frameCommand, splitCommands } from '../../src/transport/twin-framing.js';
import { builtin, env } from '../helpers.js';

const SDP =
  'v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
/** The bytes SIPp 3.6.1's 3pcc-C-A wrote on the twin socket for one call (its uas answering), ESC included. */
const FROM_SIPP = `Call-ID: 1-6489@127.0.0.1\r\nContent-Type: application/sdp\r\nContent-Length:   129\r\n\r\n${SDP}\x1b`;

test('twin stream: commands end with ESC, however TCP cuts them', () => {
  assert.equal(SDP.length, 129);
  assert.equal(frameCommand('Call-ID: x\r\n'), 'Call-ID: x\r\n\x1b');
  const whole = FROM_SIPP + FROM_SIPP.replace('1-6489', '2-6489');
  for (const cut of [1, 30, FROM_SIPP.length - 1, FROM_SIPP.length, FROM_SIPP.length + 5]) {
    const a = splitCommands('', whole.slice(0, cut));
    const b = splitCommands(a.rest, whole.slice(cut));
    const all = [...a.commands, ...b.commands];
    assert.equal(all.length, 2, `cut at ${cut}`);
    assert.equal(b.rest, '');
    assert.equal(all[0], FROM_SIPP.slice(0, -1));
  }
});

test('a command: Call-ID (long or compact), the sender in From:, internal-cmd, trailing CRLFs dropped as SIPp does', () => {
  const cmd = parseCommand(FROM_SIPP.slice(0, -1));
  assert.equal(cmd.callId, '1-6489@127.0.0.1');
  assert.equal(cmd.text, `Call-ID: 1-6489@127.0.0.1\r\nContent-Type: application/sdp\r\nContent-Length:   129\r\n\r\n${SDP.slice(0, -2)}`);
  assert.equal(cmd.from, '');
  const ext = parseCommand('i: abc\r\nFrom: s1 extra\r\nLeg: up\r\n\r\n\r\n');
  assert.deepEqual(ext, { text: 'i: abc\r\nFrom: s1 extra\r\nLeg: up', callId: 'abc', from: 's1', internal: '' });
  // SIPp's default message "3pcc_abort": call-id: [call_id] / internal-cmd: abort_call, lines ending CRLF, an empty line.
  assert.equal(abortCommand('7-1@h'), 'call-id: 7-1@h\r\ninternal-cmd: abort_call\r\n\r\n');
  assert.equal(parseCommand(abortCommand('7-1@h')).internal, 'abort_call');
  assert.equal(parseCommand(abortCommand('7-1@h')).callId, '7-1@h');
});

test('a command as the message of <recvCmd> actions: headers from the first line, body after the empty line', () => {
  const msg = commandAsMessage(parseCommand(FROM_SIPP.slice(0, -1)));
  assert.equal(bodyOf(msg), SDP.slice(0, -2));
  const callId = findHeaders(msg, 'Call-ID')[0];
  assert.ok(callId !== undefined);
  assert.equal(msg.raw.slice(callId.valueStart, callId.end), '1-6489@127.0.0.1');
  assert.equal(findHeaders(msg, 'v').length, 0, 'the SDP lines are body, not headers');
  const noBody = commandAsMessage(parseCommand('Call-ID: a\r\nFrom: m\r\n'));
  assert.equal(bodyOf(noBody), '');
  assert.equal(findHeaders(noBody, 'From').length, 1);
});

const wrap = (body: string): string => `<?xml version="1.0"?>\n<scenario name="t">\n${body}\n</scenario>\n`;
const compile = (body: string) => compileScenarioSource('t.xml', wrap(body), env);
const SEND_CMD = '<sendCmd><![CDATA[\nCall-ID: [call_id]\n]]></sendCmd>';

test('the first twin command decides the role (SIPp computeSippMode); a leading recvCmd creates calls', () => {
  const ca = builtin('3pcc-C-A');
  assert.equal(ca.twin.first, 'send');
  assert.equal(ca.twin.commandCreatesCalls, false);
  assert.equal(ca.serverMode, false);
  const cb = builtin('3pcc-C-B');
  assert.equal(cb.twin.first, 'recv');
  assert.equal(cb.twin.commandCreatesCalls, true);
  assert.equal(cb.serverMode, false);
  assert.equal(cb.steps[0]?.kind, StepKind.RecvCmd);
  for (const party of ['3pcc-A', '3pcc-B']) assert.equal(builtin(party).twin.first, undefined);
  // A server scenario that sends a command first connects (SIPp's 3PCC "A passive" mode).
  const passive = compile(`<recv request="INVITE"/>${SEND_CMD}<recvCmd src="x"/>`);
  assert.deepEqual(passive.twin, { first: 'send', dests: [], srcs: ['x'], commandCreatesCalls: false });
  assert.equal(passive.serverMode, true);
  const ext = compile(
    `<recvCmd src="m"/><sendCmd dest="s1"><![CDATA[\nCall-ID: [call_id]\n]]></sendCmd><sendCmd dest="s2"><![CDATA[\nCall-ID: [call_id]\n]]></sendCmd><sendCmd dest="s1"><![CDATA[\nCall-ID: [call_id]\n]]></sendCmd>`,
  );
  assert.deepEqual(ext.twin, { first: 'recv', dests: ['s1', 's2'], srcs: ['m'], commandCreatesCalls: true });
  assert.throws(
    () => compile('<sendCmd/>'),
    (e: unknown) => e instanceof DiagnosticsError && /<sendCmd> has no command/.test(e.message),
  );
  // SIPp reads no timeout= on a <recvCmd> (its wait is -recv_timeout's): ignored, with a warning, as SIPp ignores it.
  const ignored = compile('<recvCmd timeout="5"/>');
  assert.equal(ignored.warnings.length, 1);
  assert.match(ignored.warnings[0]?.message ?? '', /timeout/);
});

const at = (port: number) => ({ host: '127.0.0.1', port });
const classic = (port: number): TwinOptions => ({ kind: 'classic', address: at(port) });
const extended = (role: 'master' | 'slave', name: string): TwinOptions => ({
  kind: 'extended',
  role,
  name,
  cfgFile: 'slaves.cfg',
  instances: new Map([
    ['m', at(6000)],
    ['s1', at(6001)],
    ['s2', at(6002)],
  ]),
});

test('twin plan: -3pcc connects (first sendCmd) or listens (first recvCmd); extended: listen on its own address, send to dest=', () => {
  assert.deepEqual(twinPlan(classic(5000), builtin('3pcc-C-A')), { kind: 'connect', twin: at(5000) });
  assert.deepEqual(twinPlan(classic(5000), builtin('3pcc-C-B')), { kind: 'listen', twin: at(5000) });
  assert.equal(twinPlan(undefined, builtin('uac')), undefined);
  const master = compile(
    `<send><![CDATA[\nOPTIONS sip:x SIP/2.0\nCall-ID: [call_id]\n]]></send><sendCmd dest="s1"><![CDATA[\nCall-ID: [call_id]\nFrom: m\n]]></sendCmd><recvCmd src="s1"/>`,
  );
  assert.deepEqual(twinPlan(extended('master', 'm'), master), {
    kind: 'extended',
    self: at(6000),
    peers: new Map([['s1', at(6001)]]),
    connectAtStart: true,
  });
  const slave = compile(`<recvCmd src="m"/><sendCmd dest="m"><![CDATA[\nCall-ID: [call_id]\nFrom: s2\n]]></sendCmd>`);
  assert.deepEqual(twinPlan(extended('slave', 's2'), slave), {
    kind: 'extended',
    self: at(6002),
    peers: new Map([['m', at(6000)]]),
    connectAtStart: false,
  });
});

test("twin plan: SIPp's consistency errors, with the place in the scenario", () => {
  const err = (f: () => unknown, re: RegExp): void =>
    assert.throws(f, (e: unknown) => e instanceof SiptsError && re.test(e.message), String(re));
  err(() => twinPlan(undefined, builtin('3pcc-C-A')), /has <sendCmd> but no twin address/);
  err(() => twinPlan(classic(5000), builtin('uac')), /-3pcc given, but scenario "sipts uac" has no <sendCmd> or <recvCmd>/);
  err(() => twinPlan(extended('master', 'm'), compile('<recvCmd src="s1"/>')), /a slave's, but -master was given/);
  err(
    () => twinPlan(extended('slave', 's1'), builtin('3pcc-C-A')),
    /t\.xml|3pcc-C-A\.xml:\d+:\d+: error: extended 3PCC \(-slave\): <sendCmd> needs dest=/,
  );
  err(
    () => twinPlan(extended('slave', 's1'), compile(`<recvCmd src="m"/><sendCmd dest="s9"><![CDATA[\nCall-ID: [call_id]\n]]></sendCmd>`)),
    /t\.xml:3:\d+: error: dest="s9" is not in -slave_cfg slaves\.cfg/,
  );
  err(
    () => twinPlan(classic(5000), compile(`<recvCmd/><sendCmd dest="s1"><![CDATA[\nCall-ID: [call_id]\n]]></sendCmd>`)),
    /dest="s1" needs extended 3PCC/,
  );
});
