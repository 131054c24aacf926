import { buildClip, type RawDatagram } from './clip-builder.js';
import type { MediaClip } from './clip.js';
import { buildRtpPacket } from './rtp-packet.js';

/**
 * DTMF as RFC 4733 telephone-events, what SIPp's `<exec play_dtmf="digits[,ms]"/>` sends. Per digit, the
 * payload of RFC 4733 §2.3: event code (§3.2: 0-9, * = 10, # = 11, A-D = 12-15), end bit E, volume, duration.
 * As RFC 4733 §2.5.1 has a sender do it: the marker is set on an event's first packet, every packet of an event
 * carries the event's start timestamp, updates (here every 20 ms) carry the duration so far, and the final
 * packet, with E set, is sent three times.
 *
 * SIPp compat, kept: tone 200 ms by default, a length outside 50..2000 ms falls back to 200; volume 10
 * (-10 dBm0); payload type 96; the first update has duration 0; a digit starts every twice its tone length
 * (a tone, then as much silence); the three final packets go 1 ms apart right after the tone; characters that
 * are not DTMF digits are skipped; before the first digit, 400 ms of RTP no-op packets (payload type 97,
 * draft-wing-avt-rtp-noop) open the stream, each with its own sequence number.
 * Deliberately not kept (test/interop/media-dtmf-sipp.test.ts shows SIPp 3.6.1 doing it): SIPp numbers the
 * no-op packets in steps of two, and its timestamps advance in milliseconds (durations are in 8 kHz units) with
 * an event stamped two tone lengths before it is sent; sipts numbers every packet by one and stamps each packet
 * with its send time on the 8 kHz clock, so timestamps and durations agree (RFC 4733 §2: the duration is in
 * timestamp units and an event's timestamp is when it began).
 */

export const DTMF_PAYLOAD_TYPE = 96;
export const NOOP_PAYLOAD_TYPE = 97;
export const DTMF_VOLUME = 10;
export const DTMF_DEFAULT_TONE_MS = 200;
const UPDATE_MS = 20;
const CLOCK_PER_MS = 8; // telephone-event at 8000 Hz
const WARM_UP_PACKETS = 20; // 400 ms at 20 ms

export interface DtmfOptions {
  readonly toneMs?: number;
  readonly ssrc: number;
  readonly firstSeq?: number;
  readonly firstTimestamp?: number;
  readonly payloadType?: number;
  /** Send SIPp's 400 ms of no-op packets first (default true). */
  readonly warmUp?: boolean;
}

/** Event code of a DTMF character (RFC 4733 §3.2), undefined for any other character. */
export function dtmfEventCode(ch: string): number | undefined {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  const i = '*#ABCD'.indexOf(ch);
  return ch.length === 1 && i >= 0 ? 10 + i : undefined;
}

/**
 * Reads play_dtmf's argument "digits[,tone ms]". SIPp compat: a tone length outside 50..2000 ms (or not a number)
 * silently becomes 200 ms in SIPp; sipts does the same and says so in `warning`.
 */
export function parsePlayDtmf(arg: string): { digits: string; toneMs: number; warning?: string } {
  const comma = arg.indexOf(',');
  if (comma < 0) return { digits: arg, toneMs: DTMF_DEFAULT_TONE_MS };
  const text = arg.slice(comma + 1).trim();
  const ms = Number.parseInt(text, 10);
  const digits = arg.slice(0, comma);
  if (Number.isFinite(ms) && ms >= 50 && ms <= 2000) return { digits, toneMs: ms };
  return {
    digits,
    toneMs: DTMF_DEFAULT_TONE_MS,
    warning: `play_dtmf tone length "${text}" is outside 50..2000 ms: ${DTMF_DEFAULT_TONE_MS} ms is used, as SIPp does`,
  };
}

/** RFC 4733 §2.3 payload: event, E|R|volume, duration (16 bits). */
export function telephoneEventPayload(event: number, end: boolean, volume: number, duration: number): Buffer {
  const p = Buffer.alloc(4);
  p[0] = event;
  p[1] = (end ? 0x80 : 0) | (volume & 0x3f);
  p.writeUInt16BE(Math.min(duration, 0xffff), 2);
  return p;
}

export function dtmfClip(digits: string, o: DtmfOptions): MediaClip {
  const toneMs = o.toneMs ?? DTMF_DEFAULT_TONE_MS;
  if (!(toneMs >= 50 && toneMs <= 2000))
    throw new RangeError(`dtmfClip: tone length ${toneMs} ms outside 50..2000 (parsePlayDtmf brings it in range)`);
  const events: number[] = [];
  for (const ch of digits) {
    const code = dtmfEventCode(ch);
    if (code !== undefined) events.push(code);
  }
  const pt = o.payloadType ?? DTMF_PAYLOAD_TYPE;
  const base = o.firstTimestamp ?? 0;
  let seq = o.firstSeq ?? 0;
  const out: RawDatagram[] = [];
  const push = (payloadType: number, marker: boolean, timestamp: number, payload: Buffer, atMs: number): void => {
    out.push({
      payload: buildRtpPacket({ marker, payloadType, sequenceNumber: seq & 0xffff, timestamp: timestamp >>> 0, ssrc: o.ssrc }, payload),
      timeUs: atMs * 1000,
      dstPort: 0,
    });
    seq++;
  };
  let startMs = 0;
  if (events.length > 0 && o.warmUp !== false) {
    // No-op payload: R bit (ask for RTCP) clear and reserved bits.
    for (let i = 0; i < WARM_UP_PACKETS; i++)
      push(NOOP_PAYLOAD_TYPE, false, base + i * UPDATE_MS * CLOCK_PER_MS, Buffer.alloc(4), i * UPDATE_MS);
    startMs = WARM_UP_PACKETS * UPDATE_MS;
  }
  events.forEach((event, n) => {
    const eventMs = startMs + (n + 1) * 2 * toneMs;
    const timestamp = base + eventMs * CLOCK_PER_MS;
    for (let t = 0; t < toneMs; t += UPDATE_MS)
      push(pt, t === 0, timestamp, telephoneEventPayload(event, false, DTMF_VOLUME, t * CLOCK_PER_MS), eventMs + t);
    for (let i = 1; i <= 3; i++)
      push(pt, false, timestamp, telephoneEventPayload(event, true, DTMF_VOLUME, toneMs * CLOCK_PER_MS), eventMs + toneMs + i);
  });
  return buildClip(out);
}
