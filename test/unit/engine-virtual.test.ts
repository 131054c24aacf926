/**
 * The engine in virtual time (test/engine-harness.ts): engines configured from SIPp's options over the memory
 * network, their tickers and clock driven by the test. Every expected value is worked out by hand from
 * RFC 3261's timers or SIPp's documented behaviour; the arithmetic is in the comments.
 *
 * Common ground: -timer_resol is 10 ms (SIPp's default), so an engine started at 0 ticks at 10, 20, …;
 * a client's first call starts at its first tick, 10 ms, and a timer fires at the first tick at or after
 * its deadline. Messages arrive at once unless a test gives the network a latency.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropFirst, type MemoryPacket } from '../../src/transport/memory.js';
import { counter, counters, Harness, packetsOf } from '../engine-harness.js';
import { headerLine } from '../helpers.js';
import { PLAIN_INVITE } from '../scenario-snippets.js';

const UAS = 5060;
const UAC = 5070;

/** A one-transaction client scenario: `method` sent with retrans=500 (or none), then a 200 awaited. */
function requestScenario(method: string, sendAttrs: string, recvAttrs = '', after = ''): string {
  return `<?xml version="1.0"?>
<scenario name="${method} client">
  <send ${sendAttrs}><![CDATA[
    ${method} sip:x@[remote_ip]:[remote_port] SIP/2.0
    Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
    From: <sip:a@[local_ip]>;tag=[call_number]
    To: <sip:x@[remote_ip]>
    Call-ID: [call_id]
    CSeq: 1 ${method}
    Content-Length: 0
  ]]></send>
  <recv response="200" ${recvAttrs}/>
  ${after}
</scenario>`;
}

/** A response to `request` as a UAS makes it (RFC 3261 §8.2.6.2), the To tag added when missing. */
function answer(request: string, status: string): string {
  const to = headerLine(request, 'To');
  return (
    `SIP/2.0 ${status}\r\n${headerLine(request, 'Via')}\r\n${headerLine(request, 'From')}\r\n${to.includes(';tag=') ? to : `${to};tag=r1`}\r\n` +
    `${headerLine(request, 'Call-ID')}\r\n${headerLine(request, 'CSeq')}\r\nContent-Length: 0\r\n\r\n`
  );
}

const isOkTo =
  (method: string) =>
  (p: MemoryPacket): boolean =>
    p.raw.startsWith('SIP/2.0 200') && new RegExp(`^CSeq: \\d+ ${method}\\r?$`, 'm').test(p.raw);

// --- UDP retransmissions (RFC 3261 §17.1.1.2, §17.1.2.2; SIPp's -T2, -max_retrans) ---

test('INVITE over UDP, unanswered: retransmitted after 500, 1000, 2000, 4000, 8000 ms (T1 doubling), then FailedMaxUDPRetrans', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.uac(UAC, UAS, { m: '1' });
  // RFC 3261 §17.1.1.2: timer A starts at T1 = 500 ms and doubles. SIPp allows 5 INVITE retransmissions
  // (-max_retrans's default) and fails the call when a 6th would be due: 10 + 500·(2^6 − 1) = 31510 ms.
  const failedAt = h.until(() => counter(uac, 'FailedCalls') === 1, 60_000);
  assert.deepEqual(peer.timesOf('INVITE'), [10, 510, 1510, 3510, 7510, 15510]);
  assert.equal(failedAt, 31_510);
  assert.equal(uac.snapshot().failures.FailedMaxUDPRetrans, 1);
  assert.equal(counters(uac).Retransmissions, 5);
});

test('a non-INVITE request doubles its interval only up to T2 = 4 s (timer E), 9 retransmissions, then fails', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.engine({ m: '1' }, { port: UAC, remote: UAS, scenario: requestScenario('OPTIONS', 'retrans="500"') });
  // §17.1.2.2: intervals 500, 1000, 2000, then 4000 (min(2·E, T2)); SIPp 3.6.1 makes 9 retransmissions of a
  // non-INVITE request (its -h says 7; see test/interop/chance-and-t2.test.ts) and fails the call when the 10th
  // would be due, 4000 ms later: 10 + 31500, the 64·T1 of timer F.
  const failedAt = h.until(() => counter(uac, 'FailedCalls') === 1, 60_000);
  assert.deepEqual(peer.timesOf('OPTIONS'), [10, 510, 1510, 3510, 7510, 11510, 15510, 19510, 23510, 27510]);
  assert.equal(failedAt, 31_510);
  assert.equal(uac.snapshot().failures.FailedMaxUDPRetrans, 1);
});

