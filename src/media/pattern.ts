/**
 * SIPp 3.7's generated RTP patterns (`<exec rtp_stream="apattern,ID,PT,CODEC"/>`, `vpattern`): a stream of
 * packets whose payload is one octet repeated, sent until paused, replaced or the call ends. SIPp uses them to
 * compare an echo with what it sent; sipts measures the echo (loss, jitter) like any stream's.
 *
 * Packet size, packet time and timestamp step come from the payload type and codec name, as SIPp 3.7 derives
 * them (src/actions.cpp, CAction::setRTPStreamActInfo; the same table serves its rtp_stream files):
 *
 * | PT     | codec name   | octets | ms  | timestamp step | why                                               |
 * | ------ | ------------ | ------ | --- | -------------- | ------------------------------------------------- |
 * | 0      | PCMU/8000    | 160    | 20  | 160            | 8000 Hz × 20 ms, 1 octet a sample (RFC 3551 §4.5.14) |
 * | 8      | PCMA/8000    | 160    | 20  | 160            | the same                                          |
 * | 9      | G722/8000    | 160    | 20  | 160            | 64 kbit/s × 20 ms; RTP clock 8000 (RFC 3551 §4.5.2) |
 * | 18     | G729/8000    | 20     | 20  | 160            | two 10-ms frames of 10 octets (RFC 3551 §4.5.6)    |
 * | 13     | any name     | 1      | 150 | 1200           | comfort noise, one level octet (RFC 3389)          |
 * | 96-127 | iLBC/8000    | 50     | 30  | 240            | the 30-ms mode (RFC 3952)                          |
 * | 96-127 | H264/90000   | 1280   | 160 | 1280           | SIPp's arbitrary video packet (see below)          |
 *
 * With no codec name, 0, 8, 9 and 18 take the names above (SIPp's defaults); any other type needs one.
 */
import { buildClip, type RawDatagram } from './clip-builder.js';
import type { MediaClip } from './clip.js';
import { buildRtpPacket } from './rtp-packet.js';

export interface PatternCodec {
  readonly bytesPerPacket: number;
  readonly ptimeMs: number;
  readonly ticksPerPacket: number;
}

/** SIPp's pattern ids: 1 to 6 (3.7's rtpstream.cpp refuses others when it caches the pattern). */
export const PATTERN_IDS = { min: 1, max: 6 } as const;

/** The codec name a payload type takes when the action names none (SIPp 3.7's defaults). */
const DEFAULT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'PCMU/8000'],
  [8, 'PCMA/8000'],
  [9, 'G722/8000'],
  [18, 'G729/8000'],
]);

const G711: PatternCodec = { bytesPerPacket: 160, ptimeMs: 20, ticksPerPacket: 160 };

/** Static payload types: the one name each is taken with (a name SIPp does not know leaves it no packet size). */
const STATIC: ReadonlyMap<number, { readonly name: string; readonly codec: PatternCodec }> = new Map([
  [0, { name: 'PCMU/8000', codec: G711 }],
  [8, { name: 'PCMA/8000', codec: G711 }],
  [9, { name: 'G722/8000', codec: G711 }],
  [18, { name: 'G729/8000', codec: { bytesPerPacket: 20, ptimeMs: 20, ticksPerPacket: 160 } }],
]);

/** Comfort noise (RFC 3389), static type 13 whatever its name: one octet every 150 ms. */
const CN_TYPE = 13;
const CN: PatternCodec = { bytesPerPacket: 1, ptimeMs: 150, ticksPerPacket: 1200 };

/** Dynamic payload types (RFC 3551 §3: 96-127) are known by name. */
const DYNAMIC: ReadonlyMap<string, PatternCodec> = new Map([
  ['iLBC/8000', { bytesPerPacket: 50, ptimeMs: 30, ticksPerPacket: 240 }],
  // SIPp compat: SIPp 3.7 calls these values arbitrary. At H.264's 90 kHz clock 160 ms would be 14400 ticks;
  // SIPp steps 1280, and sipts does the same so that both send the same stream.
  ['H264/90000', { bytesPerPacket: 1280, ptimeMs: 160, ticksPerPacket: 1280 }],
]);

