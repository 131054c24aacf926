import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writePcap } from '../../src/media/capture-write.js';
import { buildClip, type RawDatagram } from '../../src/media/clip-builder.js';
import type { MediaClip } from '../../src/media/clip.js';
import { readCapture } from '../../src/media/pcap.js';
import { CallRtpState } from '../../src/media/rtp-rewrite.js';
import { buildRtpPacket, parseRtpHeader } from '../../src/media/rtp-packet.js';
import { toneClip } from '../../src/media/tone.js';
import { asRtp, noSipTester, noTshark, SIP_TESTER_DIR, tsharkFields } from '../tshark.js';

test('RFC 3550 §5.1 header: every field of a hand-assembled packet with CSRCs, an extension and padding', () => {
  // V=2 P=1 X=1 CC=2 -> 0b10_1_1_0010 = 0xB2; M=1 PT=96 -> 0xE0; seq 0x1234; ts 0xDEADBEEF; SSRC 0x01020304;
  // CSRCs 0xAAAAAAAA 0xBBBBBBBB; extension profile 0xBEDE, length 1 word, 4 octets; payload 'hi'; 2 octets padding.
  const packet = Buffer.from('b2e01234deadbeef01020304aaaaaaaabbbbbbbbbede000111223344686900' + '02', 'hex');
  const h = parseRtpHeader(packet);
  assert.deepEqual(h, {
    version: 2,
    padding: true,
    extension: true,
    csrcCount: 2,
    marker: true,
    payloadType: 96,
    sequenceNumber: 0x1234,
    timestamp: 0xdeadbeef,
    ssrc: 0x01020304,
    csrcs: [0xaaaaaaaa, 0xbbbbbbbb],
    payloadOffset: 12 + 8 + 8,
    payloadLength: 2,
  });
  assert.equal(parseRtpHeader(Buffer.from('40e01234deadbeef01020304', 'hex')), undefined, 'version 1 is not RTP');
  assert.equal(parseRtpHeader(Buffer.from('82e01234deadbeef01020304aaaaaaaa', 'hex')), undefined, 'CC=2 with one CSRC present');
  assert.equal(parseRtpHeader(Buffer.from('a0e01234deadbeef0102030400', 'hex')), undefined, 'padding count 0');
});

test('building a header: the octets RFC 3550 §5.1 lays out', () => {
  const p = buildRtpPacket(
    { marker: false, payloadType: 8, sequenceNumber: 65535, timestamp: 0x80000001, ssrc: 0xfeedf00d },
    Buffer.from([0xd5]),
  );
  // 0x80: V=2, no P/X/CC; 0x08: M=0, PT 8.
  assert.equal(p.toString('hex'), '8008ffff80000001feedf00dd5');
});

/** Renders `loops` loops of a clip for one call and returns them as a new clip with times continuing. */
function renderLoops(clip: MediaClip, call: CallRtpState, loops: number): MediaClip {
  const out = new Uint8Array(clip.maxPacketBytes);
  const datagrams: RawDatagram[] = [];
  const last = clip.offsetsUs[clip.offsetsUs.length - 1] ?? 0;
  const loopUs = last + 20_000;
  for (let l = 0; l < loops; l++) {
    for (let i = 0; i < clip.packets.length; i++) {
      const n = call.render(i, out);
      datagrams.push({ payload: Buffer.from(out.subarray(0, n)), timeUs: l * loopUs + (clip.offsetsUs[i] ?? 0), dstPort: 7000 });
    }
    call.nextLoop();
  }
  return buildClip(datagrams);
}

