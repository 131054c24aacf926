/**
 * The runtime of the dialect added for issue 16, over loopback: <init>, condexec, check_it on <test> and
 * <strcmp>, advance_state, <pause variable>, regexp_match, <DefaultMessage>, closecon and <send timeout>.
 * What is expected is SIPp's behaviour as its call.cpp has it (cited at each test).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { compileScenarioSource, type CompiledScenario } from '../../src/scenario/compile.js';
import { startEngine } from '../../src/engine/run.js';
import { engineConfig, env, oneCallUac, RawPeer, responseTo, startLocal } from '../helpers.js';
import { answer200, defaultBye, ok200Text } from '../scenario-snippets.js';

const request = (method: string, extra = ''): string => `<send><![CDATA[
      ${method} sip:x@127.0.0.1 SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:me@h>;tag=[call_number]
      To: <sip:x@h>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: [cseq] ${method}
      Contact: <sip:me@[local_ip]:[local_port]>
      ${extra}
      Content-Length: 0
    ]]></send>`;

const scenario = (body: string): CompiledScenario => compileScenarioSource('dialect.xml', `<scenario>${body}</scenario>`, env);
type T = { after: (f: () => void) => void };

/** One call at a raw peer that answers every request but ACK with 200 until `answers` run out; returns what it got. */
async function exchange(
  body: string,
  t: T,
  answers = 1,
  over: Parameters<typeof oneCallUac>[2] = {},
): Promise<{ got: string[]; snap: ReturnType<Awaited<ReturnType<typeof startLocal>>['engine']['snapshot']> }> {
  const { uac, peer } = await oneCallUac(t, scenario(body), over);
  const got: string[] = [];
  for (;;) {
    const m = await peer.next(1500).catch(() => undefined);
    if (m === undefined) break;
    got.push(m);
    if (!m.startsWith('ACK') && answers-- > 0) peer.send(responseTo(m, '200 OK', 'peer'), uac.localPort);
  }
  await uac.engine.done;
  return { got, snap: uac.engine.snapshot() };
}

const header = (m: string | undefined, name: string): string | undefined =>
  m === undefined ? undefined : new RegExp(`^${name}: (.*)\\r$`, 'm').exec(m)?.[1];

test(
  '<init> runs once before the first call: <Global> variables it sets are what calls read; its jumps stay inside it',
  { timeout: 10_000 },
  async (t) => {
    const { got, snap } = await exchange(
      `
    <Global variables="g,count"/>
    <init>
      <nop><action><assignstr assign_to="g" value="from-init"/><assign assign_to="count" value="1"/></action></nop>
      <nop next="done"/>
      <nop><action><assignstr assign_to="g" value="jumped-over"/></action></nop>
      <label id="done"/>
      <nop><action><add assign_to="count" value="1"/><assignstr assign_to="local" value="init-only"/></action></nop>
    </init>
    ${request('OPTIONS', 'X-G: [$g] [$count] [$local]|')}
    <recv response="200"/>`,
      t,
    );
    assert.equal(snap.counters.SuccessfulCalls, 1);
    assert.equal(snap.counters.CallsCreated, 1, 'the init call is not a call');
    assert.equal(header(got[0], 'X-G'), 'from-init 2.000000 |', 'SIPp: a variable that is not <Global> belongs to the init call alone');
  },
);

test(
  'condexec skips a step whose variable is not set (condexec_inverse: set), a send or a receive alike; next= still applies',
  { timeout: 10_000 },
  async (t) => {
    const { got, snap } = await exchange(
      `
    <Global variables="no"/>
    <nop><action><assignstr assign_to="yes" value="1"/></action></nop>
    ${request('OPTIONS', 'X-Step: first')}
    <recv response="200"/>
    <recv response="480" condexec="no"/>
    ${request('MESSAGE', 'X-Step: skipped').replace('<send>', '<send condexec="no">')}
    ${request('MESSAGE', 'X-Step: skipped-inverse').replace('<send>', '<send condexec="yes" condexec_inverse="true">')}
    <nop condexec="unset" next="end"/>
    ${request('INFO', 'X-Step: jumped-over')}
    <recv response="200"/>
    <label id="end"/>
    <nop condexec="yes"><action><assign assign_to="unset" value="0"/></action></nop>`,
      t,
      2,
    );
    assert.equal(snap.counters.SuccessfulCalls, 1, JSON.stringify(snap.failures));
    // SIPp's run() calls next() for a skipped step, and next() reads that step's next=: the INFO is jumped over.
    assert.deepEqual(
      got.map((m) => header(m, 'X-Step')),
      ['first'],
    );
  },
);