test('-T2 2000 caps a non-INVITE retransmission interval at 2 s', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.engine({ m: '1', T2: '2000' }, { port: UAC, remote: UAS, scenario: requestScenario('OPTIONS', 'retrans="500"') });
  // Intervals 500, 1000, then 2000 seven more times; the failure 2000 ms after the 9th retransmission.
  const failedAt = h.until(() => counter(uac, 'FailedCalls') === 1, 60_000);
  assert.deepEqual(peer.timesOf('OPTIONS'), [10, 510, 1510, 3510, 5510, 7510, 9510, 11510, 13510, 15510]);
  assert.equal(failedAt, 17_510);
});

test('-max_retrans 2: the INVITE is sent 3 times and the call fails when the next one is due (3510 ms)', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.uac(UAC, UAS, { m: '1', max_retrans: '2' });
  // 10, 10 + 500, 510 + 1000; the third retransmission would be due at 1510 + 2000 = 3510.
  const failedAt = h.until(() => counter(uac, 'FailedCalls') === 1, 60_000);
  assert.deepEqual(peer.timesOf('INVITE'), [10, 510, 1510]);
  assert.equal(failedAt, 3510);
  assert.equal(uac.snapshot().failures.FailedMaxUDPRetrans, 1);
});

test('over a reliable transport nothing is retransmitted (RFC 3261 §17.1.1.2: timer A only for unreliable ones)', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.uac(UAC, UAS, { m: '1' }, { reliable: true });
  h.advance(60_000); // past where UDP would have given up (31.5 s)
  assert.deepEqual(peer.timesOf('INVITE'), [10]);
  assert.equal(counters(uac).Retransmissions, 0);
  assert.equal(counters(uac).FailedCalls, 0);
  assert.equal(uac.openCalls, 1);
});

// --- Lost messages: the other side's retransmission recovers the call ---

test('a lost INVITE: the UAC sends it again after T1 and the call completes 500 ms late', (t) => {
  const h = new Harness({ loss: dropFirst(1, (p) => p.raw.startsWith('INVITE')) });
  t.after(() => h.stopAll());
  const uas = h.uas(UAS);
  const uac = h.uac(UAC, UAS, { m: '1' });
  h.until(() => !h.running(uac), 60_000);
  assert.equal(h.net.lost.length, 1);
  assert.equal(counters(uac).SuccessfulCalls, 1);
  assert.equal(counters(uac).Retransmissions, 1);
  assert.equal(counters(uas).Retransmissions, 0);
  // Response time (INVITE sent → 200 received): the retransmission left at 510, answered at once.
  const rtd = uac.snapshot().rtdMoments[0];
  assert.equal(rtd?.count, 1);
  assert.equal(rtd.sumMs, 500);
});

test('two lost 200 OKs to the INVITE: the UAS resends its 200 after 500 and 1000 ms, Retransmissions = 2, the call completes', (t) => {
  const h = new Harness({ loss: dropFirst(2, isOkTo('INVITE')) });
  t.after(() => h.stopAll());
  const uas = h.uas(UAS);
  const uac = h.uac(UAC, UAS, { m: '1' });
  h.until(() => !h.running(uac), 60_000);
  // The 180 stopped the UAC's INVITE retransmissions (§17.1.1.2, Proceeding); the UAS's 2xx doubles from T1
  // (§13.3.1.4): sent at 10, again at 510 and 1510, which arrives. The call (-d 0) ends at 1510.
  assert.deepEqual(
    packetsOf(h.net, 'SIP/2.0 200')
      .filter(isOkTo('INVITE'))
      .map((p) => p.sentMs),
    [10, 510, 1510],
  );
  assert.equal(h.net.lost.length, 2);
  assert.equal(counters(uas).Retransmissions, 2);
  assert.equal(counters(uac).Retransmissions, 0);
  assert.equal(counters(uac).SuccessfulCalls, 1);
  assert.equal(uac.snapshot().callLengthMoments.sumMs, 1500);
});