const DYNAMIC_MIN = 96;

/** The packet size and timing of `payloadType` named `name` ('' for none), or what is wrong and how to fix it. */
export function patternCodec(
  payloadType: number,
  name: string,
): { readonly codec: PatternCodec; readonly name: string } | { readonly error: string; readonly hint: string } {
  const given = name === '' ? DEFAULT_NAMES.get(payloadType) : name;
  if (payloadType < 0 || payloadType > 127) {
    return { error: `payload type ${payloadType} is not an RTP payload type (0-127)`, hint: 'e.g. 0 for PCMU, 8 for PCMA' };
  }
  const s = STATIC.get(payloadType);
  if (payloadType < DYNAMIC_MIN && payloadType !== CN_TYPE && s === undefined) {
    return {
      error: `static payload type ${payloadType} has no packet size sipts (or SIPp) knows`,
      hint: 'use 0 (PCMU/8000), 8 (PCMA/8000), 9 (G722/8000), 13 (comfort noise, with a name) or 18 (G729/8000)',
    };
  }
  if (given === undefined) {
    // SIPp compat: SIPp 3.7 refuses these too ("Missing mandatory payload_name").
    return {
      error: `payload type ${payloadType} needs a codec name`,
      hint: `add it after the payload type, e.g. rtp_stream="apattern,1,${payloadType},${payloadType >= DYNAMIC_MIN ? 'H264/90000' : 'CN/8000'}"`,
    };
  }
  if (payloadType === CN_TYPE) return { codec: CN, name: given };
  if (s !== undefined) {
    if (s.name !== given) {
      return {
        error: `payload type ${payloadType} is ${s.name}, not ${given}`,
        hint: `write ${payloadType},${s.name} or leave the name out`,
      };
    }
    return { codec: s.codec, name: given };
  }
  const codec = DYNAMIC.get(given);
  if (codec === undefined) {
    return {
      error: `dynamic payload type ${payloadType} named ${given} has no packet size sipts (or SIPp) knows`,
      hint: `name one of ${[...DYNAMIC.keys()].join(', ')} (case matters)`,
    };
  }
  return { codec, name: given };
}

/**
 * The octet pattern `id` repeats. SIPp compat: the same octet per id as SIPp 3.7 (0xAA for 1, then 0x11 more
 * per id up to 0xFF for 6), so a capture of either tool's pattern reads the same.
 */
export function patternOctet(id: number): number {
  return (0xaa + 0x11 * (id - 1)) & 0xff;
}

/** How much of the stream one clip holds: a loop of the clip restarts with no gap, so this only sets its size. */
const CLIP_MS = 1000;

/**
 * The clip of pattern `id`: about a second of packets (at least two, so that their spacing is the stream's
 * packet time), timestamps stepping by the codec's ticks, no marker bit (SIPp sets none). Played with loops -1,
 * it is one endless stream (media/rtp-rewrite.ts carries sequence numbers and timestamps across loops).
 */
export function patternClip(id: number, payloadType: number, codec: PatternCodec, ssrc = 0): MediaClip {
  const count = Math.max(2, Math.ceil(CLIP_MS / codec.ptimeMs));
  const payload = Buffer.alloc(codec.bytesPerPacket, patternOctet(id));
  const datagrams: RawDatagram[] = [];
  for (let i = 0; i < count; i++) {
    const packet = buildRtpPacket(
      { marker: false, payloadType, sequenceNumber: i, timestamp: (i * codec.ticksPerPacket) >>> 0, ssrc },
      payload,
    );
    datagrams.push({ payload: packet, timeUs: i * codec.ptimeMs * 1000, dstPort: 0 });
  }
  return buildClip(datagrams, { timestampStep: codec.ticksPerPacket });
}
