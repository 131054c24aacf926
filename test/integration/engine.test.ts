import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALL_BEHAVIORS } from '../../src/engine/host.js';
import { compileScenarioSource } from '../../src/scenario/compile.js';
import { builtin, engineConfig, env, oneCallUac, RawPeer, responseTo, startLocal } from '../helpers.js';

test('sipts uac against sipts uas over UDP loopback: every call succeeds', { timeout: 30_000 }, async (t) => {
  const uas = await startLocal(engineConfig(builtin('uas')));
  t.after(() => uas.engine.stopNow());
  const uac = await startLocal(
    engineConfig(builtin('uac'), {
      remote: { address: '127.0.0.1', port: uas.localPort },
      load: { rate: 200, periodMs: 1000, limit: 0, maxCalls: 300, users: 0 },
    }),
  );
  assert.equal(await uac.engine.done, 'calls-done');
  const s = uac.engine.snapshot();
  assert.equal(s.counters.CallsCreated, 300);
  assert.equal(s.counters.SuccessfulCalls, 300);
  assert.equal(s.counters.FailedCalls, 0);
  assert.equal(s.steps[0]?.sent, 300, 'INVITE sent once per call');
  assert.equal(s.steps[2]?.recv, 300, '180 received');
  assert.equal(s.rtd[0]?.summary.count, 300, 'response time 1 measured per call');
  const u = uas.engine.snapshot().counters;
  assert.equal(u.CallsCreated, 300);
  assert.equal(u.OutOfCallMsgs, 0);
});

test('the peer stops mid-run: open calls fail with their reason', { timeout: 60_000 }, async (t) => {
  const uas = await startLocal(engineConfig(builtin('uas')));
  const uac = await startLocal(
    engineConfig(builtin('uac'), {
      remote: { address: '127.0.0.1', port: uas.localPort },
      load: { rate: 100, periodMs: 1000, limit: 0, maxCalls: 200, users: 0 },
      settings: {
        retransmissions: true,
        provisionalTimeoutMs: 181_000,
        defaultPauseMs: 300,
        recvTimeoutMs: 0,
        maxInviteRetrans: 2,
        maxNonInviteRetrans: 2,
        t2Ms: 4000,
        behaviors: ALL_BEHAVIORS,
        autoAnswer: false,
      },
    }),
  );
  t.after(() => uac.engine.stopNow());
  // Once some calls have succeeded (and calls are still being made: 200 at 100 a second take 2 s).
  while (uac.engine.snapshot().counters.SuccessfulCalls < 1) await new Promise((r) => setTimeout(r, 10));
  uas.engine.stopNow();
  assert.equal(await uac.engine.done, 'calls-done');
  const s = uac.engine.snapshot();
  assert.equal(s.counters.CallsCreated, 200);
  assert.ok(s.counters.SuccessfulCalls > 0 && s.counters.FailedCalls > 0, JSON.stringify(s.counters));
  assert.equal(s.counters.SuccessfulCalls + s.counters.FailedCalls, 200);
  assert.equal(s.failures.FailedMaxUDPRetrans, s.counters.FailedCalls);
});

test('recv timeout: ontimeout jumps, otherwise the call fails with FailedTimeoutOnRecv', { timeout: 10_000 }, async (t) => {
  const peer = new RawPeer();
  const port = await peer.open();
  const mk = (ontimeout: string): ReturnType<typeof startLocal> =>
    startLocal(
      engineConfig(
        compileScenarioSource(
          't.xml',
          `<scenario>
    <send><![CDATA[
      OPTIONS sip:x@127.0.0.1 SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
      Call-ID: [call_id]
      CSeq: [cseq] OPTIONS
      Content-Length: 0
    ]]></send>
    <recv response="200" timeout="100" ${ontimeout}/>
    <label id="out"/>
  </scenario>`,
          env,
        ),
        { remote: { address: '127.0.0.1', port }, load: { rate: 10, periodMs: 1000, limit: 0, maxCalls: 2, users: 0 } },
      ),
    );
  const a = await mk('');
  const b = await mk('ontimeout="out"');
  t.after(() => {
    a.engine.stopNow();
    b.engine.stopNow();
    peer.close();
  });
  await Promise.all([a.engine.done, b.engine.done]);
  assert.equal(a.engine.snapshot().failures.FailedTimeoutOnRecv, 2);
  assert.equal(b.engine.snapshot().counters.SuccessfulCalls, 2);
  assert.equal(b.engine.snapshot().steps[1]?.timeouts, 2);
});