test('lost 200s to the BYE: the UAC resends its BYE (timer E, capped by T2); the last copy, after the UAS call ended, is answered from its tombstone', (t) => {
  const h = new Harness({ loss: dropFirst(4, isOkTo('BYE')) });
  t.after(() => h.stopAll());
  const uas = h.uas(UAS);
  const uac = h.uac(UAC, UAS, { m: '1' });
  h.until(() => !h.running(uac), 60_000);
  // BYE at 10, again at 510, 1510, 3510, 7510 (500, 1000, 2000, 4000). The UAS call ends 4000 ms after the BYE
  // (its timewait) at 4010, so the copies at 510…3510 are answered by the call and the last by its tombstone
  // (RFC 3261 §17.2.2: a non-INVITE server transaction resends its final response while Completed).
  assert.deepEqual(
    packetsOf(h.net, 'BYE').map((p) => p.sentMs),
    [10, 510, 1510, 3510, 7510],
  );
  assert.equal(counters(uac).SuccessfulCalls, 1);
  assert.equal(counters(uac).Retransmissions, 4);
  assert.equal(counters(uas).Retransmissions, 4);
  assert.equal(counters(uas).DeadCallMsgs, 1);
  assert.equal(counters(uas).OutOfCallMsgs, 0);
  assert.equal(counters(uas).SuccessfulCalls, 1);
});

// --- Receive timeouts ---

test('<recv timeout="2000">: the call fails with FailedTimeoutOnRecv exactly 2000 ms after it began waiting', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.recorder(UAS);
  const uac = h.engine({ m: '1' }, { port: UAC, remote: UAS, scenario: requestScenario('OPTIONS', '', 'timeout="2000"') });
  const failedAt = h.until(() => counter(uac, 'FailedCalls') === 1, 60_000);
  assert.equal(failedAt, 2010);
  assert.equal(uac.snapshot().failures.FailedTimeoutOnRecv, 1);
  assert.equal(uac.snapshot().steps[1]?.timeouts, 1);
});

test('-recv_timeout 3000 is the timeout of every <recv> without one: the built-in uac fails at 3010 ms, after 2 INVITE retransmissions', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.uac(UAC, UAS, { m: '1', recv_timeout: '3000' });
  const failedAt = h.until(() => counter(uac, 'FailedCalls') === 1, 60_000);
  // Retransmissions at 510 and 1510; the next (3510) comes after the receive timeout at 10 + 3000.
  assert.equal(failedAt, 3010);
  assert.deepEqual(peer.timesOf('INVITE'), [10, 510, 1510]);
  assert.equal(uac.snapshot().failures.FailedTimeoutOnRecv, 1);
  assert.equal(uac.snapshot().failures.FailedMaxUDPRetrans, 0);
});

test('ontimeout= jumps to its label when the receive times out: the call goes on there and succeeds', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const after = `<send><![CDATA[
    MESSAGE sip:x@[remote_ip]:[remote_port] SIP/2.0
    Call-ID: [call_id]
    CSeq: 2 MESSAGE
    Content-Length: 0
  ]]></send>
  <label id="late"/>
  <send><![CDATA[
    INFO sip:x@[remote_ip]:[remote_port] SIP/2.0
    Call-ID: [call_id]
    CSeq: 3 INFO
    Content-Length: 0
  ]]></send>`;
  const uac = h.engine(
    { m: '1' },
    { port: UAC, remote: UAS, scenario: requestScenario('OPTIONS', '', 'timeout="1000" ontimeout="late"', after) },
  );
  h.until(() => !h.running(uac), 60_000);
  assert.deepEqual(peer.timesOf('OPTIONS'), [10]);
  assert.deepEqual(peer.timesOf('MESSAGE'), [], 'the MESSAGE is skipped by the jump');
  assert.deepEqual(peer.timesOf('INFO'), [1010]);
  assert.equal(counters(uac).SuccessfulCalls, 1);
  assert.equal(counters(uac).FailedCalls, 0);
  assert.equal(uac.snapshot().steps[1]?.timeouts, 1);
});

// --- Pauses ---

test('-d 3000 is the length of a <pause> without milliseconds: call length = 3000 + two round trips of 10 ms', (t) => {
  const h = new Harness({ latencyMs: 5 });
  t.after(() => h.stopAll());
  h.uas(UAS);
  const uac = h.uac(UAC, UAS, { m: '1', d: '3000' });
  h.until(() => !h.running(uac), 60_000);
  // INVITE sent at 10, arrives 15; 200 back at 20, ACK sent and the pause starts: 20 + 3000 = 3020, a tick;
  // BYE arrives 3025, its 200 at 3030. Length 3030 − 10 = 3020; response time of the 200: 10 ms.
  const s = uac.snapshot();
  assert.equal(s.counters.SuccessfulCalls, 1);
  assert.equal(s.callLengthMoments.sumMs, 3020);
  assert.equal(s.rtdMoments[0]?.sumMs, 10);
  assert.deepEqual(
    packetsOf(h.net, 'BYE').map((p) => p.sentMs),
    [3020],
  );
});

