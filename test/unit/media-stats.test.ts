// RTP receiver statistics against RFC 3550's Appendix A algorithms, worked by hand on small sequences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Datagram, RtpStreamStats, Verdict } from '../../src/media/rtp-stats.js';

/** Feeds sequence numbers (timestamps 160 apart, arrivals 20 ms apart) and returns the verdicts. */
function feed(s: RtpStreamStats, slot: number, seqs: readonly number[]): number[] {
  return seqs.map((seq, k) => s.onPacket(slot, seq, k * 160, k * 20));
}

test('wrap 65535 -> 0 adds a cycle; probation keeps the first packet out (RFC 3550 A.1, MIN_SEQUENTIAL = 2)', () => {
  const s = new RtpStreamStats(4);
  // 65533: first packet, on probation (max_seq = 65532, probation 2 -> 1, not counted).
  // 65534: in sequence, probation 1 -> 0: init_seq(65534), received = 1, base_seq = 65534.
  // 65535, 0, 1: received 2, 3, 4; 0 < max_seq 65535 so cycles = 65536.
  // expected = cycles + max_seq - base_seq + 1 = 65536 + 1 - 65534 + 1 = 4; lost = 4 - 4 = 0.
  const verdicts = feed(s, 2, [65533, 65534, 65535, 0, 1]);
  assert.deepEqual(verdicts, [Verdict.Probation, Verdict.InOrder, Verdict.InOrder, Verdict.InOrder, Verdict.InOrder]);
  assert.equal(s.receivedOf(2), 4);
  assert.equal(s.expectedOf(2), 4);
  assert.equal(s.lostOf(2), 0);
  assert.equal(s.cyclesOf(2), 1);
  // Other slots are untouched.
  assert.equal(s.receivedOf(1), 0);
  assert.equal(s.expectedOf(1), 0);
});

test('a gap, a reorder and duplicates: lost can go negative; fraction lost per interval (RFC 3550 A.3)', () => {
  const s = new RtpStreamStats(1);
  // 10 probation; 11 base (received 1); 12 (2); 14: gap, 13 missing (3).
  assert.deepEqual(feed(s, 0, [10, 11, 12, 14]), [Verdict.Probation, Verdict.InOrder, Verdict.InOrder, Verdict.InOrder]);
  // expected = 14 - 11 + 1 = 4, received 3, lost 1.
  assert.equal(s.expectedOf(0), 4);
  assert.equal(s.lostOf(0), 1);
  // Interval: expected 4 - 0, received 3 - 0, lost 1: fraction = (1 << 8) / 4 = 64.
  assert.equal(s.fractionLostSinceLast(0), 64);
  // 13 late (out of order, 4), 13 again (duplicate, 5), 15 (6), 17 (7, 16 missing), 18 (8), 15 again (duplicate, 9).
  assert.deepEqual(feed(s, 0, [13, 13, 15, 17, 18, 15]), [
    Verdict.OutOfOrder,
    Verdict.Duplicate,
    Verdict.InOrder,
    Verdict.InOrder,
    Verdict.InOrder,
    Verdict.Duplicate,
  ]);
  // expected = 18 - 11 + 1 = 8, received 9: lost = -1 (the two duplicates outweigh the one loss, 16).
  assert.equal(s.receivedOf(0), 9);
  assert.equal(s.expectedOf(0), 8);
  assert.equal(s.lostOf(0), -1);
  assert.equal(s.outOfOrderOf(0), 1);
  assert.equal(s.duplicatesOf(0), 2);
  // Interval: expected 8 - 4 = 4, received 9 - 3 = 6, lost -2 <= 0: fraction 0.
  assert.equal(s.fractionLostSinceLast(0), 0);
  // A duplicate of the highest number so far (udelta 0) is a duplicate too.
  assert.equal(s.onPacket(0, 18, 0, 0), Verdict.Duplicate);
  assert.equal(s.duplicatesOf(0), 3);
});

