import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiagnosticsError } from '../../src/errors.js';
import { builtinNames, readBuiltin, whyNotRunnable } from '../../src/scenario/builtin.js';
import { compileScenarioSource, StepKind } from '../../src/scenario/compile.js';
import type { TemplateEnv } from '../../src/scenario/keywords.js';
import type { CompiledTemplate } from '../../src/scenario/template.js';
import { formulaPort } from '../../src/engine/media-port.js';
import { renderTemplate, renderText, type RenderContext } from '../../src/engine/render.js';
import type { SipMessage } from '../../src/sip/message.js';
import { parseMessage } from '../../src/sip/parser.js';
import { toneClip } from '../../src/media/tone.js';
import { PLAIN_INVITE } from '../scenario-snippets.js';

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
  injectionFiles: [],
  authUser: 'service',
  authPassword: 'password',
  users: 0,
  version: '0.0.0',
};

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({
  callId: '1-42@127.0.0.1',
  number: 1,
  idTag: '42',
  cseq: 5,
  remoteIpEscaped: '127.0.0.9',
  remotePort: 5060,
  localPort: 5061,
  localIpEscaped: '127.0.0.1',
  peerTagParam: ';tag=peer',
  routes: '',
  nextUrl: 'sip:next@h',
  lastRecv: undefined,
  vars: [],
  globals: [],
  field: () => '',
  nonceCount: () => 1,
  userId: 0,
  clockTick: () => 0,
  tdmCircuit: () => '',
  nextDynamicId: () => 0,
  serverIp: '127.0.0.1',
  cryptoKey: () => '',
  // A call without the run's media: SIPp 3.6.1's [auto_media_port] formula.
  autoMediaPort: (base: number) => formulaPort(base, over.number ?? 1),
  ...over,
});

const wrap = (body: string): string => `<?xml version="1.0"?>\n<scenario name="t">\n${body}\n</scenario>\n`;

