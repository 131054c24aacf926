/**
 * Loading and compiling the parts of SIPp's dialect added for issue 16: <init>, <DefaultMessage>, the step
 * attributes condexec, hiderest, advance_state, regexp_match, <pause variable>, <send timeout>, the actions
 * closecon and check_it on <test>/<strcmp>, and SIPp's remaining keywords. Expected values come from SIPp's
 * source (scenario.cpp, call.cpp, message.cpp) and from what the installed SIPp 3.6.1 sent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DiagnosticsError } from '../../src/errors.js';
import { compileScenarioSource, type CompiledScenario } from '../../src/scenario/compile.js';
import type { TemplateEnv } from '../../src/scenario/keywords.js';
import { formulaPort } from '../../src/engine/media-port.js';
import { renderTemplate, type RenderContext } from '../../src/engine/render.js';
import { parseMessage } from '../../src/sip/parser.js';
import { scenarioScreen } from '../../src/report/screens.js';
import { Stats } from '../../src/stats/stats.js';

const env: TemplateEnv = {
  service: 'svc',
  pid: 42,
  transport: 'UDP',
  localIpEscaped: '127.0.0.1',
  localIpType: 4,
  mediaIpEscaped: '127.0.0.2',
  mediaIpType: 4,
  mediaPort: 6000,
  keys: {},
  globals: {},
  injectionFiles: ['users.csv'],
  authUser: 'u',
  authPassword: 'p',
  users: 0,
  version: '0.0.0',
  remoteHost: 'sut.example',
};

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({
  callId: 'c1',
  number: 3,
  idTag: '42',
  cseq: 5,
  remoteIpEscaped: '127.0.0.9',
  remotePort: 5060,
  localPort: 5061,
  localIpEscaped: '127.0.0.1',
  peerTagParam: '',
  routes: '',
  nextUrl: '',
  lastRecv: undefined,
  vars: [],
  globals: [],
  field: (_f, field) => `f${field}`,
  nonceCount: () => 1,
  // A call without the run's media: SIPp 3.6.1's [auto_media_port] formula.
  autoMediaPort: (base: number) => formulaPort(base, over.number ?? 3),
  userId: 0,
  clockTick: () => 0,
  tdmCircuit: () => '',
  nextDynamicId: () => 0,
  serverIp: '127.0.0.7',
  cryptoKey: (w, reuse) => `key${w}${reuse ? 'again' : ''}`,
  ...over,
});

const wrap = (body: string): string => `<?xml version="1.0"?>\n<scenario name="t">\n${body}\n</scenario>\n`;
const compile = (body: string, e: TemplateEnv = env): CompiledScenario => compileScenarioSource('t.xml', wrap(body), e);

/** The diagnostics of a scenario that must not load, as "line:col message". */
function errorsOf(body: string): string[] {
  try {
    compile(body);
  } catch (e) {
    if (e instanceof DiagnosticsError) return e.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
    throw e;
  }
  assert.fail('the scenario loaded');
}

const send = (lines: string): string => `<send><![CDATA[
  OPTIONS sip:x@h SIP/2.0
  ${lines}
  Content-Length: [len]
]]></send>`;

/** Renders the header line `name` of the first <send> of `body`. */
function header(body: string, name: string, c: Partial<RenderContext> = {}, index = 0): string {
  const s = compile(body).steps.find((x) => x.template !== undefined);
  assert.ok(s?.template);
  const raw = renderTemplate(s.template, ctx(c), index);
  return new RegExp(`^${name}: ?(.*)\\r$`, 'm').exec(raw)?.[1] ?? assert.fail(`no ${name} in ${raw}`);
}