test("check_it on <test> and <strcmp> fails the call with SIPp's reasons; passing checks let it go on", { timeout: 20_000 }, async (t) => {
  const after = (actions: string): string => `${request('OPTIONS')}<recv response="200"><action>
    <ereg regexp="OK" search_in="msg" assign_to="ok"/><assign assign_to="n" value="3"/>${actions}</action></recv>`;
  const cases: [string, string | undefined][] = [
    ['<test variable="n" compare="greater_than" value="2" check_it="true"/><strcmp variable="ok" value="OK" check_it="true"/>', undefined],
    ['<test variable="n" compare="less_than" value="2" check_it="true"/>', 'FailedTestDoesntMatch'],
    ['<test variable="n" compare="equal" value="3" check_it_inverse="true"/>', 'FailedTestShouldntMatch'],
    ['<strcmp variable="ok" value="KO" check_it="true"/>', 'FailedStrcmpDoesntMatch'],
    ['<strcmp variable="ok" value="OK" check_it_inverse="true" assign_to="r"/>', 'FailedStrcmpShouldntMatch'],
  ];
  for (const [actions, reason] of cases) {
    const { snap } = await exchange(after(actions), t);
    if (reason === undefined) assert.equal(snap.counters.SuccessfulCalls, 1, JSON.stringify(snap.failures));
    else assert.equal(snap.failures[reason as keyof typeof snap.failures], 1, `${actions}: ${JSON.stringify(snap.failures)}`);
  }
});

test('advance_state="false": the optional message runs its actions but the call stays where it was', { timeout: 10_000 }, async (t) => {
  const sc = scenario(`
    ${request('INVITE')}
    <recv response="180" optional="true" advance_state="false"><action><add assign_to="rings" value="1"/></action></recv>
    <recv response="200"/>
    ${request('ACK', 'X-Rings: [$rings]')}`);
  const { uac, peer } = await oneCallUac(t, sc);
  const invite = await peer.next();
  for (let i = 0; i < 3; i++) peer.send(responseTo(invite, '180 Ringing', 'peer'), uac.localPort);
  // The three 180s taken before the 200 is sent.
  while ((uac.engine.snapshot().steps[1]?.recv ?? 0) < 3) await new Promise((r) => setImmediate(r));
  peer.send(responseTo(invite, '200 OK', 'peer'), uac.localPort);
  const ack = await peer.next();
  await uac.engine.done;
  // Three 180s each counted by the optional step, none taken as the call's last message or step.
  assert.equal(header(ack, 'X-Rings'), '3.000000');
  assert.equal(uac.engine.snapshot().steps[1]?.recv, 3);
  assert.equal(uac.engine.snapshot().counters.SuccessfulCalls, 1);
});

test('<pause variable>: the pause lasts what the variable holds when the call gets there', { timeout: 10_000 }, async (t) => {
  const sc = scenario(`
    ${request('OPTIONS')}
    <recv response="200"><action><assign assign_to="wait" value="300"/></action></recv>
    <pause variable="wait"/>
    ${request('MESSAGE')}`);
  const { uac, peer } = await oneCallUac(t, sc);
  const first = await peer.next();
  peer.send(responseTo(first, '200 OK', 'peer'), uac.localPort);
  const sent = Date.now();
  await peer.next();
  const waited = Date.now() - sent;
  assert.ok(waited >= 280 && waited < 1500, `waited ${waited} ms`);
  await uac.engine.done;
});

test('regexp_match: a UAS whose first <recv> is request=".*" takes any request as a new call', { timeout: 10_000 }, async (t) => {
  const sc = scenario(`
    <recv request="OPT.*|REGISTER" regexp_match="true"/>
    ${answer200([], ';tag=uas')}`);
  const uas = await startLocal(engineConfig(sc, { load: { rate: 0, periodMs: 1000, limit: 0, maxCalls: 2, users: 0 } }));
  const peer = new RawPeer();
  await peer.open();
  t.after(() => {
    uas.engine.stopNow();
    peer.close();
  });
  const req = (method: string, callId: string): string =>
    `${method} sip:u@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${peer.socket.address().port};branch=z9hG4bK-${callId}\r\nFrom: <sip:a@h>;tag=a\r\nTo: <sip:u@h>\r\nCall-ID: ${callId}\r\nCSeq: 1 ${method}\r\nContent-Length: 0\r\n\r\n`;
  peer.send(req('OPTIONS', 'rx-1'), uas.localPort);
  assert.match(await peer.next(), /^SIP\/2\.0 200 OK\r\n[\s\S]*CSeq: 1 OPTIONS/);
  peer.send(req('REGISTER', 'rx-2'), uas.localPort);
  assert.match(await peer.next(), /CSeq: 1 REGISTER/);
  peer.send(req('INFO', 'rx-3'), uas.localPort);
  await assert.rejects(peer.next(300), 'INFO matches neither alternative: no call');
  await uas.engine.done;
  assert.equal(uas.engine.snapshot().counters.SuccessfulCalls, 2);
});