test('<pause milliseconds="1234">: ends at the first tick after its deadline (-timer_resol 10), exactly with -timer_resol 1', (t) => {
  const scenario = requestScenario('OPTIONS', '', '', '<pause milliseconds="1234"/>');
  const lengths: number[] = [];
  for (const resolution of ['10', '1']) {
    const h = new Harness();
    t.after(() => h.stopAll());
    h.recorder(UAS, (raw, send) => {
      if (raw.startsWith('OPTIONS')) send(answer(raw, '200 OK'));
    });
    // -d is ignored where the pause says its length.
    const uac = h.engine({ m: '1', d: '5000', timer_resol: resolution }, { port: UAC, remote: UAS, scenario });
    h.until(() => !h.running(uac), 60_000);
    assert.equal(counters(uac).SuccessfulCalls, 1);
    lengths.push(uac.snapshot().callLengthMoments.sumMs);
  }
  // 10 ms ticks: the call starts at 10, the pause's deadline 1244 is seen at the tick of 1250: 1240.
  assert.deepEqual(lengths, [1240, 1234]);
});

// --- Load: -r, -rp, -l, -m ---

test('-r 10: 100 calls in the first 10 s, one every 100 ms from the first tick', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.uas(UAS);
  const uac = h.uac(UAC, UAS, { r: '10' });
  h.advance(9999);
  const expected = Array.from({ length: 100 }, (_, k) => (k === 0 ? 10 : k * 100));
  assert.deepEqual(
    packetsOf(h.net, 'INVITE').map((p) => p.sentMs),
    expected,
  );
  assert.equal(counters(uac).CallsCreated, 100);
  assert.equal(counters(uac).SuccessfulCalls, 100);
  h.advance(1); // 10 000 ms: the 101st is due
  assert.equal(counters(uac).CallsCreated, 101);
});

test('-r 5 -rp 2000: 2.5 calls a second, one every 400 ms: 25 calls in the first 10 s', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.uas(UAS);
  const uac = h.uac(UAC, UAS, { r: '5', rp: '2000' });
  h.advance(9999);
  assert.deepEqual(
    packetsOf(h.net, 'INVITE').map((p) => p.sentMs),
    Array.from({ length: 25 }, (_, k) => (k === 0 ? 10 : k * 400)),
  );
  assert.equal(counters(uac).CallsCreated, 25);
});

test('-l 5: open calls never exceed 5 (-r 100 of 1-second calls would otherwise hold 100 open)', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.uas(UAS);
  const uac = h.uac(UAC, UAS, { r: '100', l: '5', d: '1000' });
  let most = 0;
  const watch = (): void => {
    most = Math.max(most, uac.openCalls);
  };
  h.advance(1000, watch);
  // Until the first calls end (10 + 1000 ms) only the first 5 may start; 101 starts were due by 1000 ms (one
  // at once, then one every 10 ms): 96 refused by the limit (counted, not queued).
  assert.equal(counters(uac).CallsCreated, 5);
  assert.equal(counters(uac).CallsRefusedByLimit, 96);
  h.advance(2000, watch);
  assert.equal(most, 5);
  assert.equal(counters(uac).FailedCalls, 0);
});

test('-m 7: exactly 7 calls, and the run ends (calls-done) at the first tick after the last call ended', async (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.uas(UAS);
  const uac = h.uac(UAC, UAS, { r: '10', m: '7' });
  // Calls at 10, 100, … 600; each is over at once (-d 0, no latency); the end is seen on the tick of 610.
  const endedAt = h.until(() => !h.running(uac), 60_000);
  assert.equal(endedAt, 610);
  assert.equal(await uac.done, 'calls-done');
  assert.equal(counters(uac).CallsCreated, 7);
  assert.equal(counters(uac).SuccessfulCalls, 7);
  assert.equal(packetsOf(h.net, 'INVITE').length, 7);
});

// --- Tombstones (dead calls) ---