test('a jump of MAX_DROPOUT or more is dropped until the next packet confirms a restart (RFC 3550 A.1)', () => {
  const s = new RtpStreamStats(1, 1);
  // minSequential 1: the first packet is valid at once (probation 1 -> 0 on it): base 100, received 1.
  assert.deepEqual(feed(s, 0, [100, 101, 102]), [Verdict.InOrder, Verdict.InOrder, Verdict.InOrder]);
  // 5000 - 102 = 4898 >= 3000: bad jump, bad_seq = 5001; not counted.
  assert.equal(s.onPacket(0, 5000, 0, 0), Verdict.BadJump);
  assert.equal(s.receivedOf(0), 3);
  // 103 still in order.
  assert.equal(s.onPacket(0, 103, 0, 0), Verdict.InOrder);
  // 5000 again != bad_seq 5001: another bad jump (bad_seq stays 5001).
  assert.equal(s.onPacket(0, 5000, 0, 0), Verdict.BadJump);
  // 5001 == bad_seq: restart, init_seq(5001), received = 1, expected = 1.
  assert.equal(s.onPacket(0, 5001, 0, 0), Verdict.Restart);
  assert.equal(s.receivedOf(0), 1);
  assert.equal(s.expectedOf(0), 1);
  // 150 behind max 5001 (udelta = 65536 - 4851 = 60685, in (3000, 65436]): also a bad jump, not a reorder.
  assert.equal(s.onPacket(0, 150, 0, 0), Verdict.BadJump);
  // 4950 is 51 behind (udelta 65485 > 65436): the RFC's "duplicate or reordered": a reorder, never seen.
  assert.equal(s.onPacket(0, 4950, 0, 0), Verdict.OutOfOrder);
});

test('reorder detection across the wrap and after a long gap', () => {
  const s = new RtpStreamStats(1, 1);
  feed(s, 0, [65530, 65531, 65533, 3]);
  // 65532 and 65534..2 were skipped: each late one is out of order once, then a duplicate.
  assert.equal(s.onPacket(0, 65532, 0, 0), Verdict.OutOfOrder);
  assert.equal(s.onPacket(0, 65535, 0, 0), Verdict.OutOfOrder);
  assert.equal(s.onPacket(0, 0, 0, 0), Verdict.OutOfOrder);
  assert.equal(s.onPacket(0, 65535, 0, 0), Verdict.Duplicate);
  assert.equal(s.onPacket(0, 3, 0, 0), Verdict.Duplicate);
  // expected = 65536 + 3 - 65530 + 1 = 10; received 4 + 5 = 9; lost 1 (the two duplicates make up for 2 of 3).
  assert.equal(s.expectedOf(0), 10);
  assert.equal(s.lostOf(0), 1);
  // A gap of 2,000 (under MAX_DROPOUT, over the 128-number window): the window starts afresh.
  assert.equal(s.onPacket(0, 2003, 0, 0), Verdict.InOrder);
  assert.equal(s.onPacket(0, 2000, 0, 0), Verdict.OutOfOrder);
  assert.equal(s.onPacket(0, 2000, 0, 0), Verdict.Duplicate);
});

test('interarrival jitter on a hand-made arrival sequence (RFC 3550 A.8)', () => {
  // 8000 Hz, one packet per 20 ms = 160 timestamp units. Arrivals 0, 20, 45, 60, 80 ms.
  // p2: D = (20 - 0) * 8 - 160 = 0                  J = 0
  // p3: D = 25 * 8 - 160 = 40                       J = 0 + (40 - 0) / 16 = 2.5
  // p4: D = 15 * 8 - 160 = -40, |D| = 40            J = 2.5 + (40 - 2.5) / 16 = 4.84375
  // p5: D = 0                                       J = 4.84375 - 4.84375 / 16 = 4.541015625
  // In ms: J / 8 = 0.567626953125; the highest J, 4.84375, is 0.60546875 ms.
  for (const ts0 of [0, 2 ** 32 - 320]) {
    const s = new RtpStreamStats(1, 1);
    s.reset(0, 8000);
    const arrivals = [0, 20, 45, 60, 80];
    arrivals.forEach((at, k) => s.onPacket(0, 7 + k, (ts0 + k * 160) % 2 ** 32, 1000 + at));
    assert.equal(s.jitterUnitsOf(0), 4.541015625, `timestamps from ${ts0}`);
    assert.equal(s.jitterMsOf(0), 0.567626953125);
    assert.equal(s.maxJitterMsOf(0), 0.60546875);
    assert.equal(s.jitterMicrosOf(0), 568);
  }
});

