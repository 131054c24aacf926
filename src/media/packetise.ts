import { buildClip, type RawDatagram } from './clip-builder.js';
import type { MediaClip } from './clip.js';
import { silenceCode, type G711Law } from './g711.js';
import { PT_PCMA, PT_PCMU } from './payload-types.js';
import { buildRtpPacket } from './rtp-packet.js';

/**
 * G.711 samples → RTP packets at load time: 20 ms each (160 samples at 8 kHz, RFC 3551 §4.2: the default
 * packetization interval is 20 ms), timestamps stepping by the samples in a packet, sequence numbers by one.
 * A last partial packet is filled with silence so every packet has the same duration, which keeps the stream
 * continuous across loops.
 */
export interface PacketiseOptions {
  readonly ssrc: number;
  readonly firstSeq?: number;
  readonly firstTimestamp?: number;
  readonly ptimeMs?: number;
}

export const G711_SAMPLES_PER_MS = 8;

export function lawOfPayloadType(payloadType: number): G711Law | undefined {
  return payloadType === PT_PCMU ? 'ulaw' : payloadType === PT_PCMA ? 'alaw' : undefined;
}

export function packetiseG711(samples: Uint8Array, law: G711Law, o: PacketiseOptions): MediaClip {
  const ptimeMs = o.ptimeMs ?? 20;
  const perPacket = ptimeMs * G711_SAMPLES_PER_MS;
  const payloadType = law === 'ulaw' ? PT_PCMU : PT_PCMA;
  const count = Math.ceil(samples.length / perPacket);
  const datagrams: RawDatagram[] = [];
  for (let i = 0; i < count; i++) {
    const payload = Buffer.alloc(perPacket, silenceCode(law));
    payload.set(samples.subarray(i * perPacket, (i + 1) * perPacket), 0);
    const packet = buildRtpPacket(
      {
        marker: i === 0,
        payloadType,
        sequenceNumber: ((o.firstSeq ?? 0) + i) & 0xffff,
        timestamp: ((o.firstTimestamp ?? 0) + i * perPacket) >>> 0,
        ssrc: o.ssrc,
      },
      payload,
    );
    datagrams.push({ payload: packet, timeUs: i * ptimeMs * 1000, dstPort: 0 });
  }
  return buildClip(datagrams, { timestampStep: perPacket });
}