test('a 200 OK retransmitted after the call ended is a dead-call message for -deadcall_wait (33 s), then out-of-call', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  let ok = '';
  const peer = h.recorder(UAS, (raw, send) => {
    if (raw.startsWith('INVITE')) {
      ok = answer(raw, '200 OK');
      send(ok);
    } else if (raw.startsWith('BYE')) send(answer(raw, '200 OK'));
  });
  // One call (the next is due 100 s later): INVITE, 200, ACK, BYE, 200 all at 10 ms.
  const uac = h.uac(UAC, UAS, { r: '1', rp: '100000' });
  h.until(() => counter(uac, 'SuccessfulCalls') === 1, 1000);
  assert.equal(h.time.nowMs, 10);
  h.advance(990);
  peer.send(ok, UAC); // 1000 ms: absorbed by the tombstone
  h.advance(32_000);
  peer.send(ok, UAC); // 33 000 ms: the tombstone, made at 10, lasts until 33 010
  h.advance(0);
  let c = counters(uac);
  assert.equal(c.DeadCallMsgs, 2);
  assert.equal(c.OutOfCallMsgs, 0);
  assert.equal(c.FailedCalls, 0);
  assert.deepEqual(uac.snapshot().unexpected, {});
  h.advance(20);
  peer.send(ok, UAC); // 33 020 ms: forgotten
  h.advance(0);
  c = counters(uac);
  assert.equal(c.DeadCallMsgs, 2);
  assert.equal(c.OutOfCallMsgs, 1);
  assert.equal(uac.deadCalls, 0);
});

// --- The run's own timeout ---

test('-timeout 5 ends the run with reason "timeout" at 5000 ms; calls still open are aborted without a BYE or CANCEL', async (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const uas = h.uas(UAS);
  const uac = h.uac(UAC, UAS, { r: '10', d: '2000', timeout: '5' });
  const endedAt = h.until(() => !h.running(uac), 60_000);
  assert.equal(endedAt, 5000);
  assert.equal(await uac.done, 'timeout');
  // Calls start at 10, 100, … 5000 (51). A call's pause ends 2000 ms after it started and its BYE's 200 comes
  // back after that tick: the call started at 3000 sends its BYE at 5000, as the run ends, and is aborted
  // with the 20 after it; the 30 started by 2900 have ended.
  const c = counters(uac);
  assert.equal(c.CallsCreated, 51);
  assert.equal(c.SuccessfulCalls, 30);
  assert.equal(c.AbortedCalls, 21);
  // SIPp compat: the aborted calls are dropped, not hung up (the README's differences table): the UAS gets the
  // 31 BYEs of the scenario (the 30 ended calls and the one sent at 5000), no BYE or CANCEL for the other 20.
  h.advance(10_000);
  const u = uas.snapshot();
  assert.deepEqual(
    u.steps.map((st) => st.recv),
    [51, 0, 0, 50, 31, 0, 0],
    'INVITE, ACK and BYE received by the UAS',
  );
  assert.equal(
    u.counters.OutOfCallMsgs + u.counters.DeadCallMsgs + Object.values(u.unexpected).reduce((a, b) => a + b, 0),
    0,
    'nothing else reached it',
  );
});

// --- Moved from test/integration, where they slept in real time and allowed for timer jitter ---

test('no peer, -max_retrans 2, -r 100 -m 5: every call fails after exactly 500 + 1000 + 2000 ms, 2 retransmissions each', async (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.recorder(UAS);
  const uac = h.uac(UAC, UAS, { r: '100', m: '5', max_retrans: '2' });
  h.until(() => !h.running(uac), 60_000);
  assert.equal(await uac.done, 'calls-done');
  const s = uac.snapshot();
  assert.equal(s.counters.FailedCalls, 5);
  assert.equal(s.failures.FailedMaxUDPRetrans, 5);
  assert.equal(s.counters.Retransmissions, 10);
  assert.equal(s.steps[0]?.retrans, 10);
  // Every call is 3500 ms long: the sum is 5 × 3500 and the sum of squares 5 × 3500² (no spread).
  assert.equal(s.callLengthMoments.count, 5);
  assert.equal(s.callLengthMoments.sumMs, 5 * 3500);
  assert.equal(s.callLengthMoments.sumSqMs, 5 * 3500 * 3500);
});

test('a peer that dies after 180: the call fails on timer C (RFC 3261 §16.6: more than 3 minutes; 181 s) instead of waiting for ever', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.recorder(UAS, (raw, send) => {
    if (raw.startsWith('INVITE')) send(answer(raw, '180 Ringing'));
  });
  const uac = h.uac(UAC, UAS, { m: '1' });
  const failedAt = h.until(() => counter(uac, 'FailedCalls') === 1, 400_000);
  // The 180 came at 10 with the INVITE: no retransmission (§17.1.1.2, Proceeding), and the wait for the 200,
  // armed then, times out 181 000 ms later. The call is CANCELled (§9.1).
  assert.equal(failedAt, 181_010);
  const s = uac.snapshot();
  assert.equal(s.failures.FailedTimeoutOnRecv, 1);
  assert.equal(s.steps[0]?.retrans, 0);
  assert.equal(s.steps[4]?.timeouts, 1, 'the wait for 200 timed out');
  assert.deepEqual(
    packetsOf(h.net, 'CANCEL').map((p) => p.sentMs),
    [181_010],
  );
});

