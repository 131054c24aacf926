/**
 * Messages for a call in a <pause>, in virtual time: the engine runs on an injected clock over a fake
 * transport, so "after the pause's deadline but before the timer's tick" is an exact moment.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../src/engine/engine.js';
import type { Endpoint, Transport } from '../../src/transport/transport.js';
import { compileScenarioSource } from '../../src/scenario/compile.js';
import { engineConfig, env } from '../helpers.js';
import { answer200 } from '../scenario-snippets.js';

const UAC = `<?xml version="1.0"?>
<scenario name="pausing uac">
  <send><![CDATA[
INVITE sip:s@127.0.0.1:5999 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:[local_port];branch=[branch]
From: <sip:a@h>;tag=a
To: <sip:s@h>
Call-ID: [call_id]
CSeq: 1 INVITE
Content-Length: 0
]]></send>
  <recv response="200"/>
  <send><![CDATA[
ACK sip:s@127.0.0.1:5999 SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:[local_port];branch=[branch]
From: <sip:a@h>;tag=a
To: <sip:s@h>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Content-Length: 0
]]></send>
  <pause milliseconds="500"/>
  <recv request="BYE"/>
  ${answer200()}
</scenario>
`;

function setUp(
  pauseMsgIgnore: boolean,
  sendTakesMs = 0,
): {
  engine: Engine;
  sent: string[];
  at: (ms: number) => void;
  deliver: (raw: string) => void;
  callId: () => string;
} {
  let now = 0;
  const sent: string[] = [];
  const ep: Endpoint = {
    localAddress: '127.0.0.1',
    localPort: 5998,
    openCalls: 0,
    send: (raw) => {
      sent.push(raw);
      now += sendTakesMs;
      return true;
    },
  };
  const transport: Transport = {
    name: 'UDP',
    reliable: false,
    localPort: 5998,
    acquire: (ready) => ready(ep),
    release: () => undefined,
    close: () => Promise.resolve(),
  };
  const scenario = compileScenarioSource('uac.xml', UAC, env);
  const base = engineConfig(scenario, {
    remote: { address: '127.0.0.1', port: 5999 },
    load: { rate: 1, periodMs: 1000, limit: 0, maxCalls: 1, users: 0 },
  });
  // No real ticker: the test calls tick() itself, so none can come between two of its steps.
  const engine = new Engine(
    { ...base, settings: { ...base.settings, pauseMsgIgnore } },
    { timers: { setInterval: () => 0, clearInterval: () => undefined } },
    () => now,
  );
  engine.start(transport);
  engine.tick(); // starts the call: INVITE
  const callId = (): string => /Call-ID: (\S+)/.exec(sent[0] ?? '')?.[1] ?? '';
  const deliver = (raw: string): void => engine.onMessage(raw, '127.0.0.1', 5999, ep);
  return {
    engine,
    sent,
    at: (ms) => {
      now = ms;
    },
    deliver,
    callId,
  };
}

const ok200 = (callId: string): string =>
  `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5998;branch=z9hG4bK-x\r\nFrom: <sip:a@h>;tag=a\r\nTo: <sip:s@h>;tag=b\r\nCall-ID: ${callId}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`;
const bye = (callId: string): string =>
  `BYE sip:a@127.0.0.1:5998 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-bye\r\nFrom: <sip:s@h>;tag=b\r\nTo: <sip:a@h>;tag=a\r\nCall-ID: ${callId}\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n`;

test("a BYE that comes after the pause's deadline but before the timer tick finds the pause over", (t) => {
  const { engine, sent, at, deliver, callId } = setUp(false);
  t.after(() => engine.stopNow());
  at(10);
  deliver(ok200(callId())); // ACK sent, pause until 510
  assert.match(sent[1] ?? '', /^ACK /);
  at(515);
  deliver(bye(callId())); // no tick since 10 ms: the timer has not fired yet
  assert.match(sent[2] ?? '', /^SIP\/2\.0 200 OK\r\n[\s\S]*CSeq: 2 BYE/);
  engine.tick();
  const c = engine.snapshot().counters;
  assert.equal(c.SuccessfulCalls, 1);
  assert.equal(c.FailedCalls, 0);
});

test("a SIPp peer's BYE up to a coarse clock tick (10 ms) before the pause's deadline is taken; 15 ms before, unexpected", (t) => {
  // SIPp times its pause on CLOCK_MONOTONIC_COARSE (4 ms a tick here, 10 at HZ=100): its pause, begun by our
  // ACK, can end before ours.
  const near = setUp(false);
  t.after(() => near.engine.stopNow());
  near.at(10);
  near.deliver(ok200(near.callId())); // pause until 510
  near.at(500);
  near.deliver(bye(near.callId()));
  assert.match(near.sent[2] ?? '', /^SIP\/2\.0 200 OK\r\n[\s\S]*CSeq: 2 BYE/);
  near.engine.tick();
  assert.equal(near.engine.snapshot().counters.SuccessfulCalls, 1);

  const early = setUp(false);
  t.after(() => early.engine.stopNow());
  early.at(10);
  early.deliver(ok200(early.callId()));
  early.at(495);
  early.deliver(bye(early.callId()));
  early.engine.tick();
  assert.equal(early.engine.snapshot().counters.FailedCalls, 1);
});

test('a pause is timed from when the call began its run, not from after the send before it (SIPp reads its clock once in run())', (t) => {
  // Each send takes 20 ms of the injected clock: the ACK goes out at 30, but the run began at 10 when the
  // 200 came, so the pause ends at 510. A BYE at 505 is within 10 ms of 510 (taken), not of 530.
  const { engine, sent, at, deliver, callId } = setUp(false, 20);
  t.after(() => engine.stopNow());
  at(10);
  deliver(ok200(callId()));
  assert.match(sent[1] ?? '', /^ACK /);
  at(505);
  deliver(bye(callId()));
  assert.match(sent[2] ?? '', /^SIP\/2\.0 200 OK\r\n[\s\S]*CSeq: 2 BYE/);
  engine.tick();
  assert.equal(engine.snapshot().counters.SuccessfulCalls, 1);
});

test('a BYE well inside the pause is unexpected (as in SIPp); with -pause_msg_ign it is dropped and its retransmission taken', (t) => {
  const plain = setUp(false);
  t.after(() => plain.engine.stopNow());
  plain.at(10);
  plain.deliver(ok200(plain.callId()));
  plain.at(200);
  plain.deliver(bye(plain.callId()));
  plain.engine.tick();
  assert.equal(plain.engine.snapshot().counters.FailedCalls, 1);

  const ign = setUp(true);
  t.after(() => ign.engine.stopNow());
  ign.at(10);
  ign.deliver(ok200(ign.callId()));
  ign.at(200);
  ign.deliver(bye(ign.callId()));
  assert.equal(ign.sent.length, 2, 'nothing answers the BYE during the pause');
  ign.at(520);
  ign.engine.tick(); // the pause ends
  ign.at(700);
  ign.deliver(bye(ign.callId())); // the peer's retransmission
  assert.match(ign.sent[2] ?? '', /^SIP\/2\.0 200 OK\r\n[\s\S]*CSeq: 2 BYE/);
  ign.engine.tick();
  const c = ign.engine.snapshot().counters;
  assert.equal(c.SuccessfulCalls, 1);
  assert.equal(c.FailedCalls, 0);
});