test('lost="30" on the INVITE: drops are counted and recovered by retransmission', { timeout: 30_000 }, async (t) => {
  const b = builtin('uac');
  const lossy = { ...b, steps: b.steps.map((s, i) => (i === 0 ? { ...s, lostPercent: 30 } : s)) };
  const uas = await startLocal(engineConfig(builtin('uas')));
  const uac = await startLocal(
    engineConfig(lossy, {
      remote: { address: '127.0.0.1', port: uas.localPort },
      load: { rate: 200, periodMs: 1000, limit: 0, maxCalls: 100, users: 0 },
    }),
  );
  t.after(() => {
    uas.engine.stopNow();
    uac.engine.stopNow();
  });
  assert.equal(await uac.engine.done, 'calls-done');
  const s = uac.engine.snapshot();
  assert.equal(s.counters.SuccessfulCalls, 100);
  assert.ok((s.steps[0]?.lost ?? 0) > 0, 'some first sends were dropped on purpose');
  assert.ok((s.steps[0]?.retrans ?? 0) > 0, 'and recovered by retransmission');
  assert.equal(s.steps[0]?.sent, 100 - (s.steps[0]?.lost ?? 0));
});

test('rrs="true": the route set (reversed at the UAC) and the Contact feed [routes] and [next_url]', { timeout: 10_000 }, async (t) => {
  const scenario = compileScenarioSource(
    'rrs.xml',
    `<scenario>
    <send><![CDATA[
      INVITE sip:x@127.0.0.1 SIP/2.0
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
      From: <sip:a@h>;tag=mine
      To: <sip:x@h>
      Call-ID: [call_id]
      CSeq: [cseq] INVITE
      Content-Length: 0
    ]]></send>
    <recv response="200" rrs="true"/>
    <send><![CDATA[
      ACK [next_url] SIP/2.0
      [routes]
      Via: SIP/2.0/UDP [local_ip]:[local_port];branch=[branch]
      To: <sip:x@h>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: [cseq] ACK
      Content-Length: 0
    ]]></send>
  </scenario>`,
    env,
  );
  const { uac, peer } = await oneCallUac(t, scenario);
  const invite = await peer.next();
  const callId = /Call-ID: (.*)\r\n/.exec(invite)?.[1] ?? '';
  peer.send(
    `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:${uac.localPort};branch=x\r\nRecord-Route: <sip:p1;lr>, <sip:p2;lr>\r\nRecord-Route: <sip:p3;lr>\r\nContact: "B" <sip:b@10.9.9.9:5099;transport=udp>\r\nTo: <sip:x@h>;tag=theirs\r\nCall-ID: ${callId}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n`,
    uac.localPort,
  );
  const ack = await peer.next();
  assert.match(ack, /^ACK sip:b@10\.9\.9\.9:5099;transport=udp SIP\/2\.0\r\nRoute: <sip:p3;lr>, <sip:p2;lr>, <sip:p1;lr>\r\n/);
  assert.match(ack, /\r\nTo: <sip:x@h>;tag=theirs\r\n/);
  assert.match(ack, /\r\nCSeq: 1 ACK\r\n/);
  assert.equal(await uac.engine.done, 'calls-done');
  assert.equal(uac.engine.snapshot().counters.SuccessfulCalls, 1);
});