test('<init>: its nops and labels compile apart from the steps, with labels of their own; globals are assigned there', () => {
  const sc = compile(`
    <Global variables="g"/>
    <init>
      <nop next="end"><action><assignstr assign_to="g" value="set-in-init"/></action></nop>
      <nop><action><assignstr assign_to="g" value="skipped"/></action></nop>
      <label id="end"/>
      <nop condexec="g"><action><log message="[$g]"/></action></nop>
    </init>
    <label id="end"/>
    ${send('X-G: [$g]')}`);
  assert.equal(sc.initSteps.length, 3);
  assert.equal(sc.steps.length, 1);
  assert.equal(sc.initSteps[0]?.nextIndex, 2, 'init labels point into <init>');
  assert.equal(sc.initSteps[2]?.condexec?.global, true);
  assert.equal(sc.serverMode, false);
});

test("<init> takes only <nop> and <label>; <DefaultMessage> ids are SIPp's; errors at line:col", () => {
  assert.deepEqual(errorsOf(`<init>\n<pause milliseconds="1"/>\n</init>\n${send('')}`), ['4:1 <pause> cannot be part of <init>']);
  assert.deepEqual(errorsOf(`<DefaultMessage id="busy"><![CDATA[BYE sip:x SIP/2.0]]></DefaultMessage>\n${send('')}`), [
    '3:17 id="busy" is not one of 3pcc_abort, ack, ack2, bye, cancel, 200',
  ]);
  assert.deepEqual(
    errorsOf(`<DefaultMessage id="bye">BYE sip:x SIP/2.0</DefaultMessage>\n${send('')}`),
    ['3:1 <DefaultMessage> has no message in <![CDATA[ … ]]>'],
    "SIPp: No CDATA in 'send' section",
  );
});

test("<DefaultMessage>: bye, cancel and 200 replace sipts's own; ids sipts never sends are warned about", () => {
  const sc = compile(`
    <DefaultMessage id="bye"><![CDATA[
      BYE [next_url] SIP/2.0
      [last_From:]
      CSeq: [last_cseq_number+1] BYE
      Content-Length: 0
    ]]></DefaultMessage>
    <DefaultMessage id="ack"><![CDATA[ACK sip:x SIP/2.0]]></DefaultMessage>
    ${send('')}`);
  assert.ok(sc.defaultMessages.bye);
  assert.equal(sc.defaultMessages.cancel, undefined);
  assert.deepEqual(
    sc.warnings.map((w) => `${w.line}:${w.col} ${w.message}`),
    ['10:5 <DefaultMessage id="ack"> is read, but sipts never sends that default message'],
  );
  assert.ok(
    sc.keepsLast.every((k) => k),
    'a BYE reading [last_From:] keeps the last message at every step',
  );
  const bye = renderTemplate(sc.defaultMessages.bye, ctx({ nextUrl: 'sip:peer@h' }), -1);
  assert.equal(
    bye,
    'BYE sip:peer@h SIP/2.0\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n',
    'an empty [last_From:] line is dropped; no last message: [last_cseq_number] is 0',
  );
});

test('common attributes: condexec, condexec_inverse, hiderest (until turned off), hide, display, crlf', () => {
  const sc = compile(`
    <nop hiderest="true" display="first" crlf="false"><action><assign assign_to="v" value="1"/></action></nop>
    <nop condexec="v" condexec_inverse="true"/>
    <nop hide="false"/>
    <nop hiderest="false"/>
    <nop/>`);
  const s = sc.steps;
  assert.deepEqual(
    s.map((x) => x.hide),
    [true, true, false, false, false],
  );
  const [first, second] = s;
  assert.ok(first !== undefined && second !== undefined);
  assert.equal(first.display, 'first');
  assert.equal(first.crlf, true, 'SIPp: crlf asks for the blank line whatever its value');
  assert.equal(second.condexec?.slot, 0);
  assert.equal(second.condexecInverse, true);
  assert.deepEqual(errorsOf('<nop condexec="never"/>'), ['3:6 variable "never" is used but never assigned']);
});