test('raw datagrams: the header read inline, other SSRCs and non-RTP kept out', () => {
  const s = new RtpStreamStats(1, 1);
  const packet = (seq: number, ts: number, ssrc: number): Buffer => {
    const b = Buffer.alloc(172);
    b[0] = 0x80; // V=2
    b[1] = 0; // PCMU
    b.writeUInt16BE(seq, 2);
    b.writeUInt32BE(ts, 4);
    b.writeUInt32BE(ssrc, 8);
    return b;
  };
  assert.equal(s.onDatagram(0, packet(1, 0, 0xdeadbeef), 0), Datagram.Rtp);
  assert.equal(s.onDatagram(0, packet(2, 160, 0xdeadbeef), 20), Datagram.Rtp);
  assert.equal(s.onDatagram(0, packet(3, 320, 0x1234), 40), Datagram.OtherSsrc);
  assert.equal(s.onDatagram(0, Buffer.from([0x80, 0, 0, 4]), 60), Datagram.TooShort);
  const v1 = packet(4, 480, 0xdeadbeef);
  v1[0] = 0x40;
  assert.equal(s.onDatagram(0, v1, 60), Datagram.NotVersion2);
  assert.equal(s.onDatagram(0, packet(5, 640, 0xdeadbeef), 81), Datagram.Rtp);
  // Received 1, 2, 5: expected 5, lost 2; jitter: p2 D = 0; p5: D = 61 * 8 - 480 = 8 -> J = 0.5.
  assert.equal(s.receivedOf(0), 3);
  assert.equal(s.lostOf(0), 2);
  assert.equal(s.otherSsrcOf(0), 1);
  assert.equal(s.jitterUnitsOf(0), 0.5);
  assert.deepEqual(s.summary(0), {
    received: 3,
    expected: 5,
    lost: 2,
    outOfOrder: 0,
    duplicates: 0,
    jitterMs: 0.0625,
    maxJitterMs: 0.0625,
    cycles: 0,
  });
  // reset() makes the slot a new stream.
  s.reset(0);
  assert.equal(s.receivedOf(0), 0);
  assert.equal(s.onDatagram(0, packet(9, 0, 0x1234), 0), Datagram.Rtp);
  assert.equal(s.otherSsrcOf(0), 0);
});

test('totals over streams: counts add up, jitter is the mean of the streams with packets and the worst of them', () => {
  const s = new RtpStreamStats(3, 1);
  // Slot 0: 1, 2, 4 (3 lost), timestamps 0, 160, 480, arrivals 0, 20, 40 ms: D = 0, then 20 * 8 - 320 = -160
  // -> J = 160 / 16 = 10 units = 1.25 ms.
  [1, 2, 4].forEach((seq, k) => s.onPacket(0, seq, (seq - 1) * 160, k * 20));
  // Slot 1: 5, 5 (a duplicate), 6 with timestamps 640, 640, 800, arrivals 0, 20, 40 ms:
  // p2: D = 160 - 0 = 160 -> J = 10; p3: D = 160 - 160 = 0 -> J = 10 - 10/16 = 9.375 units = 1.171875 ms.
  [5, 5, 6].forEach((seq, k) => s.onPacket(1, seq, (seq - 1) * 160, k * 20));
  // Slot 2: nothing.
  const t = s.totals();
  // received 3 + 3, expected 4 + 2 (5..6): lost = 6 - 6 = 0 (slot 0's loss hidden by slot 1's duplicate, as A.3 does).
  assert.deepEqual(
    { received: t.received, expected: t.expected, lost: t.lost, duplicates: t.duplicates },
    { received: 6, expected: 6, lost: 0, duplicates: 1 },
  );
  assert.equal(s.jitterMsOf(0), 1.25);
  assert.equal(s.jitterMsOf(1), 1.171875);
  // Mean (1.25 + 1.171875) / 2 = 1.2109375; worst max jitter 1.25 ms.
  assert.equal(t.jitterMs, 1.2109375);
  assert.equal(t.maxJitterMs, 1.25);
  assert.equal(s.totals(2, 3).received, 0);
});