const inviteFrom = (callId: string, cseq = 1, method = 'INVITE', branch = 'z9hG4bKa'): string =>
  `${method} sip:service@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${UAC};branch=${branch}\r\nFrom: <sip:a@h>;tag=t1\r\nTo: <sip:b@h>\r\nCall-ID: ${callId}\r\nCSeq: ${cseq} ${method}\r\nContent-Length: 0\r\n\r\n`;

test('uas: a retransmitted INVITE gets the last reply again; the 200 is retransmitted (T1 = 100 ms, doubling) until the ACK; late messages are absorbed', (t) => {
  const reply = (status: string, retrans = ''): string => `<send${retrans}><![CDATA[
      SIP/2.0 ${status}
      [last_Via:]
      [last_From:]
      [last_To:];tag=me
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
    ]]></send>`;
  const scenario = `<scenario name="short uas">
    <recv request="INVITE"/>
    ${reply('180 Ringing')}
    ${reply('200 OK', ' retrans="100"')}
    <recv request="ACK"/>
  </scenario>`;
  const h = new Harness();
  t.after(() => h.stopAll());
  const uas = h.engine({}, { port: UAS, scenario });
  const peer = h.recorder(UAC);
  peer.send(inviteFrom('c1'), UAS); // at 0: 180 and 200 at once
  h.advance(150);
  peer.send(inviteFrom('c1'), UAS); // at 150, the INVITE again: answered with the 200
  h.advance(850);
  peer.send(inviteFrom('c1', 1, 'ACK', 'z9hG4bKb'), UAS); // at 1000
  h.advance(20_000);
  // The 200 at 0, then after 100, 200 and 400 ms (100, 300, 700), and the answer to the INVITE at 150;
  // the next would have been at 1500, after the ACK.
  assert.deepEqual(peer.timesOf('SIP/2.0 180'), [0]);
  assert.deepEqual(peer.timesOf('SIP/2.0 200'), [0, 100, 150, 300, 700]);
  peer.send(inviteFrom('c1'), UAS); // the call is over: absorbed by its tombstone
  peer.send(inviteFrom('c2', 1, 'BYE'), UAS); // unknown call, not a first request
  h.advance(1000);
  assert.equal(peer.got.length, 6, 'nothing answers the late INVITE nor the unknown BYE');
  const c = counters(uas);
  assert.equal(c.CallsCreated, 1, 'a late INVITE does not create a call');
  assert.equal(c.SuccessfulCalls, 1);
  assert.equal(c.Retransmissions, 4);
  assert.equal(c.DeadCallMsgs, 1);
  assert.equal(c.OutOfCallMsgs, 1);
});

test('uas: after the ACK a late copy of the INVITE is absorbed, not answered, and the call goes on (RFC 6026 §8.7)', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const uas = h.uas(UAS);
  const peer = h.recorder(UAC);
  peer.send(inviteFrom('c1'), UAS);
  h.advance(50);
  peer.send(inviteFrom('c1', 1, 'ACK', 'z9hG4bKb'), UAS);
  h.advance(50);
  peer.send(inviteFrom('c1'), UAS);
  h.advance(2000);
  assert.deepEqual(
    peer.got.map((m) => m.raw.slice(0, 15)),
    ['SIP/2.0 180 Rin', 'SIP/2.0 200 OK\r'],
    'the late INVITE gets no answer',
  );
  peer.send(inviteFrom('c1', 2, 'BYE', 'z9hG4bKc'), UAS);
  h.advance(0);
  assert.match(peer.got[2]?.raw ?? '', /^SIP\/2\.0 200 OK\r\n[^]*CSeq: 2 BYE\r\n/);
  const s = uas.snapshot();
  assert.equal(s.counters.FailedCalls, 0, 'not aborted as unexpected (the call is in its closing timewait)');
  assert.equal(s.steps[0]?.retrans, 1, 'counted as a retransmission of the INVITE step');
});