test("advance_state only on an optional <recv>, and with regexp_match (main's) a pattern first <recv> makes a UAS", () => {
  const sc = compile(
    `<recv request="INVITE|OPTIONS" regexp_match="true"/><recv request="BYE" optional="true" advance_state="false"/><recv request="BYE"/>`,
  );
  assert.equal(sc.serverMode, true);
  assert.ok(sc.steps[0]?.requestPattern?.test('OPTIONS'));
  assert.equal(sc.steps[1]?.advanceState, false);
  assert.equal(sc.steps[2]?.advanceState, true);
  assert.deepEqual(errorsOf('<recv request="BYE" advance_state="false"/>'), [
    '3:21 advance_state="false" is allowed only on an optional <recv>',
  ]);
});

test('<pause variable>, sanity_check and <send timeout> load; the variable must be assigned', () => {
  const sc = compile(`
    <nop><action><assign assign_to="ms" value="250"/></action></nop>
    <pause variable="ms" sanity_check="false"/>
    <send timeout="1500"><![CDATA[OPTIONS sip:x@h SIP/2.0]]></send>`);
  const [, pause, sendStep] = sc.steps;
  assert.ok(pause !== undefined && sendStep !== undefined);
  assert.deepEqual(pause.pauseVar, { slot: 0, global: false });
  assert.equal(pause.title, 'Pause [$ms]');
  assert.equal(sendStep.sendTimeoutMs, 1500);
  assert.deepEqual(errorsOf('<pause variable="nope"/>'), ['3:8 variable "nope" is used but never assigned']);
  assert.deepEqual(errorsOf('<pause milliseconds="1" sanity_check="maybe"/>'), ['3:25 sanity_check="maybe" is not a boolean']);
  const warned = compile('<nop><action><assign assign_to="ms" value="1"/></action></nop><pause variable="ms" milliseconds="5"/>');
  assert.match(warned.warnings[0]?.message ?? '', /takes its length from the variable/);
});

test('check_it / check_it_inverse on <test> and <strcmp> make assign_to optional; both at once is refused; <closecon> loads', () => {
  const sc = compile(`<nop><action>
    <assign assign_to="n" value="1"/>
    <test variable="n" compare="equal" value="1" check_it="true"/>
    <strcmp variable="n" value="x" check_it_inverse="true"/>
    <closecon/>
  </action></nop>`);
  const kinds = sc.steps[0]?.actions.map((a) => a.kind);
  assert.deepEqual(kinds, ['assign', 'test', 'strcmp', 'closecon']);
  const t = sc.steps[0]?.actions[1];
  assert.ok(t?.kind === 'test' && t.to === undefined && t.check === 'it');
  assert.deepEqual(
    errorsOf(
      '<nop><action><assign assign_to="n" value="1"/><test variable="n" compare="equal" value="1" check_it="true" check_it_inverse="true"/></action></nop>',
    ),
    ['3:108 <test> has both check_it and check_it_inverse'],
  );
  assert.deepEqual(
    errorsOf('<nop><action><assign assign_to="n" value="1"/><test variable="n" compare="equal" value="1"/></action></nop>'),
    ['3:47 <test> needs a assign_to attribute'],
  );
});

test("a scenario naming a port two above the call's ([rtpstream_video_port], [auto_media_port+2]) needs a four-port block per call", () => {
  const sdp = (m: string): boolean =>
    compileScenarioSource(
      't.xml',
      `<scenario><send><![CDATA[\nINVITE sip:a@b SIP/2.0\nContent-Length: [len]\n\nv=0\n${m}\n]]></send></scenario>`,
      env,
    ).usesMediaPortBlock;
  assert.equal(sdp('m=audio [rtpstream_audio_port] RTP/AVP 0'), false);
  assert.equal(sdp('m=audio [auto_media_port] RTP/AVP 0\na=rtcp:[auto_media_port+1]'), false);
  assert.equal(sdp('m=video [rtpstream_video_port] RTP/AVP 99'), true);
  assert.equal(sdp('m=video [auto_media_port+2] RTP/AVP 99'), true);
  assert.equal(sdp('m=video [rtpstream_audio_port+12] RTP/AVP 99'), true);
});

