/**
 * ITU-T G.711 µ-law and A-law, on 16-bit linear samples as most software scales them (µ-law's 14-bit and
 * A-law's 13-bit ranges shifted left by 2 and 3). Encoding follows the segment tables of G.711 Tables 1a/2a
 * (µ-law: bias 33 on the 14-bit magnitude, 8 segments; A-law: 8 segments, even bits inverted by XOR 0x55);
 * decoding gives each code's decision-interval midpoint, e.g. µ-law 0xFF → 0, 0x80 → +32124, A-law 0xD5 → +8.
 */

const SEGMENT_ENDS_ULAW = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff] as const;
const SEGMENT_ENDS_ALAW = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;
const ULAW_BIAS_14 = 0x21; // 33: G.711 µ-law's bias on the 14-bit magnitude
const ULAW_CLIP_14 = 8159; // 8191 - 33: beyond it the top code

function segmentOf(value: number, ends: readonly number[]): number {
  for (let s = 0; s < ends.length; s++) if (value <= (ends[s] ?? 0)) return s;
  return ends.length;
}

/** 16-bit linear → µ-law code. */
export function linearToUlaw(sample: number): number {
  let pcm = sample >> 2;
  let mask: number;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (pcm > ULAW_CLIP_14) pcm = ULAW_CLIP_14;
  pcm += ULAW_BIAS_14;
  const seg = segmentOf(pcm, SEGMENT_ENDS_ULAW);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 1)) & 0x0f)) ^ mask;
}

/** 16-bit linear → A-law code. */
export function linearToAlaw(sample: number): number {
  let pcm = sample >> 3;
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5; // sign bit set for positive values, then the even bits inverted
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = segmentOf(pcm, SEGMENT_ENDS_ALAW);
  if (seg >= 8) return 0x7f ^ mask;
  const mantissa = seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f;
  return ((seg << 4) | mantissa) ^ mask;
}

function ulawToLinearSlow(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return (u & 0x80) !== 0 ? -magnitude : magnitude;
}

function alawToLinearSlow(code: number): number {
  const a = code ^ 0x55;
  const seg = (a & 0x70) >> 4;
  let magnitude = (a & 0x0f) << 4;
  if (seg === 0) magnitude += 8;
  else magnitude = (magnitude + 0x108) << (seg - 1);
  return (a & 0x80) !== 0 ? magnitude : -magnitude;
}

const ULAW_TO_LINEAR = Int16Array.from({ length: 256 }, (_, c) => ulawToLinearSlow(c));
const ALAW_TO_LINEAR = Int16Array.from({ length: 256 }, (_, c) => alawToLinearSlow(c));

export function ulawToLinear(code: number): number {
  return ULAW_TO_LINEAR[code & 0xff] ?? 0;
}

export function alawToLinear(code: number): number {
  return ALAW_TO_LINEAR[code & 0xff] ?? 0;
}

export type G711Law = 'ulaw' | 'alaw';

/** Silence: the code of linear 0 (µ-law 0xFF, A-law 0xD5). */
export function silenceCode(law: G711Law): number {
  return law === 'ulaw' ? 0xff : 0xd5;
}

export function encodeG711(samples: Int16Array, law: G711Law): Buffer {
  const out = Buffer.allocUnsafe(samples.length);
  const encode = law === 'ulaw' ? linearToUlaw : linearToAlaw;
  for (let i = 0; i < samples.length; i++) out[i] = encode(samples[i] ?? 0);
  return out;
}

export function decodeG711(codes: Uint8Array, law: G711Law): Int16Array {
  const table = law === 'ulaw' ? ULAW_TO_LINEAR : ALAW_TO_LINEAR;
  const out = new Int16Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = table[codes[i] ?? 0] ?? 0;
  return out;
}

/** µ-law ↔ A-law through the linear value (G.711 also gives direct tables; the round trip is close to them). */
export function transcodeG711(codes: Uint8Array, from: G711Law, to: G711Law): Buffer {
  if (from === to) return Buffer.from(codes);
  return encodeG711(decodeG711(codes, from), to);
}