test('_unexp.main handler: answers the message, then <pauserestore> and <jump> resume the interrupted pause (600 ms, not 400 + 600)', (t) => {
  const scenario = `<scenario>
    ${PLAIN_INVITE}
    <recv response="200"><action><index assign_to="where"/></action></recv>
    <pause milliseconds="600"/>
    <nop><action><exec int_cmd="stop_call"/></action></nop>
    <label id="_unexp.main"/>
    <recv request="INFO"/>
    <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      X-Back-To: [$_unexp.retaddr] [$where]
      Content-Length: 0
    ]]></send>
    <nop><action><pauserestore variable="_unexp.pausedaddr"/><jump variable="_unexp.retaddr"/></action></nop>
  </scenario>`;
  const h = new Harness();
  t.after(() => h.stopAll());
  let invite = '';
  const peer = h.recorder(UAS, (raw, send) => {
    if (raw.startsWith('INVITE')) {
      invite = raw;
      send(answer(raw, '200 OK'));
    }
  });
  const uac = h.engine({ m: '1' }, { port: UAC, remote: UAS, scenario });
  h.advance(410); // the INVITE and its 200 at 10: the 600-ms pause runs until 610; 400 ms into it …
  const hd = (name: string): string => headerLine(invite, name);
  peer.send(
    `INFO sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${UAS};branch=z9hG4bKinfo\r\nFrom: ${hd('To').slice(4)};tag=r1\r\nTo: ${hd('From').slice(6)}\r\n${hd('Call-ID')}\r\nCSeq: 7 INFO\r\nContent-Length: 0\r\n\r\n`,
    UAC,
  );
  h.until(() => !h.running(uac), 10_000);
  const ok = peer.got.find((m) => m.raw.startsWith('SIP/2.0 200'));
  assert.equal(ok?.atMs, 410);
  assert.match(ok.raw, /\r\nX-Back-To: 2\.000000 1\.000000\r\n/, 'interrupted at step 2 (the pause); index of the recv is 1');
  const s = uac.snapshot();
  assert.equal(s.counters.SuccessfulCalls, 1);
  // Resumed: the call ends at the pause's first deadline, 610 (length 600); restarted, it would end at 1010.
  assert.equal(s.callLengthMoments.sumMs, 600);
});

// --- More of SIPp's options, in virtual time ---

test('-nr: the INVITE is sent once over UDP, never retransmitted', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.uac(UAC, UAS, { m: '1', nr: true });
  h.advance(60_000);
  assert.deepEqual(peer.timesOf('INVITE'), [10]);
  assert.equal(counters(uac).Retransmissions, 0);
});

test('every ACK lost: the UAS retransmits its 200 9 times (a response: the non-INVITE limit, T2-capped), the UAC ACKs each copy (RFC 3261 §13.2.2.4), the UAS call fails at 31.5 s', (t) => {
  const h = new Harness({ loss: (p) => p.raw.startsWith('ACK') });
  t.after(() => h.stopAll());
  const uas = h.uas(UAS);
  const uac = h.uac(UAC, UAS, { m: '1', d: '60000' });
  const failedAt = h.until(() => counter(uas, 'FailedCalls') === 1, 60_000);
  // 200 at 10, again after 500, 1000, 2000, then 4000 ms; the 10th would be due 4000 ms after the 9th (SIPp
  // counts a response against the non-INVITE limit, 9: its retransmission is the INVITE's only if it starts "INVITE").
  const times = [10, 510, 1510, 3510, 7510, 11510, 15510, 19510, 23510, 27510];
  assert.deepEqual(
    packetsOf(h.net, 'SIP/2.0 200')
      .filter(isOkTo('INVITE'))
      .map((p) => p.sentMs),
    times,
  );
  assert.equal(failedAt, 31_510);
  assert.equal(uas.snapshot().failures.FailedMaxUDPRetrans, 1);
  assert.deepEqual(
    h.net.lost.map((p) => p.sentMs),
    times,
  );
  assert.equal(counters(uac).Retransmissions, 9);
});

test('-rate_increase 10 -rate_interval 1 -rate_max 30 from -r 10: 10 + 20 + 30 calls, then the run stops as after q', async (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.uas(UAS);
  const uac = h.uac(UAC, UAS, { r: '10', rate_increase: '10', rate_interval: '1', rate_max: '30' });
  // Each second the rate rises by 10 and starts again from that moment (a call at once): 10 calls in the
  // first second, 20 in the second, 30 in the third; at 3 s the next step would pass 30: capped, and the run stops.
  const endedAt = h.until(() => !h.running(uac), 60_000);
  assert.equal(await uac.done, 'stopped');
  const invites = packetsOf(h.net, 'INVITE').map((p) => p.sentMs);
  assert.equal(invites.filter((ms) => ms < 1000).length, 10);
  assert.equal(invites.filter((ms) => ms >= 1000 && ms < 2000).length, 20);
  assert.equal(invites.filter((ms) => ms >= 2000 && ms < 3000).length, 30);
  assert.equal(invites.length, 60);
  assert.equal(counters(uac).SuccessfulCalls, 60);
  assert.equal(endedAt, 3000);
});