test('keywords: [server_ip] [remote_host] [msg_index] [auto_media_port] [rtpstream_*_port] [field] as SIPp renders them', () => {
  assert.equal(header(send('X: [server_ip]'), 'X'), '127.0.0.7');
  assert.equal(header(send('X: [remote_host]'), 'X'), 'sut.example');
  assert.equal(header(send('X: [msg_index]'), 'X', {}, 7), '7');
  // SIPp: -mp + 4 × (call number − 1) mod 10000 + offset; call 3 → 6000 + 8.
  assert.equal(header(send('X: [auto_media_port] [auto_media_port+1]'), 'X'), '6008 6009');
  assert.equal(header(send('X: [auto_media_port]'), 'X', { number: 2502 }), `${6000 + ((4 * 2501) % 10000)}`);
  // SIPp 3.7: the call's own rtp_stream ports (3.6.1 printed -mp): its [auto_media_port] block, video two above.
  assert.equal(header(send('X: [rtpstream_audio_port] [rtpstream_video_port+1]'), 'X'), '6008 6011');
  assert.equal(header(send('X: [field] [field1] [field file="users.csv"]'), 'X'), 'f0 f1 f0');
});

test('keywords: offsets on [len], [last_cseq_number], [branch] as SIPp applies them', () => {
  const invite = parseMessage('INVITE sip:a@h SIP/2.0\r\nCall-ID: c\r\nCSeq: 41 INVITE\r\nContent-Length: 0\r\n\r\n');
  assert.ok(invite.ok);
  assert.equal(header(send('X: [last_cseq_number+2] [last_cseq_number]'), 'X', { lastRecv: invite.msg }), '43 41');
  assert.equal(header(send('X: [branch+2] [branch-1]'), 'X', {}, 4), 'z9hG4bK-42-3-6 z9hG4bK-42-3-3');
  const sc = compile(`<send><![CDATA[
    MESSAGE sip:x@h SIP/2.0
    Content-Length: [len+5]

    12345
  ]]></send><send><![CDATA[
    MESSAGE sip:x@h SIP/2.0
    Content-Length: [len+5]
  ]]></send>`);
  const [withBody, empty] = sc.steps.map((s) => (s.template === undefined ? '' : renderTemplate(s.template, ctx(), 0)));
  assert.match(withBody ?? '', /\r\nContent-Length: 12\r\n/, '7 body bytes + 5');
  assert.match(empty ?? '', /\r\nContent-Length: 0\r\n/, 'SIPp: an empty body is 0 whatever the offset');
});

test('[date] is RFC 1123 in GMT, like SIPp\'s strftime("%a, %d %b %Y %T %Z") on gmtime', () => {
  const before = Date.now();
  const d = header(send('X: [date]'), 'X');
  assert.match(d, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/);
  assert.ok(Math.abs(Date.parse(d) - before) < 2000);
});

test('[file name=…]: the file as it is, read at send time; the name may hold keywords; a missing plain name is a load error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-file-'));
  writeFileSync(join(dir, 'part.txt'), 'a=one\nb=two\n');
  const sc = compile(`<nop><action><assignstr assign_to="dir" value="${dir}"/></action></nop><send><![CDATA[
    MESSAGE sip:x@h SIP/2.0
    Content-Length: [len]

    [file name="${dir}/part.txt"]
    [file name=[$dir]/part.txt]
  ]]></send>`);
  const step = sc.steps[1];
  assert.ok(step?.template);
  const raw = renderTemplate(step.template, ctx({ vars: [dir] }), 1);
  // SIPp inserts the bytes as they are (LF stays LF) and ends the line with CRLF; [len] counts them.
  assert.ok(raw.endsWith('\r\n\r\na=one\nb=two\n\r\na=one\nb=two\n\r\n'), JSON.stringify(raw));
  assert.match(raw, /Content-Length: 28\r\n/);
  assert.deepEqual(errorsOf('<send><![CDATA[\nMESSAGE sip:x@h SIP/2.0\nX: [file name=/no/such/file]\n]]></send>'), [
    `5:4 [file name=/no/such/file]: no such file (looked for /no/such/file)`,
  ]);
  assert.deepEqual(errorsOf('<send><![CDATA[\nMESSAGE sip:x@h SIP/2.0\nX: [file]\n]]></send>'), [
    '5:4 [file] needs name=…, the file to insert',
  ]);
});

