import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_BEHAVIORS, type Behaviors, type CallSettings } from '../../src/engine/host.js';
import { compileScenarioSource } from '../../src/scenario/compile.js';
import { builtin, env, headerLine, oneCallUac, responseTo } from '../helpers.js';
import { PLAIN_INVITE as INVITE } from '../scenario-snippets.js';

const settings = (over: Partial<CallSettings> = {}): CallSettings => ({
  retransmissions: true,
  provisionalTimeoutMs: 181_000,
  defaultPauseMs: 400,
  recvTimeoutMs: 0,
  maxInviteRetrans: 5,
  maxNonInviteRetrans: 7,
  t2Ms: 4000,
  behaviors: ALL_BEHAVIORS,
  autoAnswer: false,
  ...over,
});

/** A raw peer playing the UAS by hand against one call of the built-in uac (or `scenarioXml`). */
async function withPeer(t: { after: (f: () => void) => void }, s: CallSettings, scenarioXml?: string) {
  const scenario = scenarioXml === undefined ? builtin('uac') : compileScenarioSource('s.xml', scenarioXml, env);
  const { uac, peer, port } = await oneCallUac(t, scenario, { settings: s });
  const invite = await peer.next();
  const h = (name: string): string => headerLine(invite, name);
  const reply = (status: string): void =>
    peer.send(responseTo(invite, status, 'uas', `Contact: <sip:uas@127.0.0.1:${port}>\r\n`), uac.localPort);
  const request = (method: string): void =>
    peer.send(
      `${method} sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${method}\r\nFrom: ${h('To').slice(4)};tag=uas\r\nTo: ${h('From').slice(6)}\r\n${h('Call-ID')}\r\nCSeq: 7 ${method}\r\nContent-Length: 0\r\n\r\n`,
      uac.localPort,
    );
  return { peer, uac, reply, request, invite };
}

test('bye behaviour: a call timing out after 180 is CANCELled (RFC 3261 §9.1)', { timeout: 10_000 }, async (t) => {
  const { peer, uac, reply } = await withPeer(t, settings({ recvTimeoutMs: 300 }));
  reply('180 Ringing');
  const cancel = await peer.next();
  assert.match(cancel, /^CANCEL sip:service@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
  assert.match(cancel, /\r\nCSeq: 1 CANCEL\r\n/);
  await uac.engine.done;
  assert.equal(uac.engine.snapshot().failures.FailedTimeoutOnRecv, 1);
});

test(
  'an unexpected 486 to the INVITE is ACKed in its transaction (RFC 3261 §17.1.1.3), then the call fails',
  { timeout: 10_000 },
  async (t) => {
    const { peer, uac, reply, invite } = await withPeer(t, settings());
    reply('180 Ringing');
    reply('486 Busy Here');
    const ack = await peer.next();
    // The INVITE's Request-URI, top Via (same branch), From, Call-ID and CSeq number; To as the 486 has it.
    assert.match(ack, /^ACK sip:service@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
    assert.equal(headerLine(ack, 'Via'), headerLine(invite, 'Via'));
    assert.equal(headerLine(ack, 'From'), headerLine(invite, 'From'));
    assert.equal(headerLine(ack, 'Call-ID'), headerLine(invite, 'Call-ID'));
    assert.match(ack, /\r\nTo: [^\r]*;tag=uas\r\n/);
    assert.match(ack, /\r\nCSeq: 1 ACK\r\n/);
    await uac.engine.done;
    const s = uac.engine.snapshot();
    assert.equal(s.failures.FailedUnexpectedMessage, 1);
    assert.deepEqual(s.unexpected, { '486 (INVITE)': 1 });
  },
);

test('an unexpected request in a confirmed dialog: the call is aborted with a BYE', { timeout: 10_000 }, async (t) => {
  const { peer, uac, reply, request } = await withPeer(t, settings());
  reply('200 OK');
  assert.match(await peer.next(), /^ACK /);
  request('INFO');
  const bye = await peer.next();
  assert.match(bye, /^BYE sip:uas@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/, 'to the remote target');
  assert.match(bye, /\r\nTo: .*;tag=uas\r\n/);
  assert.match(bye, /\r\nCSeq: 2 BYE\r\n/);
  await uac.engine.done;
  const s = uac.engine.snapshot();
  assert.equal(s.failures.FailedUnexpectedMessage, 1);
  assert.deepEqual(s.unexpected, { INFO: 1 });
});

test('-aa answers an unexpected INFO with 200 and the call goes on; "none" ignores it', { timeout: 10_000 }, async (t) => {
  for (const s of [
    settings({ autoAnswer: true }),
    settings({ behaviors: { bye: false, abortunexp: false, pingreply: false } satisfies Behaviors }),
  ]) {
    const { peer, reply, request } = await withPeer(t, s);
    reply('200 OK');
    assert.match(await peer.next(), /^ACK /);
    request('INFO');
    const next = await peer.next();
    if (s.autoAnswer) {
      assert.match(next, /^SIP\/2\.0 200 OK\r\n/);
      assert.match(await peer.next(), /^BYE /);
    } else assert.match(next, /^BYE /, 'the scenario went on to its own BYE');
    reply('200 OK'); // to the BYE (CSeq taken from the INVITE is fine: the call matches on method)
  }
});

test('<label id="_unexp.main"/>: unexpected messages lead there', { timeout: 10_000 }, async (t) => {
  const { uac, reply } = await withPeer(
    t,
    settings(),
    `<scenario>
    ${INVITE}
    <recv response="200"/>
    <label id="_unexp.main"/>
    <nop><action><exec int_cmd="stop_call"/></action></nop>
  </scenario>`,
  );
  reply('486 Busy Here');
  await uac.engine.done;
  const s = uac.engine.snapshot();
  assert.equal(s.counters.SuccessfulCalls, 1, 'the scenario ended the call itself');
  assert.deepEqual(s.unexpected, { '486 (INVITE)': 1 });
});