test('templates: trimmed lines, CRLF, [len] counts body bytes after substitution', () => {
  const sc = compileScenarioSource(
    't.xml',
    wrap(`<send><![CDATA[

      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Call-ID: [call_id]
      CSeq: [cseq] INVITE
      To: <sip:x>[peer_tag_param]
      [routes]
      Content-Length: [len]

      v=0
      c=IN IP[media_ip_type] [media_ip] é
      m=audio [media_port+2] RTP/AVP 0

    ]]></send>`),
    env,
  );
  const step = sc.steps[0];
  assert.ok(step?.template);
  const raw = renderTemplate(step.template, ctx(), 0);
  const body = 'v=0\r\nc=IN IP4 127.0.0.2 \xc3\xa9\r\nm=audio 6002 RTP/AVP 0\r\n';
  assert.equal(
    raw,
    [
      'INVITE sip:svc@127.0.0.9:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-42-1-0',
      'Call-ID: 1-42@127.0.0.1',
      'CSeq: 5 INVITE',
      'To: <sip:x>;tag=peer',
      `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
      '',
      '',
    ].join('\r\n') + body,
    'empty [routes] line is dropped; é is two bytes',
  );
  assert.equal(step.template.method, 'INVITE');
  // With a route set the line is there.
  assert.match(renderTemplate(step.template, ctx({ routes: 'Route: <sip:p;lr>' }), 3), /\r\nRoute: <sip:p;lr>\r\n/);
});

test('[last_Header:] copies every such line of the last received message', () => {
  const sc = compileScenarioSource(
    't.xml',
    wrap(
      '<send><![CDATA[\nSIP/2.0 200 OK\n[last_Via:]\n[last_Record-Route:]\n[last_CSeq:]\nX: [last_Call-ID:value]\nContent-Length: 0\n]]></send>',
    ),
    env,
  );
  const r = parseMessage(
    'BYE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nv: SIP/2.0/UDP b;branch=z9hG4bK2\r\nCall-ID: cid\r\nCSeq: 2 BYE\r\n\r\n',
  );
  assert.ok(r.ok);
  const t = sc.steps[0]?.template;
  assert.ok(t);
  assert.equal(
    renderTemplate(t, ctx({ lastRecv: r.msg }), 0),
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nv: SIP/2.0/UDP b;branch=z9hG4bK2\r\nCSeq: 2 BYE\r\nX: cid\r\nContent-Length: 0\r\n\r\n',
  );
});

test('labels resolve to step indices; server mode comes from the first step', () => {
  const sc = compileScenarioSource(
    't.xml',
    wrap(`
    <recv request="INVITE" next="end"/>
    <pause milliseconds="10"/>
    <label id="end"/>
    <recv request="BYE" timeout="500" ontimeout="end"/>`),
    env,
  );
  assert.equal(sc.serverMode, true);
  assert.equal(sc.firstRequest, 'INVITE');
  assert.equal(sc.steps[0]?.nextIndex, 2);
  assert.equal(sc.steps[2]?.kind, StepKind.Recv);
  assert.equal(sc.steps[2]?.timeoutMs, 500);
  assert.equal(sc.steps[2]?.onTimeoutIndex, 2);
});

test('every problem at once with file:line:col: undefined label, bad attribute value, unclosed tag', () => {
  const source = [
    '<?xml version="1.0"?>', // 1
    '<scenario name="broken">', // 2
    '  <send retrans="soon">', // 3
    '    <![CDATA[', // 4
    '      OPTIONS sip:[service]@[remote_ip] SIP/2.0', // 5
    '    ]]>', // 6
    '  </send>', // 7
    '  <recv response="200" next="nowhere">', // 8  never closed
    '  <pause milliseconds="10"/>', // 9
    '</scenario>', // 10
  ].join('\n');
  let error: unknown;
  try {
    compileScenarioSource('broken.xml', source, env);
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof DiagnosticsError);
  const found = error.diagnostics.map((d) => `${d.line}:${d.col} ${d.message}`);
  assert.ok(
    found.some((f) => f.startsWith('3:9 ') && f.includes('retrans="soon"')),
    found.join('\n'),
  );
  assert.ok(
    found.some((f) => f.startsWith('8:3 ') && f.includes('never closed')),
    found.join('\n'),
  );
  assert.ok(
    found.some((f) => f.startsWith('8:24 ') && f.includes('"nowhere" is not defined')),
    found.join('\n'),
  );
  assert.match(error.message, /^broken\.xml:3:9: error: /m);
  assert.match(error.message, /hint: /);
});

test('unknown keyword and element are errors where they are; an unknown attribute is a warning there (SIPp ignores it)', () => {
  const source = wrap(
    '<send><![CDATA[\nOPTIONS sip:x SIP/2.0\nX: [no_such_thing]\n]]></send>\n<sned/>\n<recv response="200" optinal="true"/>',
  );
  assert.throws(
    () => compileScenarioSource('k.xml', source, env),
    (e: unknown) => {
      assert.ok(e instanceof DiagnosticsError);
      const m = e.diagnostics.map((d) => `${d.severity ?? 'error'} ${d.line}:${d.col} ${d.message}`).join('\n');
      assert.match(m, /^error 5:4 unknown keyword \[no_such_thing\]$/m);
      assert.match(m, /^error 7:1 unknown element <sned>$/m);
      assert.match(m, /^warning 8:22 unknown attribute 'optinal' on <recv> is ignored, as SIPp ignores it$/m);
      assert.match(e.message, /^k\.xml:8:22: warning: unknown attribute 'optinal'/m);
      return true;
    },
  );
});

test("the built-in scenarios compile (uac_pcap with generated media: its capture files are the user's)", () => {
  assert.deepEqual(
    builtinNames().filter((n) => n === 'uac' || n === 'uas'),
    ['uac', 'uas'],
  );
  for (const name of builtinNames().filter((n) => whyNotRunnable(n) === undefined)) {
    const b = readBuiltin(name);
    assert.ok(b);
    const sc = compileScenarioSource(
      `${name}.xml`,
      b.source,
      { ...env, injectionFiles: ['users.csv'] },
      { generated: () => ({ clip: toneClip('alaw', { durationMs: 100 }), note: 'a tone' }) },
    );
    assert.equal(sc.hasMedia, name === 'uac_pcap');
  }
});

test('keywords: [fill], [userid], [users], [sipp_version], [clock_tick], [last_Request_URI], [last_cseq_number]', () => {
  const sc = compileScenarioSource(
    'k.xml',
    wrap(`<nop><action><assign assign_to="len" value="7"/></action></nop>
    <send><![CDATA[
      OPTIONS sip:x SIP/2.0
      X-Fill: [fill variable=len text="ab"]
      X-User: [userid]/[users] [sipp_version] [clock_tick]
      X-Last: [last_Request_URI] [last_cseq_number]
    ]]></send>`),
    { ...env, users: 10, version: '1.2.3' },
  );
  const t = sc.steps[1]?.template;
  assert.ok(t);
  const last = parseMessage('INVITE sip:bob@example.org;transport=udp SIP/2.0\r\nCall-ID: c\r\nCSeq: 42 INVITE\r\n\r\n');
  assert.ok(last.ok);
  const out = renderTemplate(t, ctx({ vars: [7], userId: 3, clockTick: () => 1234.7, lastRecv: last.msg }), 1);
  assert.match(out, /\r\nX-Fill: abababa\r\n/);
  assert.match(out, /\r\nX-User: 3\/10 sipts-1\.2\.3 1234\r\n/);
  assert.match(out, /\r\nX-Last: sip:bob@example\.org;transport=udp 42\r\n/);
});

test('[authentication aka_K= aka_OP=] answers an AKAv1-MD5 challenge with RES as the password (RFC 3310)', async () => {
  const { verifyAuthorization } = await import('../../src/sip/digest.js');
  const sc = compileScenarioSource(
    'aka.xml',
    wrap(`<send><![CDATA[
    REGISTER sip:ims.example SIP/2.0
    [authentication username=alice@ims.example aka_K=465b5ce8b199b49faa5f0a2ee238a6bc aka_OP=cdc202d5123e20f62b6d676ac72cb318 aka_AMF=b9b9]
    Content-Length: 0
  ]]></send>`),
    env,
  );
  const t = sc.steps[0]?.template;
  assert.ok(t);
  const h = (s: string): Buffer => Buffer.from(s, 'hex');
  const autn = Buffer.concat([
    Buffer.from(h('ff9bb4d0b607').map((v, i) => v ^ (h('aa689c648370')[i] ?? 0))),
    h('b9b9'),
    h('4a9ffac354dfafb3'),
  ]);
  const nonce = Buffer.concat([h('23553cbe9637a89d218ae64dae47bf35'), autn]).toString('base64');
  const challenge = parseMessage(
    `SIP/2.0 401 Unauthorized\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm="ims.example", nonce="${nonce}", algorithm=AKAv1-MD5, qop="auth"\r\n\r\n`,
  );
  assert.ok(challenge.ok);
  const out = renderTemplate(t, ctx({ lastRecv: challenge.msg }), 0);
  const auth = /\r\nAuthorization: (.*)\r\n/.exec(out)?.[1] ?? '';
  assert.match(auth, /algorithm=AKAv1-MD5/);
  assert.equal(verifyAuthorization(auth, 'alice@ims.example', h('a54211d5e3ba50bf').toString('latin1'), 'REGISTER', ''), true);
  // Apart from digest.ts: RFC 3310 §3.1 puts RES (TS 35.208 test set 1: a54211d5e3ba50bf) where the password goes,
  // as raw bytes; the rest is RFC 2617 §3.2.2.1 written out with node:crypto.
  const md5 = (...parts: (string | Buffer)[]): string => {
    const hash = createHash('md5');
    for (const p of parts) hash.update(p);
    return hash.digest('hex');
  };
  const field = (name: string): string => new RegExp(`${name}="?([^",]*)"?`).exec(auth)?.[1] ?? '';
  const ha1 = md5('alice@ims.example:ims.example:', h('a54211d5e3ba50bf'));
  const ha2 = md5(`REGISTER:${field('uri')}`);
  assert.equal(field('response'), md5(`${ha1}:${nonce}:${field('nc')}:${field('cnonce')}:auth:${ha2}`));
});

