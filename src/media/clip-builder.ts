import { NOT_RTP, type ClipStream, type MediaClip } from './clip.js';
import { staticClockRate } from './payload-types.js';
import { parseRtpHeader } from './rtp-packet.js';

/** One UDP payload as read from a file or generated, with its absolute time and destination port. */
export interface RawDatagram {
  readonly payload: Buffer;
  readonly timeUs: number;
  readonly dstPort: number;
}

interface StreamAcc {
  ssrc: number;
  dstPort: number;
  payloadTypes: number[];
  packetCount: number;
  firstSeq: number;
  lastSeq: number;
  firstTimestamp: number;
  lastTimestamp: number;
  steps: Map<number, number>;
}

/**
 * Turns datagrams into a clip: offsets from the first packet, port offsets from the lowest destination port (as
 * SIPp's pcap play computes its base port), and per RTP stream (SSRC + destination port) what a player needs.
 */
export function buildClip(datagrams: readonly RawDatagram[], hint: { readonly timestampStep?: number } = {}): MediaClip {
  const n = datagrams.length;
  const offsetsUs = new Float64Array(n);
  const portOffsets = new Uint16Array(n);
  const streamOf = new Uint16Array(n).fill(NOT_RTP);
  const firstTime = datagrams[0]?.timeUs ?? 0;
  let basePort = 0xffff;
  for (const d of datagrams) basePort = Math.min(basePort, d.dstPort);
  const accs: StreamAcc[] = [];
  const byKey = new Map<string, number>();
  let maxPacketBytes = 0;
  datagrams.forEach((d, i) => {
    offsetsUs[i] = d.timeUs - firstTime;
    portOffsets[i] = d.dstPort - basePort;
    maxPacketBytes = Math.max(maxPacketBytes, d.payload.length);
    const h = parseRtpHeader(d.payload);
    if (h === undefined) return;
    const key = `${h.ssrc}/${d.dstPort}`;
    let index = byKey.get(key);
    if (index === undefined) {
      index = accs.length;
      if (index >= NOT_RTP) return;
      byKey.set(key, index);
      accs.push({
        ssrc: h.ssrc,
        dstPort: d.dstPort,
        payloadTypes: [],
        packetCount: 0,
        firstSeq: h.sequenceNumber,
        lastSeq: h.sequenceNumber,
        firstTimestamp: h.timestamp,
        lastTimestamp: h.timestamp,
        steps: new Map(),
      });
    }
    const acc = accs[index];
    if (acc === undefined) return;
    streamOf[i] = index;
    if (!acc.payloadTypes.includes(h.payloadType)) acc.payloadTypes.push(h.payloadType);
    if (acc.packetCount > 0) {
      const step = (h.timestamp - acc.lastTimestamp) >>> 0;
      // A repeated timestamp (RFC 4733 event updates, video frames split across packets) is not a packet's length.
      if (step !== 0 && step < 0x80000000) acc.steps.set(step, (acc.steps.get(step) ?? 0) + 1);
    }
    acc.packetCount++;
    acc.lastSeq = h.sequenceNumber;
    acc.lastTimestamp = h.timestamp;
  });
  const streams: ClipStream[] = accs.map((a) => {
    const payloadType = a.payloadTypes[0] ?? 0;
    return {
      ssrc: a.ssrc,
      portOffset: a.dstPort - basePort,
      payloadType,
      payloadTypes: a.payloadTypes,
      clockRate: staticClockRate(payloadType),
      packetCount: a.packetCount,
      firstSeq: a.firstSeq,
      lastSeq: a.lastSeq,
      firstTimestamp: a.firstTimestamp,
      lastTimestamp: a.lastTimestamp,
      // A one-packet stream shows no step: the packetiser knows it; a capture leaves 0 (loops repeat timestamps).
      timestampStep: a.steps.size > 0 ? mostCommon(a.steps) : (hint.timestampStep ?? 0),
    };
  });
  return { packets: datagrams.map((d) => d.payload), offsetsUs, portOffsets, streamOf, streams, maxPacketBytes };
}

function mostCommon(counts: ReadonlyMap<number, number>): number {
  let best = 0;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}