test(
  '<DefaultMessage id="bye">: a call aborted after its 2xx sends the scenario\'s BYE; id="200" answers an unexpected BYE',
  { timeout: 10_000 },
  async (t) => {
    const defaults = `
    ${defaultBye('scenario-bye')}
    <DefaultMessage id="200"><![CDATA[
${ok200Text(['X-Default: scenario-200'])}]]></DefaultMessage>`;
    // The 2xx confirms the dialog, then nothing comes: the receive times out and the "bye" behaviour hangs up.
    const a = await oneCallUac(
      t,
      scenario(`${defaults}
    ${request('INVITE')}
    <recv response="200" rrs="true"/>
    ${request('ACK')}
    <recv request="BYE" timeout="200"/>`),
    );
    const invite = await a.peer.next();
    a.peer.send(responseTo(invite, '200 OK', 'peer', 'Contact: <sip:peer@127.0.0.1:5999>\r\n'), a.uac.localPort);
    assert.match(await a.peer.next(), /^ACK /);
    const bye = await a.peer.next();
    assert.match(bye, /^BYE sip:peer@127\.0\.0\.1:5999 SIP\/2\.0\r\n/);
    assert.equal(header(bye, 'X-Default'), 'scenario-bye');
    assert.equal(header(bye, 'CSeq'), '2 BYE', '[last_cseq_number+1] over the 200 of CSeq 1');
    assert.match(header(bye, 'To') ?? '', /;tag=peer$/);
    await a.uac.engine.done;
    assert.equal(a.uac.engine.snapshot().failures.FailedTimeoutOnRecv, 1);

    // An unexpected BYE (abortunexp) is answered by the scenario's 200.
    const b = await oneCallUac(
      t,
      scenario(`${defaults}
    ${request('OPTIONS')}
    <recv response="404"/>`),
    );
    const opt = await b.peer.next();
    const peerBye = `BYE sip:me@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bK-pb\r\n${/^From: .*\r\n/m.exec(opt)?.[0] ?? ''}To: <sip:x@h>\r\nCall-ID: ${header(opt, 'Call-ID') ?? ''}\r\nCSeq: 9 BYE\r\nContent-Length: 0\r\n\r\n`;
    b.peer.send(peerBye, b.uac.localPort);
    const ok = await b.peer.next();
    assert.equal(header(ok, 'X-Default'), 'scenario-200');
    assert.equal(header(ok, 'CSeq'), '9 BYE');
    await b.uac.engine.done;

    // An INVITE that had only a 180 when its receive timed out is cancelled with <DefaultMessage id="cancel">.
    const c = await oneCallUac(
      t,
      scenario(`
    <DefaultMessage id="cancel"><![CDATA[
      CANCEL sip:x@127.0.0.1 SIP/2.0
      [last_Via:]
      [last_From:]
      Call-ID: [call_id]
      CSeq: [last_cseq_number] CANCEL
      X-Default: scenario-cancel
      Content-Length: 0
    ]]></DefaultMessage>
    ${request('INVITE')}
    <recv response="180"/>
    <recv response="200" timeout="200"/>`),
    );
    const inv = await c.peer.next();
    c.peer.send(responseTo(inv, '180 Ringing', 'peer'), c.uac.localPort);
    const cancel = await c.peer.next();
    assert.match(cancel, /^CANCEL sip:x@127\.0\.0\.1 SIP\/2\.0\r\n/);
    assert.equal(header(cancel, 'X-Default'), 'scenario-cancel');
    assert.equal(header(cancel, 'CSeq'), '1 CANCEL');
    assert.equal(header(cancel, 'Via'), header(inv, 'Via'), "[last_Via:] of the 180, which carries the INVITE's Via");
    await c.uac.engine.done;
  },
);

/** A TCP SIP peer that answers every request with 200 and notes the connections and requests it got. */
async function tcpPeer(t: T): Promise<{ port: number; connections: net.Socket[]; got: string[] }> {
  const connections: net.Socket[] = [];
  const got: string[] = [];
  const server = net.createServer((s) => {
    connections.push(s);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
        const m = buf.slice(0, end + 4);
        buf = buf.slice(end + 4);
        got.push(m);
        s.write(responseTo(m, '200 OK', 'peer'));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    for (const c of connections) c.destroy();
    server.close();
  });
  return { port: (server.address() as net.AddressInfo).port, connections, got };
}