/**
 * A REGISTER whose line `line` holds the injection field [field1], compiled, and a 401 to it challenging for
 * realm example.org with `extra` parameters (RFC 7616 §3.3).
 */
function registerWithField(line: string, extra = ''): { t: CompiledTemplate; challenge: SipMessage } {
  const sc = compileScenarioSource(
    'f.xml',
    wrap(`<send><![CDATA[
    REGISTER sip:example.org SIP/2.0
    ${line}
    Content-Length: 0
  ]]></send>`),
    { ...env, injectionFiles: ['u.csv'] },
  );
  const t = sc.steps[0]?.template;
  assert.ok(t);
  const challenge = parseMessage(
    `SIP/2.0 401 Unauthorized\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm="example.org", nonce="abc"${extra}\r\n\r\n`,
  );
  assert.ok(challenge.ok);
  return { t, challenge: challenge.msg };
}

test('an injection field holding [authentication username=… password=…] renders the Authorization it stands for', async () => {
  const { verifyAuthorization } = await import('../../src/sip/digest.js');
  const { t, challenge } = registerWithField('[field1]');
  const out = renderTemplate(t, ctx({ lastRecv: challenge, field: () => '[authentication username=joe password=schmo]' }), 0);
  const auth = /\r\nAuthorization: (.*)\r\n/.exec(out)?.[1] ?? '';
  assert.equal(verifyAuthorization(auth, 'joe', 'schmo', 'REGISTER', ''), true, out);
});

