/**
 * SIPp 3.7's generated patterns (media/pattern.ts): each codec's packet size, packet time and timestamp step,
 * checked against values computed by hand from the codec's bit rate, RTP clock (RFC 3551) and packet time, and
 * the clip a pattern becomes, read back with our RTP header parser.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallRtpState } from '../../src/media/rtp-rewrite.js';
import { patternClip, patternCodec, patternOctet } from '../../src/media/pattern.js';
import { parseRtpHeader } from '../../src/media/rtp-packet.js';

/** [payload type, codec name as written ('' for none), octets, ms, timestamp step], each worked out below. */
const BY_HAND: readonly (readonly [number, string, number, number, number])[] = [
  // G.711: 8000 samples/s × 20 ms = 160 samples of one octet; the RTP clock is the sample rate (RFC 3551 §4.5.14).
  [0, '', 160, 20, 160],
  [0, 'PCMU/8000', 160, 20, 160],
  [8, '', 160, 20, 160],
  [8, 'PCMA/8000', 160, 20, 160],
  // G.722: 64 kbit/s × 20 ms = 1280 bits = 160 octets; its RTP clock is 8000 Hz (RFC 3551 §4.5.2): 8 × 20 = 160.
  [9, '', 160, 20, 160],
  // G.729: 8 kbit/s × 20 ms = 160 bits = 20 octets; 8000 Hz × 20 ms = 160.
  [18, 'G729/8000', 20, 20, 160],
  // Comfort noise (RFC 3389): one noise-level octet; 8000 Hz × 150 ms = 1200.
  [13, 'CN/8000', 1, 150, 1200],
  // iLBC 30-ms mode (RFC 3952): 400 bits = 50 octets; 8000 Hz × 30 ms = 240.
  [97, 'iLBC/8000', 50, 30, 240],
];

test('each codec: octets per packet, packet time and timestamp step as computed by hand from its rate and clock', () => {
  for (const [pt, name, octets, ms, step] of BY_HAND) {
    const found = patternCodec(pt, name);
    assert.ok('codec' in found, `${pt} ${name}: ${JSON.stringify(found)}`);
    assert.deepEqual(found.codec, { bytesPerPacket: octets, ptimeMs: ms, ticksPerPacket: step }, `${pt} ${name}`);
  }
});

test("H264/90000 takes SIPp's arbitrary 1280 octets every 160 ms stepping 1280, not the 14400 a 90 kHz clock would give", () => {
  const found = patternCodec(99, 'H264/90000');
  assert.ok('codec' in found);
  // 90000 Hz × 160 ms = 14400: SIPp 3.7 (actions.cpp) steps 1280, as if the clock were 8 kHz.
  assert.notEqual(found.codec.ticksPerPacket, (90000 * 160) / 1000);
  assert.deepEqual(found.codec, { bytesPerPacket: 1280, ptimeMs: 160, ticksPerPacket: 1280 });
});

test('payload types and names SIPp cannot packetise are refused with a hint', () => {
  const error = (pt: number, name: string): string => {
    const found = patternCodec(pt, name);
    return 'error' in found ? found.error : 'accepted';
  };
  assert.equal(error(3, ''), 'static payload type 3 has no packet size sipts (or SIPp) knows');
  assert.equal(error(3, 'GSM/8000'), 'static payload type 3 has no packet size sipts (or SIPp) knows');
  assert.equal(error(13, ''), 'payload type 13 needs a codec name');
  assert.equal(error(99, ''), 'payload type 99 needs a codec name');
  assert.equal(error(0, 'PCMA/8000'), 'payload type 0 is PCMU/8000, not PCMA/8000');
  assert.equal(error(99, 'h264/90000'), 'dynamic payload type 99 named h264/90000 has no packet size sipts (or SIPp) knows');
  assert.equal(error(128, 'H264/90000'), 'payload type 128 is not an RTP payload type (0-127)');
});

test('a pattern clip: RTP of the payload type, one octet per id repeated, evenly spaced, timestamps by the step, no marker', () => {
  const codec = { bytesPerPacket: 160, ptimeMs: 20, ticksPerPacket: 160 };
  const clip = patternClip(1, 0, codec);
  // About a second of 20-ms packets.
  assert.equal(clip.packets.length, 50);
  assert.equal(clip.streams.length, 1);
  assert.equal(clip.streams[0]?.timestampStep, 160);
  clip.packets.forEach((p, i) => {
    const h = parseRtpHeader(p);
    assert.ok(h !== undefined);
    assert.equal(h.payloadType, 0);
    assert.equal(h.marker, false);
    assert.equal(h.payloadLength, 160);
    assert.equal(h.sequenceNumber, i);
    assert.equal(h.timestamp, 160 * i);
    assert.ok(p.subarray(h.payloadOffset).every((b) => b === 0xaa));
    assert.equal(clip.offsetsUs[i], 20_000 * i);
  });
  // SIPp's octets: 0xAA for pattern 1 up to 0xFF for pattern 6.
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(patternOctet), [0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
  // Comfort noise: 150-ms packets, so a second is 7 of them; at least two whatever the packet time.
  assert.equal(patternClip(6, 13, { bytesPerPacket: 1, ptimeMs: 150, ticksPerPacket: 1200 }).packets.length, 7);
});

test('looped for ever, a pattern is one stream: seq +1 and timestamp +step across the end of the clip', () => {
  const clip = patternClip(2, 18, { bytesPerPacket: 20, ptimeMs: 20, ticksPerPacket: 160 });
  const rtp = new CallRtpState(clip, { ssrcs: [7], firstSeqs: [65530], firstTimestamps: [2 ** 32 - 400] });
  const out = Buffer.alloc(clip.maxPacketBytes);
  const seen: [number, number][] = [];
  for (let loop = 0; loop < 3; loop++) {
    for (let i = 0; i < clip.packets.length; i++) {
      rtp.render(i, out);
      seen.push([out.readUInt16BE(2), out.readUInt32BE(4)]);
    }
    rtp.nextLoop();
  }
  for (let k = 1; k < seen.length; k++) {
    assert.equal(((seen[k]?.[0] ?? 0) - (seen[k - 1]?.[0] ?? 0) + 65536) % 65536, 1);
    assert.equal(((seen[k]?.[1] ?? 0) - (seen[k - 1]?.[1] ?? 0) + 2 ** 32) % 2 ** 32, 160);
  }
});

test('a paused packet time moves the timestamps on by one step and leaves the sequence numbers (RFC 3550 §5.1)', () => {
  const clip = patternClip(1, 8, { bytesPerPacket: 160, ptimeMs: 20, ticksPerPacket: 160 });
  const rtp = new CallRtpState(clip, { ssrcs: [1], firstSeqs: [100], firstTimestamps: [1000] });
  const out = Buffer.alloc(clip.maxPacketBytes);
  rtp.render(0, out);
  assert.deepEqual([out.readUInt16BE(2), out.readUInt32BE(4)], [100, 1000]);
  // Three packet times paused, then packet 1: 60 ms later than packet 1 would have been, the next seq.
  for (let i = 0; i < 3; i++) rtp.skipPacketTime();
  rtp.render(1, out);
  assert.deepEqual([out.readUInt16BE(2), out.readUInt32BE(4)], [101, 1000 + 160 + 3 * 160]);
});