type Snap = ReturnType<Awaited<ReturnType<typeof startEngine>>['engine']['snapshot']>;

/** One call of `body` over TCP to `port`, a connection of its own (-t tn) or the shared one (-t t1); its snapshot and warnings. */
async function tcpCall(body: string, port: number, perCall: boolean, t: T): Promise<{ snap: Snap; warnings: string[] }> {
  const warnings: string[] = [];
  const uac = await startEngine(
    engineConfig(scenario(body), {
      remote: { address: '127.0.0.1', port },
      load: { rate: 1, periodMs: 1000, limit: 0, maxCalls: 1, users: 0 },
    }),
    { transport: 'TCP', bindAddress: '127.0.0.1', ports: [0], perCallSocket: perCall, socketBufferBytes: 1 << 20 },
    { log: (_l, text) => warnings.push(text) },
  );
  t.after(() => uac.engine.stopNow());
  await uac.engine.done;
  return { snap: uac.engine.snapshot(), warnings };
}

test("closecon closes the call's own TCP connection (-t tn); its next request opens a new one", { timeout: 10_000 }, async (t) => {
  const peer = await tcpPeer(t);
  const { snap } = await tcpCall(
    `
    ${request('OPTIONS')}
    <recv response="200"><action><closecon/></action></recv>
    ${request('MESSAGE')}
    <recv response="200"/>`,
    peer.port,
    true,
    t,
  );
  assert.equal(snap.counters.SuccessfulCalls, 1, JSON.stringify(snap.failures));
  assert.deepEqual(
    peer.got.map((m) => m.split(' ')[0]),
    ['OPTIONS', 'MESSAGE'],
  );
  assert.equal(peer.connections.length, 2, 'the MESSAGE came on a new connection');
});

test(
  'setdest over TCP (-t tn) moves the call to a new connection to the new destination; over a shared connection it warns',
  { timeout: 10_000 },
  async (t) => {
    const a = await tcpPeer(t);
    const b = await tcpPeer(t);
    const body = `
    ${request('OPTIONS')}
    <recv response="200"><action><setdest host="127.0.0.1" port="${b.port}" protocol="tcp"/></action></recv>
    ${request('MESSAGE')}
    <recv response="200"/>`;
    const { snap } = await tcpCall(body, a.port, true, t);
    assert.equal(snap.counters.SuccessfulCalls, 1, JSON.stringify(snap.failures));
    assert.deepEqual(
      a.got.map((m) => m.split(' ')[0]),
      ['OPTIONS'],
    );
    assert.deepEqual(
      b.got.map((m) => m.split(' ')[0]),
      ['MESSAGE'],
    );
    // SIPp stops the run on these ("requires multisocket mode", "Can not switch protocols"); sipts warns and the call stays.
    const shared = await tcpCall(body, a.port, false, t);
    assert.match(shared.warnings.join('\n'), /setdest: over TCP it needs a connection of the call's own/);
    assert.equal(b.got.length, 1);
    const switched = await tcpCall(body.replace('protocol="tcp"', 'protocol="udp"'), a.port, true, t);
    assert.match(switched.warnings.join('\n'), /setdest: cannot switch protocols \(TCP to UDP\)/);
  },
);

test(
  '<send timeout>: a send that waits on a congested connection longer than its timeout fails the call (FailedTimeoutOnSend)',
  { timeout: 20_000 },
  async (t) => {
    // A peer that accepts and never reads: the kernel buffers fill, then Node's queue passes its high-water mark.
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      s.pause();
      sockets.push(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    t.after(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });
    const big = `<nop><action><assign assign_to="size" value="4000000"/></action></nop>
    <label id="again"/>
    <send timeout="300" next="again"><![CDATA[
      MESSAGE sip:x@127.0.0.1 SIP/2.0
      Call-ID: [call_id]
      CSeq: [cseq] MESSAGE
      Content-Length: [len]

      [fill variable=size]
    ]]></send>`;
    const uac = await startEngine(
      engineConfig(scenario(big), {
        remote: { address: '127.0.0.1', port },
        load: { rate: 1, periodMs: 1000, limit: 0, maxCalls: 1, users: 0 },
      }),
      { transport: 'TCP', bindAddress: '127.0.0.1', ports: [0], perCallSocket: false, socketBufferBytes: 1 << 16 },
    );
    t.after(() => uac.engine.stopNow());
    const started = Date.now();
    await uac.engine.done;
    const snap = uac.engine.snapshot();
    assert.equal(snap.failures.FailedTimeoutOnSend, 1, JSON.stringify(snap.failures));
    assert.ok(Date.now() - started >= 300);
  },
);