test('regexp built-in: the ACK carries what the regular expressions found in the 200 OK', { timeout: 10_000 }, async (t) => {
  const { uac, peer } = await oneCallUac(t, builtin('regexp'));
  const invite = await peer.next();
  const sdp = 'v=0\r\no=bob 2890844526 2890842807 IN IP4 10.0.0.2\r\ns=-\r\n';
  peer.send(responseTo(invite, '200 OK', 'b', 'Contact: <sip:bob@10.0.0.2:5070>\r\n', sdp), uac.localPort);
  const ack = await peer.next();
  assert.match(ack, /\r\nX-Remote-Target: sip:bob@10\.0\.0\.2:5070\r\n/);
  assert.match(ack, /\r\nX-Sdp-Owner: bob session 2890844526 version 2890842807\r\n/);
  assert.match(ack, /\r\nX-Top-Via: 127\.0\.0\.1:\d+\r\n/);
});

test(
  'the engine wakes every -timer_resol ms, and as often as the rate needs to start calls evenly (never under 1 ms)',
  { timeout: 30_000 },
  async (t) => {
    const uas = await startLocal(engineConfig(builtin('uas'), { timerResolutionMs: 10 }));
    t.after(() => uas.engine.stopNow());
    assert.equal(uas.engine.tickIntervalMs, 10, 'a UAS starts no calls: its timers alone');
    const load = { rate: 50, periodMs: 1000, limit: 0, maxCalls: 0, users: 0 };
    const uac = await startLocal(
      engineConfig(builtin('uac'), { remote: { address: '127.0.0.1', port: uas.localPort }, timerResolutionMs: 10, load }),
    );
    t.after(() => uac.engine.stopNow());
    const e = uac.engine;
    assert.equal(e.tickIntervalMs, 10, '50 calls/s: a call every 20 ms, the timers decide');
    e.setRate(200);
    assert.equal(e.tickIntervalMs, 5, '200 calls/s: a call every 5 ms');
    e.setRate(5000);
    assert.equal(e.tickIntervalMs, 1, 'above 1,000 calls/s: every millisecond, several calls each');
    e.pause();
    assert.equal(e.tickIntervalMs, 10, 'paused: no calls to start');
    e.resume();
    assert.equal(e.tickIntervalMs, 1);
    e.stopGracefully();
    assert.equal(e.tickIntervalMs, 10, 'stopping: no calls to start');
    const users = await startLocal(
      engineConfig(builtin('uac'), {
        remote: { address: '127.0.0.1', port: uas.localPort },
        timerResolutionMs: 10,
        load: { ...load, users: 5 },
      }),
    );
    t.after(() => users.engine.stopNow());
    assert.equal(users.engine.tickIntervalMs, 1, '-users: a call starts as soon as one ends');
    const done = await startLocal(
      engineConfig(builtin('uac'), {
        remote: { address: '127.0.0.1', port: uas.localPort },
        timerResolutionMs: 10,
        load: { ...load, rate: 1000, maxCalls: 20 },
      }),
    );
    assert.equal(done.engine.tickIntervalMs, 1);
    assert.equal(await done.engine.done, 'calls-done');
    assert.equal(done.engine.snapshot().counters.SuccessfulCalls, 20);
  },
);

test(
  "a call hung up in its pause (stop) sends its BYE to the 2xx's Contact by its Record-Route, from the ACK (RFC 3261 §12.1.2, §15)",
  { timeout: 10_000 },
  async (t) => {
    const { uac, peer } = await oneCallUac(t, builtin('uac'), {
      settings: { ...engineConfig(builtin('uac')).settings, defaultPauseMs: 60_000 },
    });
    const invite = await peer.next();
    peer.send(
      responseTo(invite, '200 OK', 'theirs', 'Record-Route: <sip:p1;lr>, <sip:p2;lr>\r\nContact: <sip:b@10.9.9.9:5099>\r\n'),
      uac.localPort,
    );
    assert.match(await peer.next(), /^ACK /);
    uac.engine.stopNow();
    const bye = await peer.next();
    assert.match(bye, /^BYE sip:b@10\.9\.9\.9:5099 SIP\/2\.0\r\n/);
    assert.match(bye, /\r\nRoute: <sip:p2;lr>, <sip:p1;lr>\r\n/);
    assert.match(bye, /\r\nTo: [^\r]*;tag=theirs\r\n/);
    assert.match(bye, /\r\nCSeq: 2 BYE\r\n/);
    assert.equal(await uac.engine.done, 'aborted');
  },
);