test(
  'per-call rewrite across 3 loops: tshark decodes one RTP stream with the new SSRC, seq +1 and timestamp +160 throughout, wrapping',
  { skip: noTshark },
  (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-media-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const clip = toneClip('ulaw', { durationMs: 100 }); // 5 packets
    // Start near both wraps: seq 65533 (+15 packets wraps at 65536), timestamp 2^32 - 480.
    const call = new CallRtpState(clip, { ssrcs: [0x11223344], firstSeqs: [65533], firstTimestamps: [0x100000000 - 480] });
    const file = join(dir, 'call.pcap');
    writeFileSync(file, writePcap(renderLoops(clip, call, 3), { srcPort: 7002, dstPort: 7000 }));
    const rows = tsharkFields(file, ['rtp.seq', 'rtp.timestamp', 'rtp.ssrc', 'rtp.p_type'], asRtp(7000));
    assert.equal(rows.length, 15);
    rows.forEach(([seq, ts, ssrc, pt], i) => {
      assert.equal(Number(seq), (65533 + i) % 65536, `seq of packet ${i}`);
      assert.equal(Number(ts), (0x100000000 - 480 + 160 * i) % 0x100000000, `timestamp of packet ${i}`);
      assert.equal(Number(ssrc), 0x11223344);
      assert.equal(Number(pt), 0);
    });
    // The clip itself is untouched: it is shared by every call.
    assert.equal(parseRtpHeader(clip.packets[0] ?? Buffer.alloc(0))?.ssrc, 0x51505453);
  },
);

test(
  "SIPp's g711a.pcap played by two calls over 2 loops: two streams told apart, each continuous (seq +1, timestamp +240)",
  { skip: noTshark || noSipTester },
  (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sipts-media-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const src = join(SIP_TESTER_DIR, 'g711a.pcap');
    const clip = readCapture(readFileSync(src), src);
    const s = clip.streams[0];
    assert.ok(s !== undefined);
    for (const [ssrc, seq0, ts0] of [
      [0xaaaa0001, 100, 5000],
      [0xbbbb0002, 40000, 123456789],
    ] as const) {
      const file = join(dir, `${ssrc}.pcap`);
      writeFileSync(
        file,
        writePcap(renderLoops(clip, new CallRtpState(clip, { ssrcs: [ssrc], firstSeqs: [seq0], firstTimestamps: [ts0] }), 2), {
          srcPort: 7002,
          dstPort: 7000,
        }),
      );
      const rows = tsharkFields(file, ['rtp.seq', 'rtp.timestamp', 'rtp.ssrc', 'rtp.payload'], asRtp(7000));
      const original = tsharkFields(src, ['rtp.timestamp', 'rtp.payload'], asRtp(5000));
      assert.equal(rows.length, 2 * 236);
      rows.forEach(([seq, ts, got, payload], i) => {
        assert.equal(Number(seq), (seq0 + i) % 65536);
        // The capture's own timestamps step by 240 (tshark); the second loop continues the same way.
        const o = original[i % 236];
        const origDelta = Number(o?.[0]) - Number(original[0]?.[0]);
        const loopDelta = i >= 236 ? Number(original[235]?.[0]) - Number(original[0]?.[0]) + 240 : 0;
        assert.equal(Number(ts), (ts0 + origDelta + loopDelta) % 0x100000000, `timestamp of packet ${i}`);
        assert.equal(Number(got), ssrc);
        assert.equal(payload, o?.[1], 'payload unchanged');
      });
    }
  },
);

test('CallRtpState.random: each stream takes its SSRC, first seq (16 bits) and first timestamp from the random values', () => {
  const clip = toneClip('alaw', { durationMs: 20 }); // one packet: its step comes from the packetiser (160)
  const call = CallRtpState.random(clip, Uint32Array.of(0xcafebabe, 0x12345678, 0xfffffff0));
  const out = new Uint8Array(clip.maxPacketBytes);
  call.render(0, out);
  call.nextLoop();
  const first = parseRtpHeader(out.slice(0, 172));
  call.render(0, out);
  const second = parseRtpHeader(out.slice(0, 172));
  // seq 0x5678, then +1; timestamp 0xFFFFFFF0, then + 160 wrapping to 0x90.
  assert.deepEqual([first?.ssrc, first?.sequenceNumber, first?.timestamp], [0xcafebabe, 0x5678, 0xfffffff0]);
  assert.deepEqual([second?.ssrc, second?.sequenceNumber, second?.timestamp], [0xcafebabe, 0x5679, 0x90]);
  assert.notEqual(CallRtpState.random(clip).ssrcs[0], CallRtpState.random(clip).ssrcs[0]); // 1 in 2^32 to fail
});