test('SIPp 3.7 SRTP keywords render as SIPp does; only the video ones warn (sipts has audio SRTP only)', () => {
  const sc = compile(
    send(
      'X: [cryptotag1audio] [cryptotag2video] [cryptosuiteaescm128sha1801audio] [cryptosuitenullsha1322video] [ueaescm128sha1321audio] [cryptokeyparams1audio] [cryptokeyparams1audio-1] [cryptokeyparams2video]',
    ),
  );
  const s = sc.steps[0];
  assert.ok(s?.template);
  const raw = renderTemplate(s.template, ctx(), 0);
  assert.match(raw, /\r\nX: 1 2 AES_CM_128_HMAC_SHA1_80 NULL_HMAC_SHA1_32 UNENCRYPTED_SRTP key0 key0again key3\r\n/);
  assert.equal(sc.warnings.length, 3, 'the three video keywords');
  assert.match(sc.warnings[0]?.message ?? '', /no video SRTP/);
});

test("SIPp 3.6.1 reads ereg's old spelling occurence=; setdest takes tcp (and tls, sctp, refused at run time as SIPp does)", () => {
  const sc = compile(`<nop><action>
    <ereg regexp="a" search_in="msg" occurence="2" assign_to="x"/>
    <setdest host="127.0.0.1" port="5070" protocol="tcp"/>
  </action></nop>`);
  const [ereg, setdest] = sc.steps[0]?.actions ?? [];
  assert.ok(ereg?.kind === 'ereg' && ereg.occurrence === 2);
  assert.ok(setdest?.kind === 'setdest' && setdest.protocol === 'TCP');
  assert.deepEqual(errorsOf('<nop><action><setdest host="h" port="1" protocol="quic"/></action></nop>'), [
    '3:41 protocol="quic" is not one of udp, UDP, tcp, TCP, tls, TLS, sctp, SCTP',
  ]);
});

test('screen 1 as SIPp draws it: hide and hiderest leave steps off, a <nop> shows its display text, crlf adds a blank line', () => {
  const sc = compile(`
    ${send('')}
    <nop display="-- half way --" crlf="true"/>
    <recv response="200" hide="true"/>
    <nop/>
    <pause milliseconds="5" hiderest="true"/>
    <recv response="202"/>`);
  const snap = new Stats(sc.steps.length, sc.rtdNames, 0, sc.counterNames, { responseTime: [], callLength: [] }).snapshot(0);
  const screen = scenarioScreen(snap, {
    scenario: sc,
    currentRate: 1,
    ratePeriodMs: 1000,
    paused: false,
    local: 'l',
    remote: 'r',
    startEpochMs: 0,
    variables: () => [],
  });
  const table = screen
    .slice(screen.indexOf('Unexpected-Msg') + 'Unexpected-Msg'.length)
    .split('\n')
    .slice(1, -1);
  assert.deepEqual(
    table.map((l) => l.trim().split(/\s+/).slice(0, 3).join(' ')).filter((l) => !l.startsWith('Response')),
    ['OPTIONS -> 0', '-- half way', ''],
    'the hidden 200, the plain nop and everything from hiderest on are not drawn',
  );
});
