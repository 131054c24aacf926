/**
 * A media clip: what a capture file or an audio file becomes at load time. Packets are ready-made RTP (or other
 * UDP payloads) in send order; at send time only their header fields are rewritten, per call, into a per-call
 * buffer (rtp-packet.ts), so nothing is parsed or allocated per packet.
 */

/** One RTP stream of a clip, told apart by SSRC and destination port. */
export interface ClipStream {
  readonly ssrc: number;
  /** Offset of the stream's destination port from the clip's lowest destination port (SIPp's "base" port). */
  readonly portOffset: number;
  /** Payload type of the stream's first packet. */
  readonly payloadType: number;
  /** Every payload type seen in the stream, in order of first appearance (e.g. PCMA 8 then telephone-event 101). */
  readonly payloadTypes: readonly number[];
  /** RTP clock rate of `payloadType` when it is a static type (RFC 3551 §6); undefined for a dynamic one. */
  readonly clockRate: number | undefined;
  readonly packetCount: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly firstTimestamp: number;
  readonly lastTimestamp: number;
  /** The most common timestamp step between consecutive packets: one packet's duration, in clock ticks. */
  readonly timestampStep: number;
}

export interface MediaClip {
  /** Each packet's bytes (a UDP payload: for RTP, header and payload), in send order. */
  readonly packets: readonly Buffer[];
  /** Send time of each packet in µs after the first packet. */
  readonly offsetsUs: Float64Array;
  /** Each packet's destination port minus the clip's lowest destination port (0 for generated media). */
  readonly portOffsets: Uint16Array;
  /** Index into `streams` of each packet's RTP stream; NOT_RTP for a UDP payload that is not RTP version 2. */
  readonly streamOf: Uint16Array;
  readonly streams: readonly ClipStream[];
  /** The longest packet: the size of a per-call send buffer. */
  readonly maxPacketBytes: number;
}

export const NOT_RTP = 0xffff;