test('an injection field: text around [authentication …], quoted values and any order of parameters', async () => {
  const { verifyAuthorization } = await import('../../src/sip/digest.js');
  const { t, challenge } = registerWithField('X-Before: [field1]', ', qop="auth"');
  const field = 'x\r\n[authentication password="sch mo" username=joe]\r\nX-After: y';
  const out = renderTemplate(t, ctx({ lastRecv: challenge, field: () => field }), 0);
  assert.match(out, /\r\nX-Before: x\r\nAuthorization: Digest username="joe", [^\r]*\r\nX-After: y\r\n/, out);
  const auth = /\r\nAuthorization: (.*)\r\n/.exec(out)?.[1] ?? '';
  assert.equal(verifyAuthorization(auth, 'joe', 'sch mo', 'REGISTER', ''), true, out);
  // Without a closing bracket it is not the keyword: the text is sent as it is.
  const open = renderTemplate(t, ctx({ lastRecv: challenge, field: () => '[authentication username=joe' }), 0);
  assert.match(open, /\r\nX-Before: \[authentication username=joe\r\n/);
});

test('keepsLast: a waiting call holds its last message only where something can read it before the next receive', () => {
  const compile = (name: string): ReturnType<typeof compileScenarioSource> =>
    compileScenarioSource(`${name}.xml`, readBuiltin(name)?.source ?? '', env);
  const waits = (sc: ReturnType<typeof compileScenarioSource>): string[] =>
    sc.steps.flatMap((s, i) =>
      s.kind === StepKind.Recv || s.kind === StepKind.Pause ? [`${s.title.trim()}:${String(sc.keepsLast[i])}`] : [],
    );
  // The built-in uac's pause before BYE and the uas's wait for the BYE read nothing of the last message.
  assert.ok(waits(compile('uac')).includes('Pause [-d]:false'));
  assert.deepEqual(
    waits(compile('uas')).filter((w) => w.endsWith(':true')),
    [],
  );
  const sc = compileScenarioSource(
    't.xml',
    wrap(`
    <send><![CDATA[
      OPTIONS sip:x SIP/2.0
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
    ]]></send>
    <recv response="200"/>
    <pause milliseconds="10"/>
    <send><![CDATA[
      INFO sip:x SIP/2.0
      [last_Via:]
      Call-ID: [call_id]
      CSeq: 2 INFO
    ]]></send>
    <recv response="200" timeout="100" ontimeout="end"/>
    <pause milliseconds="10"/>
    <nop><action><log message="[last_From:]"/></action></nop>
    <recv response="200"/>
    <pause milliseconds="10"/>
    <label id="end"/>`),
    env,
  );
  assert.deepEqual(waits(sc), [
    '<- 200:false',
    'Pause [10ms]:true',
    '<- 200:true',
    'Pause [10ms]:true',
    '<- 200:false',
    'Pause [10ms]:false',
  ]);
});

test('the last body line ends with CRLF only when a line end followed it in the scenario (as SIPp 3.6.1 sends it)', () => {
  const render = (cdata: string): string => {
    const t = compileScenarioSource('t.xml', wrap(`<send><![CDATA[${cdata}]]></send>`), env).steps[0]?.template;
    assert.ok(t);
    return renderTemplate(t, ctx(), 0);
  };
  const head = '\n  NOTIFY sip:x@h SIP/2.0\n  Call-ID: [call_id]\n  CSeq: 1 NOTIFY\n';
  // Observed from SIPp 3.6.1 over TCP (its regression test for github issue 34): a body closed by ]]> right after
  // its bytes is sent without a line end, so Content-Length: 4 is right; one closed on the next line keeps one
  // CRLF; a message without a body ends with one empty line however many blank lines close it.
  assert.ok(render(`${head}  Content-Length: 4\n\n  \\x01\\x02\\x03\\x04`).endsWith('Content-Length: 4\r\n\r\n\x01\x02\x03\x04'));
  assert.ok(render(`${head}  Content-Length: [len]\n\n  X\n    `).endsWith('Content-Length: 3\r\n\r\nX\r\n'));
  assert.ok(render(`${head}  Content-Length: [len]\n\n  X\n\n\n  `).endsWith('Content-Length: 3\r\n\r\nX\r\n'));
  assert.ok(render(`${head}  Content-Length: 0\n\n\n\n  `).endsWith('Content-Length: 0\r\n\r\n'));
  assert.ok(render(`${head}  Content-Length: 0`).endsWith('Content-Length: 0\r\n\r\n'));
  assert.ok(render(`${head}  Content-Length: [len]\n\n  v=0\n  s=-`).endsWith('Content-Length: 8\r\n\r\nv=0\r\ns=-'));
});

test("\\xHH escapes become bytes, read before keywords, with SIPp 3.6.1's quirks (bytes as its -trace_msg shows them)", () => {
  const sc = compileScenarioSource(
    't.xml',
    wrap(`<send><![CDATA[
    OPTIONS sip:x@h SIP/2.0
    X-A: \\x5bnot-a-keyword\\x5D \\x41\\x42 one\\x5;digit none\\xg! hi\\xe9 [call_number]\\x20
    X-B: \\x[call_number]
    Content-Length: 0
    ]]></send>
    <nop><action><log message="a\\x2Cb"/><assignstr assign_to="v" value="\\x5b$\\x5d"/></action></nop>`),
    env,
  );
  const t = sc.steps[0]?.template;
  assert.ok(t);
  // SIPp 3.6.1 sent exactly these lines: one hex digit takes the next character with it, \x without a digit
  // drops the character after it, and a '[' so dropped starts no keyword.
  assert.equal(
    renderTemplate(t, ctx(), 0),
    'OPTIONS sip:x@h SIP/2.0\r\nX-A: [not-a-keyword] AB one\x05digit none! hi\xe9 1 \r\nX-B: call_number]\r\nContent-Length: 0\r\n\r\n',
  );
  const actions = sc.steps[1]?.actions ?? [];
  const texts = actions.map((a) =>
    a.kind === 'log' ? renderText(a.text, ctx()) : a.kind === 'assignstr' ? renderText(a.text, ctx()) : '',
  );
  assert.deepEqual(texts, ['a,b', '[$]']);
});

test('recv response="…" regexp_match="true": the status code is matched as a regular expression (SIPp after 3.6.1)', async () => {
  const { matchesStep } = await import('../../src/engine/matcher.js');
  const sc = compileScenarioSource(
    't.xml',
    wrap(`${PLAIN_INVITE}<recv response="^18.$" regexp_match="true" optional="true"/><recv response="^2" regexp_match="true"/>`),
    env,
  );
  const resp = (status: number, to = 'To: <sip:b>;tag=2\r\n') => {
    const p = parseMessage(
      `SIP/2.0 ${status} X\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nFrom: <sip:a>;tag=1\r\n${to}Content-Length: 0\r\n\r\n`,
    );
    assert.ok(p.ok);
    return p.msg;
  };
  const [, ringing, ok] = sc.steps;
  assert.ok(ringing !== undefined && ok !== undefined);
  assert.equal(ringing.title, '<- ^18.$');
  assert.ok(matchesStep(ringing, resp(180), undefined));
  assert.ok(matchesStep(ringing, resp(183), undefined));
  assert.ok(!matchesStep(ringing, resp(100), undefined));
  assert.ok(!matchesStep(ringing, resp(1180), undefined), '1180 is no SIP status, and "^18.$" is anchored');
  assert.ok(matchesStep(ok, resp(200), undefined));
  assert.ok(matchesStep(ok, resp(202), undefined));
  assert.ok(!matchesStep(ok, resp(486), undefined));
  // A response without a To header matches nothing (SIPp aborts the call on it as unexpected).
  assert.ok(!matchesStep(ok, resp(200, ''), undefined));
  assert.equal(sc.serverMode, false);
  assert.throws(
    () => compileScenarioSource('t.xml', wrap(`${PLAIN_INVITE}<recv response="(" regexp_match="true"/>`), env),
    (e: unknown) => e instanceof DiagnosticsError && /is not a regular expression/.test(e.message),
  );
});

test('recv regexp_match="true": the method is matched against request="…" as a regular expression (SIPp)', async () => {
  const { matchesStep } = await import('../../src/engine/matcher.js');
  const sc = compileScenarioSource('t.xml', wrap('<recv request="INFO|UPDATE" regexp_match="true"/><recv request="INFO"/>'), env);
  const req = (method: string) => {
    const p = parseMessage(
      `${method} sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nCall-ID: c\r\nCSeq: 1 ${method}\r\nFrom: <sip:a>;tag=1\r\nTo: <sip:b>\r\nContent-Length: 0\r\n\r\n`,
    );
    assert.ok(p.ok);
    return p.msg;
  };
  const [re, plain] = sc.steps;
  assert.ok(re !== undefined && plain !== undefined);
  assert.ok(matchesStep(re, req('INFO'), undefined));
  assert.ok(matchesStep(re, req('UPDATE'), undefined));
  assert.ok(!matchesStep(re, req('OPTIONS'), undefined));
  assert.ok(!matchesStep(plain, req('UPDATE'), undefined));
  assert.equal(sc.serverMode, true);
  assert.throws(
    () => compileScenarioSource('t.xml', wrap('<recv request="(" regexp_match="true"/>'), env),
    (e: unknown) => e instanceof DiagnosticsError && /is not a regular expression/.test(e.message),
  );
});
