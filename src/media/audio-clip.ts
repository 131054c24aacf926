import { readFileSync } from 'node:fs';
import { buildClip, type RawDatagram } from './clip-builder.js';
import type { MediaClip } from './clip.js';
import { mediaFileError } from './media-error.js';
import { lawOfPayloadType, packetiseG711 } from './packetise.js';
import { buildRtpPacket } from './rtp-packet.js';
import { isWav, readAudio, wavData } from './wav.js';
import { messageOf } from '../thrown.js';

/**
 * An audio file for `<exec rtp_stream="file[,loops[,payload type]]"/>` → a clip, with SIPp 3.6.1's packet
 * sizes per payload type: PCMU (0), PCMA (8) and G.722 (9) 160 octets every 20 ms (timestamp +160: G.722's RTP
 * clock is 8000 Hz, RFC 3551 §4.5.2), G.729 (18) 20 octets every 20 ms (+160), iLBC 30 ms mode 50 octets every
 * 30 ms (+240; SIPp 3.6.1 knows it as payload type 98).
 */
export interface RtpStreamCodec {
  readonly bytesPerPacket: number;
  readonly ptimeMs: number;
  readonly ticksPerPacket: number;
}

export const RTP_STREAM_CODECS: ReadonlyMap<number, RtpStreamCodec> = new Map([
  [0, { bytesPerPacket: 160, ptimeMs: 20, ticksPerPacket: 160 }],
  [8, { bytesPerPacket: 160, ptimeMs: 20, ticksPerPacket: 160 }],
  [9, { bytesPerPacket: 160, ptimeMs: 20, ticksPerPacket: 160 }],
  [18, { bytesPerPacket: 20, ptimeMs: 20, ticksPerPacket: 160 }],
  [98, { bytesPerPacket: 50, ptimeMs: 30, ticksPerPacket: 240 }],
]);

export function loadAudioClip(path: string, payloadType: number, ssrc: number): MediaClip {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw mediaFileError(
      path,
      0,
      `cannot read the audio file: ${messageOf(e)}`,
      'check the path of rtp_stream (relative paths are from the working directory)',
    );
  }
  return audioClip(bytes, path, payloadType, ssrc);
}

/**
 * G.711 goes through the WAV reader (PCM converted to the payload type's law) and the packetiser (a last partial
 * packet padded with silence). Other codecs are frames sipts does not decode: the file's bytes (a WAV file's data
 * chunk) are cut into packets, and SIPp compat: a last partial packet is completed from the start of the file,
 * as SIPp's circular playback does.
 */
export function audioClip(bytes: Buffer, file: string, payloadType: number, ssrc: number): MediaClip {
  const codec = RTP_STREAM_CODECS.get(payloadType);
  if (codec === undefined) {
    throw mediaFileError(
      file,
      0,
      `rtp_stream has no packet size for payload type ${payloadType}`,
      `use one of ${[...RTP_STREAM_CODECS.keys()].join(', ')} (PCMU, PCMA, G.722, G.729, iLBC 30 ms)`,
    );
  }
  const law = lawOfPayloadType(payloadType);
  if (law !== undefined) return packetiseG711(readAudio(bytes, file, law).samples, law, { ssrc, ptimeMs: codec.ptimeMs });
  const data = isWav(bytes) ? wavData(bytes, file) : bytes;
  if (data.length === 0) throw mediaFileError(file, 0, 'the audio file has no audio', "give a file of the codec's frames");
  const count = Math.ceil(data.length / codec.bytesPerPacket);
  const datagrams: RawDatagram[] = [];
  for (let i = 0; i < count; i++) {
    const payload = Buffer.alloc(codec.bytesPerPacket);
    for (let k = 0; k < codec.bytesPerPacket; k++) payload[k] = data[(i * codec.bytesPerPacket + k) % data.length] ?? 0;
    const packet = buildRtpPacket(
      { marker: i === 0, payloadType, sequenceNumber: i & 0xffff, timestamp: (i * codec.ticksPerPacket) >>> 0, ssrc },
      payload,
    );
    datagrams.push({ payload: packet, timeUs: i * codec.ptimeMs * 1000, dstPort: 0 });
  }
  return buildClip(datagrams, { timestampStep: codec.ticksPerPacket });
}