test('-users 3 -d 1000: three calls open at a time, each user starting its next call when its call ends', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.uas(UAS);
  const uac = h.uac(UAC, UAS, { users: '3', d: '1000' });
  let most = 0;
  h.advance(9999, () => {
    most = Math.max(most, uac.openCalls);
  });
  assert.equal(most, 3);
  // -users ticks every 1 ms: calls start in threes at 1, then 1 ms after the previous three ended (their BYE's
  // 200 comes after the tick their pause ended on): 1, 1002, 2003, … 9010: ten batches by 10 s.
  const starts = packetsOf(h.net, 'INVITE').map((p) => p.sentMs);
  assert.deepEqual(
    [...new Set(starts)],
    Array.from({ length: 10 }, (_, k) => 1 + 1001 * k),
  );
  assert.equal(starts.length, 30);
});

test('pause and resume of the call generation: nothing is made up for the pause, the rate starts again from the resume', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.uas(UAS);
  const uac = h.uac(UAC, UAS, { r: '10' });
  h.advance(450);
  uac.pause();
  h.advance(1550); // 2000
  uac.resume();
  h.advance(499); // 2499
  // Before: 10, 100, 200, 300, 400. After: one at the next tick (2010), then one every 100 ms from the resume.
  assert.deepEqual(
    packetsOf(h.net, 'INVITE').map((p) => p.sentMs),
    [10, 100, 200, 300, 400, 2010, 2100, 2200, 2300, 2400],
  );
});

test('q (stop gracefully): no new call, the open ones end as they would; Q (stop now): open calls aborted at once, each confirmed dialog sent its BYE', async (t) => {
  const run = (how: 'gracefully' | 'now'): { h: Harness; uac: ReturnType<Harness['uac']> } => {
    const h = new Harness();
    t.after(() => h.stopAll());
    h.uas(UAS);
    const uac = h.uac(UAC, UAS, { r: '10', d: '5000' });
    h.advance(1000); // calls started at 10, 100, … 1000: 11, all in their 5-s pause
    if (how === 'gracefully') uac.stopGracefully();
    else uac.stopNow();
    return { h, uac };
  };
  const soft = run('gracefully');
  // The last call, started at 1000, sends its BYE at 6000 and has its 200 at once; the run ends on the next tick.
  assert.equal(
    soft.h.until(() => !soft.h.running(soft.uac), 60_000),
    6010,
  );
  assert.equal(await soft.uac.done, 'stopped');
  assert.equal(counters(soft.uac).SuccessfulCalls, 11);
  assert.equal(counters(soft.uac).AbortedCalls, 0);
  assert.equal(packetsOf(soft.h.net, 'INVITE').length, 11);

  const hard = run('now');
  assert.equal(await hard.uac.done, 'aborted');
  assert.equal(counters(hard.uac).AbortedCalls, 11);
  assert.deepEqual([...new Set(packetsOf(hard.h.net, 'BYE').map((p) => p.sentMs))], [1000]);
  assert.equal(packetsOf(hard.h.net, 'BYE').length, 11);
});

test('a 100 Trying to a non-INVITE request: it is still retransmitted, every T2 (RFC 3261 §17.1.2.2, Proceeding), until a final response', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  let options = 0;
  const peer = h.recorder(UAS, (raw, send) => {
    if (!raw.startsWith('OPTIONS')) return;
    options++;
    if (options === 1) send(answer(raw, '100 Trying'));
    if (options === 3) send(answer(raw, '200 OK'));
  });
  const uac = h.engine(
    { m: '1' },
    {
      port: UAC,
      remote: UAS,
      scenario: requestScenario('OPTIONS', 'retrans="500"', '', '').replace(
        '<recv response="200"',
        '<recv response="100" optional="true"/>\n  <recv response="200"',
      ),
    },
  );
  h.until(() => !h.running(uac), 60_000);
  // The 100 came at once (10): the next copy is due T2 = 4000 ms later, not T1; then T2 again; the 200 answers the third.
  assert.deepEqual(peer.timesOf('OPTIONS'), [10, 4010, 8010]);
  assert.equal(counters(uac).SuccessfulCalls, 1);
  assert.equal(counters(uac).Retransmissions, 2);
});
