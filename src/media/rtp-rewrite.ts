import { getRandomValues } from 'node:crypto';
import { NOT_RTP, type MediaClip } from './clip.js';
import { readSeq, readTimestamp, writeSeq, writeSsrc, writeTimestamp } from './rtp-packet.js';

/**
 * Per-call RTP rewriting of a clip. The clip's packets are built once at load time; each call gets a new SSRC
 * per stream and its own sequence number and timestamp offsets (RFC 3550 §5.1: the initial values SHOULD be
 * random, and §8: an SSRC is chosen at random so that sources are told apart), so calls playing the same file are
 * different streams. Sending copies a packet into the call's buffer and rewrites three header fields in place:
 * no allocation per packet.
 *
 * Loops stay one continuous stream: after the last packet of a loop, the next loop's first packet has the last
 * sequence number plus one and the last timestamp plus one packet duration (the stream's usual timestamp step),
 * as a receiver would see from a sender that kept talking (RFC 3550 §5.1: timestamps advance with the sampling
 * clock, sequence numbers by one per packet).
 */
export class CallRtpState {
  /** Per stream of the clip: the new SSRC. */
  readonly ssrcs: Uint32Array;
  /** Per stream: what is added (mod 2^16) to each original sequence number in the current loop. */
  private readonly seqDelta: Uint32Array;
  /** Per stream: what is added (mod 2^32) to each original timestamp in the current loop. */
  private readonly tsDelta: Uint32Array;
  /** Per stream: how much one loop advances seq and timestamp. */
  private readonly seqPerLoop: Uint32Array;
  private readonly tsPerLoop: Uint32Array;
  /** Per stream: one packet's duration in timestamp units. */
  private readonly tsStep: Uint32Array;
  private loopsDone = 0;

  /**
   * `firstSeq`/`firstTimestamp`/`ssrcs` give each stream's first values for this call; pass random ones
   * (RFC 3550 §5.1) or fixed ones in tests. Missing entries fall back to the clip's own values.
   */
  constructor(
    private readonly clip: MediaClip,
    init: { readonly ssrcs: readonly number[]; readonly firstSeqs?: readonly number[]; readonly firstTimestamps?: readonly number[] },
  ) {
    const n = clip.streams.length;
    this.ssrcs = new Uint32Array(n);
    this.seqDelta = new Uint32Array(n);
    this.tsDelta = new Uint32Array(n);
    this.seqPerLoop = new Uint32Array(n);
    this.tsPerLoop = new Uint32Array(n);
    this.tsStep = new Uint32Array(n);
    clip.streams.forEach((s, i) => {
      this.ssrcs[i] = init.ssrcs[i] ?? s.ssrc;
      this.seqDelta[i] = ((init.firstSeqs?.[i] ?? s.firstSeq) - s.firstSeq) & 0xffff;
      this.tsDelta[i] = ((init.firstTimestamps?.[i] ?? s.firstTimestamp) - s.firstTimestamp) >>> 0;
      this.seqPerLoop[i] = (s.lastSeq - s.firstSeq + 1) & 0xffff;
      this.tsPerLoop[i] = (s.lastTimestamp - s.firstTimestamp + s.timestampStep) >>> 0;
      this.tsStep[i] = s.timestampStep;
    });
  }

  /**
   * A call's state with random SSRCs, first sequence numbers and first timestamps (RFC 3550 §5.1, §8.1). Once
   * per call; `random` (3 values per stream) can be given for reproducible runs.
   */
  static random(clip: MediaClip, random: Uint32Array = getRandomValues(new Uint32Array(3 * clip.streams.length))): CallRtpState {
    const n = clip.streams.length;
    const pick = (k: number): number[] => Array.from({ length: n }, (_, i) => random[3 * i + k] ?? 0);
    return new CallRtpState(clip, { ssrcs: pick(0), firstSeqs: pick(1).map((v) => v & 0xffff), firstTimestamps: pick(2) });
  }

  /** Loops completed so far. */
  get loops(): number {
    return this.loopsDone;
  }

  /** Call after the last packet of a loop, before the first packet of the next one. */
  nextLoop(): void {
    for (let i = 0; i < this.ssrcs.length; i++) {
      this.seqDelta[i] = ((this.seqDelta[i] ?? 0) + (this.seqPerLoop[i] ?? 0)) & 0xffff;
      this.tsDelta[i] = ((this.tsDelta[i] ?? 0) + (this.tsPerLoop[i] ?? 0)) >>> 0;
    }
    this.loopsDone++;
  }

  /**
   * A packet time passed with nothing sent (the stream is paused): each stream's timestamps move on by one
   * packet's duration, so that the next packet's timestamp tells when it was sampled (RFC 3550 §5.1) and the
   * receiver's jitter (§6.4.1) does not count the pause as delay. SIPp does the same (3.7's rtpstream.cpp keeps
   * a paused stream's timestamp up to date); sequence numbers stay where they were, as nothing was lost.
   */
  skipPacketTime(): void {
    for (let i = 0; i < this.tsStep.length; i++) this.tsDelta[i] = ((this.tsDelta[i] ?? 0) + (this.tsStep[i] ?? 0)) >>> 0;
  }

  /**
   * Copies packet `index` of the clip into `out` (at least `clip.maxPacketBytes` long) with this call's SSRC,
   * sequence number and timestamp; returns its length. A UDP payload that is not RTP is copied unchanged.
   */
  render(index: number, out: Uint8Array): number {
    const packet = this.clip.packets[index];
    if (packet === undefined) return 0;
    out.set(packet, 0);
    const stream = this.clip.streamOf[index] ?? NOT_RTP;
    if (stream === NOT_RTP) return packet.length;
    writeSeq(out, 0, (readSeq(packet) + (this.seqDelta[stream] ?? 0)) & 0xffff);
    writeTimestamp(out, 0, (readTimestamp(packet) + (this.tsDelta[stream] ?? 0)) >>> 0);
    writeSsrc(out, 0, this.ssrcs[stream] ?? 0);
    return packet.length;
  }
}
