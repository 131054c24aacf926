import type { MediaClip } from './clip.js';
import { encodeG711, type G711Law } from './g711.js';
import { packetiseG711 } from './packetise.js';

/**
 * Sample media of our own, generated when needed so that the repository carries no audio or capture files: a
 * sine tone, as 16-bit samples, as a G.711 WAV file, or as RTP packets (which capture-write.ts writes as pcap
 * or pcapng for play_pcap_audio).
 */
export interface ToneOptions {
  readonly frequencyHz?: number;
  readonly durationMs?: number;
  /** Peak amplitude as a fraction of full scale (0..1]. */
  readonly amplitude?: number;
}

export const TONE_SAMPLE_RATE = 8000;

export function toneSamples(o: ToneOptions = {}): Int16Array {
  const frequencyHz = o.frequencyHz ?? 1000;
  const count = Math.round(((o.durationMs ?? 1000) * TONE_SAMPLE_RATE) / 1000);
  const peak = Math.round((o.amplitude ?? 0.5) * 32767);
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.round(peak * Math.sin((2 * Math.PI * frequencyHz * i) / TONE_SAMPLE_RATE));
  return out;
}

/** A WAV file (RIFF, format 7 µ-law or 6 A-law, 8 kHz mono) of the tone. */
export function toneWav(law: G711Law, o: ToneOptions = {}): Buffer {
  return g711Wav(encodeG711(toneSamples(o), law), law);
}

/**
 * G.711 samples in a WAV container. Non-PCM formats carry a "fact" chunk with the sample count (the RIFF
 * multimedia specification asks for it for compressed formats) and a 18-octet fmt chunk (cbSize 0).
 */
export function g711Wav(samples: Uint8Array, law: G711Law): Buffer {
  const fmt = Buffer.alloc(8 + 18);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(18, 4);
  fmt.writeUInt16LE(law === 'ulaw' ? 7 : 6, 8);
  fmt.writeUInt16LE(1, 10); // channels
  fmt.writeUInt32LE(TONE_SAMPLE_RATE, 12);
  fmt.writeUInt32LE(TONE_SAMPLE_RATE, 16); // bytes per second
  fmt.writeUInt16LE(1, 20); // block align
  fmt.writeUInt16LE(8, 22); // bits per sample
  fmt.writeUInt16LE(0, 24); // cbSize
  const fact = Buffer.alloc(12);
  fact.write('fact', 0, 'latin1');
  fact.writeUInt32LE(4, 4);
  fact.writeUInt32LE(samples.length, 8);
  const pad = samples.length % 2;
  const dataHeader = Buffer.alloc(8);
  dataHeader.write('data', 0, 'latin1');
  dataHeader.writeUInt32LE(samples.length, 4);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + fmt.length + fact.length + dataHeader.length + samples.length + pad, 4);
  riff.write('WAVE', 8, 'latin1');
  return Buffer.concat([riff, fmt, fact, dataHeader, samples, Buffer.alloc(pad)]);
}

/** The tone as RTP packets (20 ms, PCMU or PCMA). */
export function toneClip(law: G711Law, o: ToneOptions & { readonly ssrc?: number } = {}): MediaClip {
  return packetiseG711(encodeG711(toneSamples(o), law), law, { ssrc: o.ssrc ?? 0x51505453 });
}
