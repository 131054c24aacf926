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
import { counters, Harness, packetsOf } from '../engine-harness.js';
import { headerLine } from '../helpers.js';

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
  return `SIP/2.0 ${status}\r\n${headerLine(request, 'Via')}\r\n${headerLine(request, 'From')}\r\n${to.includes(';tag=') ? to : `${to};tag=r1`}\r\n`
    + `${headerLine(request, 'Call-ID')}\r\n${headerLine(request, 'CSeq')}\r\nContent-Length: 0\r\n\r\n`;
}

const isOkTo = (method: string) => (p: MemoryPacket): boolean => p.raw.startsWith('SIP/2.0 200') && new RegExp(`^CSeq: \\d+ ${method}\\r?$`, 'm').test(p.raw);

// --- UDP retransmissions (RFC 3261 §17.1.1.2, §17.1.2.2; SIPp's -T2, -max_retrans) ---

test('INVITE over UDP, unanswered: retransmitted after 500, 1000, 2000, 4000, 8000 ms (T1 doubling), then FailedMaxUDPRetrans', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.uac(UAC, UAS, { m: '1' });
  // RFC 3261 §17.1.1.2: timer A starts at T1 = 500 ms and doubles. SIPp allows 5 INVITE retransmissions
  // (-max_retrans's default) and fails the call when a 6th would be due: 10 + 500·(2^6 − 1) = 31510 ms.
  const failedAt = h.until(() => counters(uac).FailedCalls === 1, 60_000);
  assert.deepEqual(peer.timesOf('INVITE'), [10, 510, 1510, 3510, 7510, 15510]);
  assert.equal(failedAt, 31_510);
  assert.equal(uac.snapshot().failures.FailedMaxUDPRetrans, 1);
  assert.equal(counters(uac).Retransmissions, 5);
});

test('a non-INVITE request doubles its interval only up to T2 = 4 s (timer E), 7 retransmissions, then fails', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.engine({ m: '1' }, { port: UAC, remote: UAS, scenario: requestScenario('OPTIONS', 'retrans="500"') });
  // §17.1.2.2: intervals 500, 1000, 2000, 4000, 4000, 4000, 4000 (min(2·E, T2)); SIPp's default for
  // non-INVITE transactions is 7 retransmissions, the call fails when the 8th would be due, 4000 ms later.
  const failedAt = h.until(() => counters(uac).FailedCalls === 1, 60_000);
  assert.deepEqual(peer.timesOf('OPTIONS'), [10, 510, 1510, 3510, 7510, 11510, 15510, 19510]);
  assert.equal(failedAt, 23_510);
  assert.equal(uac.snapshot().failures.FailedMaxUDPRetrans, 1);
});

test('-T2 2000 caps a non-INVITE retransmission interval at 2 s', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.engine({ m: '1', T2: '2000' }, { port: UAC, remote: UAS, scenario: requestScenario('OPTIONS', 'retrans="500"') });
  // Intervals 500, 1000, then 2000 six more times; the failure 2000 ms after the 7th retransmission.
  const failedAt = h.until(() => counters(uac).FailedCalls === 1, 60_000);
  assert.deepEqual(peer.timesOf('OPTIONS'), [10, 510, 1510, 3510, 5510, 7510, 9510, 11510]);
  assert.equal(failedAt, 13_510);
});

test('-max_retrans 2: the INVITE is sent 3 times and the call fails when the next one is due (3510 ms)', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.uac(UAC, UAS, { m: '1', max_retrans: '2' });
  // 10, 10 + 500, 510 + 1000; the third retransmission would be due at 1510 + 2000 = 3510.
  const failedAt = h.until(() => counters(uac).FailedCalls === 1, 60_000);
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
  assert.deepEqual(packetsOf(h.net, 'SIP/2.0 200').filter(isOkTo('INVITE')).map((p) => p.sentMs), [10, 510, 1510]);
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
  assert.deepEqual(packetsOf(h.net, 'BYE').map((p) => p.sentMs), [10, 510, 1510, 3510, 7510]);
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
  const failedAt = h.until(() => counters(uac).FailedCalls === 1, 60_000);
  assert.equal(failedAt, 2010);
  assert.equal(uac.snapshot().failures.FailedTimeoutOnRecv, 1);
  assert.equal(uac.snapshot().steps[1]?.timeouts, 1);
});

test('-recv_timeout 3000 is the timeout of every <recv> without one: the built-in uac fails at 3010 ms, after 2 INVITE retransmissions', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  const peer = h.recorder(UAS);
  const uac = h.uac(UAC, UAS, { m: '1', recv_timeout: '3000' });
  const failedAt = h.until(() => counters(uac).FailedCalls === 1, 60_000);
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
  const uac = h.engine({ m: '1' }, { port: UAC, remote: UAS, scenario: requestScenario('OPTIONS', '', 'timeout="1000" ontimeout="late"', after) });
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
  assert.deepEqual(packetsOf(h.net, 'BYE').map((p) => p.sentMs), [3020]);
});

test('<pause milliseconds="1234">: ends at the first tick after its deadline (-timer_resol 10), exactly with -timer_resol 1', (t) => {
  const scenario = requestScenario('OPTIONS', '', '', '<pause milliseconds="1234"/>');
  const lengths: number[] = [];
  for (const resolution of ['10', '1']) {
    const h = new Harness();
    t.after(() => h.stopAll());
    h.recorder(UAS, (raw, send) => { if (raw.startsWith('OPTIONS')) send(answer(raw, '200 OK')); });
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
  assert.deepEqual(packetsOf(h.net, 'INVITE').map((p) => p.sentMs), expected);
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
  assert.deepEqual(packetsOf(h.net, 'INVITE').map((p) => p.sentMs), Array.from({ length: 25 }, (_, k) => (k === 0 ? 10 : k * 400)));
  assert.equal(counters(uac).CallsCreated, 25);
});

test('-l 5: open calls never exceed 5 (-r 100 of 1-second calls would otherwise hold 100 open)', (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.uas(UAS);
  const uac = h.uac(UAC, UAS, { r: '100', l: '5', d: '1000' });
  let most = 0;
  for (let ms = 0; ms < 3000; ms += 10) {
    h.advance(10);
    most = Math.max(most, uac.openCalls);
    // Until the first calls end (10 + 1000 ms) only the first 5 may start.
    if (h.time.nowMs === 1000) assert.equal(counters(uac).CallsCreated, 5);
  }
  assert.equal(most, 5);
  // 101 starts were due by 1000 ms (one at once, then one every 10 ms): 96 of them refused by the limit.
  assert.ok(counters(uac).CallsRefusedByLimit >= 96);
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
    if (raw.startsWith('INVITE')) { ok = answer(raw, '200 OK'); send(ok); } else if (raw.startsWith('BYE')) send(answer(raw, '200 OK'));
  });
  // One call (the next is due 100 s later): INVITE, 200, ACK, BYE, 200 all at 10 ms.
  const uac = h.uac(UAC, UAS, { r: '1', rp: '100000' });
  h.until(() => counters(uac).SuccessfulCalls === 1, 1000);
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

test('-timeout 5 ends the run with reason "timeout" at 5000 ms; calls still open are aborted', async (t) => {
  const h = new Harness();
  t.after(() => h.stopAll());
  h.uas(UAS);
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
});
