import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dtmfClip, parsePlayDtmf } from '../../src/media/dtmf.js';
import { parseRtpHeader } from '../../src/media/rtp-packet.js';
import { sippAvailable } from '../helpers.js';
import { sippMediaProbe } from './sipp-media-probe.js';

test(
  'play_dtmf="1#,100": the packets SIPp 3.6.1 sends and the ones sipts builds agree (PT, marker, event, end bit, volume, duration, timing); the two deliberate differences hold',
  { skip: !sippAvailable(), timeout: 60_000 },
  async (t) => {
    const got = await sippMediaProbe(t, 'play_dtmf="1#,100"', 2000);

    const { digits, toneMs } = parsePlayDtmf('1#,100');
    const ours = dtmfClip(digits, { toneMs, ssrc: 1 });
    const theirs = got.map((g) => g.packet);
    assert.equal(theirs.length, ours.packets.length, 'packet count: 20 no-ops, then 5 updates and 3 ends per digit');
    const fields = (p: Buffer): string => {
      const h = parseRtpHeader(p);
      assert.ok(h !== undefined);
      const body = p.subarray(h.payloadOffset);
      // Telephone-event: event, E bit, volume, duration (RFC 4733 §2.3); a no-op: its 4 octets.
      return h.payloadType === 96
        ? `96 M${Number(h.marker)} ev${body[0]} E${(body[1] ?? 0) >> 7} vol${(body[1] ?? 0) & 0x3f} dur${body.readUInt16BE(2)}`
        : `${h.payloadType} M${Number(h.marker)} ${body.toString('hex')}`;
    };
    assert.deepEqual(ours.packets.map(fields), theirs.map(fields));

    // Timing: SIPp sends its first two packets together, then keeps the schedule; compare from the second packet.
    // On a loaded machine a packet can come late (SIPp catches up after it), never early: so no packet more than
    // 10 ms early, and the median gap under 10 ms.
    const t1 = got[1]?.atMs ?? 0;
    const gaps = got.slice(1).map((g, k) => g.atMs - t1 - ((ours.offsetsUs[k + 1] ?? 0) - (ours.offsetsUs[1] ?? 0)) / 1000);
    assert.ok(
      gaps.every((d) => d > -10),
      `packets early against sipts's schedule (ms): ${gaps.map((d) => d.toFixed(1)).join(' ')}`,
    );
    const sorted = gaps.map(Math.abs).sort((a, b) => a - b);
    assert.ok(
      (sorted[sorted.length >> 1] ?? Infinity) < 10,
      `median gap to sipts's schedule (ms): ${gaps.map((d) => d.toFixed(1)).join(' ')}`,
    );

    // Deliberate difference 1: SIPp numbers the no-ops in steps of 2, then events by 1; sipts by 1 throughout.
    const seq = (p: Buffer | undefined): number => parseRtpHeader(p ?? Buffer.alloc(0))?.sequenceNumber ?? -1;
    const s0 = seq(theirs[0]);
    assert.deepEqual(
      theirs.slice(0, 20).map(seq),
      Array.from({ length: 20 }, (_, i) => (s0 + 2 * i) & 0xffff),
    );
    assert.equal(seq(theirs[20]), (s0 + 40) & 0xffff);
    assert.deepEqual(
      ours.packets.map(seq),
      ours.packets.map((_, i) => i),
    );
    // Deliberate difference 2: SIPp's timestamps advance in ms and an event's is 2 tones before the event is sent
    // (no-ops 0, 20 ... 380, events 400 + n x 200); sipts's follow the send time on the 8 kHz clock (no-ops 0,
    // 160 ... 3040, events 8 x (400 + (n + 1) x 200) = 4800, 6400).
    const ts = (p: Buffer | undefined): number => parseRtpHeader(p ?? Buffer.alloc(0))?.timestamp ?? -1;
    const at = [1, 19, 20, 27, 28, 35];
    assert.deepEqual(
      at.map((i) => ts(theirs[i]) - ts(theirs[0])),
      [20, 380, 400, 400, 600, 600],
    );
    assert.deepEqual(
      at.map((i) => ts(ours.packets[i]) - ts(ours.packets[0])),
      [160, 3040, 4800, 4800, 6400, 6400],
    );
  },
);
