import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alawToLinear, linearToAlaw, linearToUlaw, transcodeG711, ulawToLinear } from '../../src/media/g711.js';
import { noAudioop, python } from '../python.js';

test("G.711 µ-law: code values worked out by hand from the standard's segment table", () => {
  // Decoding: invert the code, then magnitude = ((mantissa << 3) + 132) << exponent, minus 132, sign from bit 7.
  // 0xFF -> ~ = 0x00: e0 m0 -> (0 + 132) - 132 = 0.            0x7F -> ~ = 0x80: negative zero -> 0.
  // 0x80 -> ~ = 0x7F: e7 m15 -> (120 + 132) << 7 = 32256, - 132 = +32124.   0x00 -> ~ = 0xFF -> -32124.
  // 0xEF -> ~ = 0x10: e1 m0 -> 132 << 1 = 264, - 132 = +132.   0xFE -> ~ = 0x01: e0 m1 -> 140 - 132 = +8.
  assert.deepEqual([0xff, 0x7f, 0x80, 0x00, 0xef, 0xfe].map(ulawToLinear), [0, 0, 32124, -32124, 132, 8]);
  // Encoding 16-bit: >> 2 to 14 bits, + 33 bias, segment = position of the top bit past 5, 4 mantissa bits, inverted.
  // 0 -> 33 = 0b100001: seg 0, mantissa (33 >> 1) & 15 = 0 -> 0x00 ^ 0xFF = 0xFF.
  // 1000 -> 250 + 33 = 283: segment 3 (256..511), mantissa (283 >> 4) & 15 = 1 -> 0x31 ^ 0xFF = 0xCE.
  // -1000 -> same magnitude, mask 0x7F -> 0x31 ^ 0x7F = 0x4E.    32767 -> clipped to top code 0x80.
  assert.deepEqual([0, 1000, -1000, 32767, -32768].map(linearToUlaw), [0xff, 0xce, 0x4e, 0x80, 0x00]);
});

test("G.711 A-law: code values worked out by hand from the standard's segment table", () => {
  // Decoding: XOR 0x55, then segment 0: (m << 4) + 8; segment s >= 1: ((m << 4) + 264) << (s - 1); bit 7 set = positive.
  // 0xD5 -> 0x80: s0 m0 -> +8.   0x55 -> 0x00 -> -8.   0xAA -> 0xFF: s7 m15 -> (240 + 264) << 6 = +32256.
  // 0x2A -> 0x7F -> -32256.      0xC5 -> 0x90: s1 m0 -> 264 = +264.
  assert.deepEqual([0xd5, 0x55, 0xaa, 0x2a, 0xc5].map(alawToLinear), [8, -8, 32256, -32256, 264]);
  // Encoding: >> 3 to 13 bits; segments 0..31 s0, 32..63 s1, 64..127 s2 ... 1000 -> 125: s2, mantissa
  // (125 >> 2) & 15 = 15 -> 0x2F ^ 0xD5 = 0xFA.   0 -> s0 m0 -> 0xD5.   -1 -> -1 >> 3 = -1, -x-1 = 0 -> 0x00 ^ 0x55 = 0x55.
  assert.deepEqual([1000, 0, -1].map(linearToAlaw), [0xfa, 0xd5, 0x55]);
});

test('G.711 against Python audioop on all 65 536 linear values and all 256 codes, both laws', { skip: noAudioop }, () => {
  const script = [
    'import audioop, sys, struct',
    "lin = struct.pack('<65536h', *range(-32768, 32768))",
    'codes = bytes(range(256))',
    'sys.stdout.buffer.write(audioop.lin2ulaw(lin, 2) + audioop.lin2alaw(lin, 2) + audioop.ulaw2lin(codes, 2) + audioop.alaw2lin(codes, 2))',
  ].join('\n');
  const out = python(script);
  assert.equal(out.length, 65536 * 2 + 512 * 2);
  for (let v = -32768; v < 32768; v++) {
    const i = v + 32768;
    if (out[i] !== linearToUlaw(v)) assert.fail(`µ-law of ${v}: audioop ${out[i]}, sipts ${linearToUlaw(v)}`);
    if (out[65536 + i] !== linearToAlaw(v)) assert.fail(`A-law of ${v}: audioop ${out[65536 + i]}, sipts ${linearToAlaw(v)}`);
  }
  for (let c = 0; c < 256; c++) {
    assert.equal(ulawToLinear(c), out.readInt16LE(131072 + 2 * c), `µ-law code ${c}`);
    assert.equal(alawToLinear(c), out.readInt16LE(131072 + 512 + 2 * c), `A-law code ${c}`);
  }
});

test('µ-law ↔ A-law transcoding equals audioop decoding then encoding', { skip: noAudioop }, () => {
  const codes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const out = python(
    'import audioop, sys\nc = bytes(range(256))\nsys.stdout.buffer.write(audioop.lin2alaw(audioop.ulaw2lin(c, 2), 2) + audioop.lin2ulaw(audioop.alaw2lin(c, 2), 2))',
  );
  assert.equal(transcodeG711(codes, 'ulaw', 'alaw').toString('hex'), out.subarray(0, 256).toString('hex'));
  assert.equal(transcodeG711(codes, 'alaw', 'ulaw').toString('hex'), out.subarray(256).toString('hex'));
});
