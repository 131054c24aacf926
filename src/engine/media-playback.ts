/**
 * The clips the calls play (play_pcap_*, play_dtmf, rtp_stream), paced by ONE pacer for every stream of the run
 * (media/pacer.ts: a heap and one timer, no timer per packet, phases spread). A stream's packets are the clip's,
 * built at load time; each call rewrites SSRC, sequence number and timestamp (media/rtp-rewrite.ts) into a buffer
 * of one ring shared by the run, so sending allocates nothing (node:dgram keeps the buffer until the next tick:
 * the ring is far longer than what one tick sends). An rtp_stream of an SRTP call goes protected.
 */
import type { MediaClip } from '../media/clip.js';
import type { Pacer } from '../media/pacer.js';
import { CallRtpState } from '../media/rtp-rewrite.js';
import { MAX_TAG_BYTES } from '../media/srtp.js';
import type { CallMedia, Stream, StreamKind } from './media-call.js';
import { countSent } from './media-rtcp.js';
import type { MediaTally } from './media-tally.js';

/** Buffers in the send ring: more than any one pacer tick sends. */
const RING = 8192;
/** Packet timing granularity of a stream with no regular spacing (ms). */
const DEFAULT_INTERVAL_MS = 20;
/** RTP header and an RFC 4733 event: the packets play_dtmf makes at run time. */
const DTMF_PACKET_BYTES = 16;

export class MediaPlayback {
  private readonly byPacerId: (Stream | undefined)[] = [];
  private readonly ring: Buffer[];
  private ringAt = 0;

  constructor(
    private readonly pacer: Pacer,
    private readonly tally: MediaTally,
    maxPacketBytes: number,
  ) {
    // Room for an SRTP tag after the longest packet.
    this.ring = Array.from({ length: RING }, () => Buffer.alloc(Math.max(DTMF_PACKET_BYTES, maxPacketBytes) + MAX_TAG_BYTES));
  }

  /** The call plays `clip` now, or once its socket is open (the caller opens it). */
  play(cm: CallMedia, kind: StreamKind, line: Stream['line'], clip: MediaClip, loops: number): void {
    // SIPp compat: a call plays one capture at a time (a new play_pcap_* or play_dtmf ends the one playing),
    // and one rtp_stream per line (a file or an apattern replaces the audio one, a vpattern the video one).
    const replaces = (x: Stream): boolean => x.kind === kind && (kind === 'pcap' || x.line === line);
    const replaced = kind === 'stream' ? [...cm.streams, ...cm.waiting].find(replaces) : undefined;
    const rtp = (replaced === undefined ? undefined : this.continued(replaced, clip)) ?? CallRtpState.random(clip);
    for (const s of cm.streams.filter(replaces)) this.stop(s);
    cm.streams = cm.streams.filter((x) => !replaces(x));
    cm.waiting = cm.waiting.filter((x) => !replaces(x));
    const stream: Stream = {
      call: cm,
      kind,
      line,
      clip,
      rtp,
      intervalMs: intervalOf(clip),
      loopsLeft: loops < 0 ? -1 : loops - 1,
      next: 0,
      loopStartMs: 0,
      pacerId: -1,
    };
    if (cm.socket !== undefined) this.begin(stream);
    else cm.waiting.push(stream);
  }

  /**
   * rtp_stream pause and resume (no `line`): the call's rtp_streams hold or go on. SIPp 3.7's pauseapattern …
   * resumevpattern (`line`): that line's stream, a pattern or a file, under a hold of its own (see CallMedia).
   */
  pause(cm: CallMedia, paused: boolean, line?: 'audio' | 'video'): void {
    if (line === undefined) cm.streamsPaused = paused;
    else if (line === 'audio') cm.heldAudio = paused;
    else cm.heldVideo = paused;
  }

  /** The call's socket is open: what waited for it starts. */
  opened(cm: CallMedia): void {
    const waiting = cm.waiting;
    cm.waiting = [];
    for (const s of waiting) this.begin(s);
  }

  /** The call ended: nothing of it plays on. */
  stopAll(cm: CallMedia): void {
    for (const s of cm.streams) this.stop(s);
    cm.streams.length = 0;
    cm.waiting.length = 0;
  }

  /**
   * The pacer says `id` is due: when it is a stream, every packet of its clip due by then goes out (true);
   * false when `id` is no stream of this playback.
   */
  due(id: number, dueMs: number): boolean {
    const s = this.byPacerId[id];
    if (s === undefined) return false;
    this.send(s, dueMs);
    return true;
  }

  /**
   * A buffer for one echoed SRTP packet: the send ring's next one when the packet fits (node:dgram keeps it until
   * the next tick), else a new one.
   */
  sendBuffer(bytes: number): Buffer {
    const ring = this.ring[this.ringAt] as Buffer;
    if (ring.length < bytes) return Buffer.alloc(bytes);
    this.ringAt = (this.ringAt + 1) % RING;
    return ring;
  }

  /**
   * The RTP state of a stream that takes the place of `old` on its line. SIPp compat: SIPp gives a call one SSRC
   * per line and one sequence counter (rtpstream.cpp's per-call task), so a new rtp_stream or pattern goes on as
   * the same source: same SSRC, the next sequence number and timestamp (a receiver sees one stream, and measures
   * all of it). Undefined when either clip holds other than one stream.
   */
  private continued(old: Stream, clip: MediaClip): CallRtpState | undefined {
    if (old.clip.streams.length !== 1 || clip.streams.length !== 1 || old.next >= old.clip.packets.length) return undefined;
    // What the old stream would have sent next, rendered into the ring's next buffer (not sent, not advanced).
    const buf = this.ring[this.ringAt] as Buffer;
    if (old.rtp.render(old.next, buf) < 12) return undefined;
    return new CallRtpState(clip, {
      ssrcs: [buf.readUInt32BE(8)],
      firstSeqs: [buf.readUInt16BE(2)],
      firstTimestamps: [buf.readUInt32BE(4)],
    });
  }

  private begin(s: Stream): void {
    const cm = s.call;
    if (cm.peer === undefined) {
      this.tally.fail(
        `call ${cm.call.callId} plays media but the peer sent no SDP with c= and m= lines: nothing is sent (SIPp sends nowhere too)`,
      );
      return;
    }
    s.pacerId = this.pacer.add(s.intervalMs);
    s.loopStartMs = this.pacer.nextDue(s.pacerId);
    this.byPacerId[s.pacerId] = s;
    cm.streams.push(s);
  }

  private stop(s: Stream): void {
    if (s.pacerId < 0) return;
    this.pacer.remove(s.pacerId);
    this.byPacerId[s.pacerId] = undefined;
    s.pacerId = -1;
  }

  private send(s: Stream, dueMs: number): void {
    const cm = s.call;
    const socket = cm.socket;
    const peer = cm.peer;
    if (socket === undefined || peer === undefined) return;
    if (s.kind === 'stream' && (cm.streamsPaused || (s.line === 'audio' ? cm.heldAudio : s.line === 'video' && cm.heldVideo))) {
      s.loopStartMs += s.intervalMs;
      s.rtp.skipPacketTime();
      return;
    }
    const tally = this.tally;
    const clip = s.clip;
    const n = clip.packets.length;
    const base = s.line === 'audio' ? peer.audioPort : s.line === 'video' ? peer.videoPort : peer.imagePort;
    // Half an interval of slack: a packet due within this tick goes now rather than one interval late.
    const elapsedUs = (dueMs - s.loopStartMs + s.intervalMs / 2) * 1000;
    while (s.next < n && (clip.offsetsUs[s.next] ?? 0) <= elapsedUs) {
      const buf = this.ring[this.ringAt] as Buffer;
      this.ringAt = (this.ringAt + 1) % RING;
      const rtpLength = s.rtp.render(s.next, buf);
      let len = rtpLength;
      // The call's keys are its audio line's: a vpattern goes in clear (no SRTP for video lines yet).
      const srtp = s.kind === 'stream' && s.line === 'audio' ? s.call.srtp : undefined;
      if (srtp !== undefined) {
        len = srtp.tx.protect(buf, len);
        if (len < 0) {
          // Not an RTP packet (rtp_stream's always are): on an SRTP line nothing goes in clear.
          tally.failures++;
          s.next++;
          continue;
        }
      }
      if (base > 0) {
        if (srtp !== undefined) tally.srtpSent++;
        // SRTP leaves the header in clear: the SR's counts read it after protect() as before.
        // The reports go to the audio line's RTCP port: they speak of what the call sends there (a video
        // stream playing with the audio one would make the SR's source flip at every packet).
        if (s.line === 'audio' && rtpLength >= 12 && (buf[0] ?? 0) >> 6 === 2) countSent(s, buf, rtpLength, dueMs);
        socket.rtp.send(buf, 0, len, base + (clip.portOffsets[s.next] ?? 0), peer.address, tally.onSendDone);
        tally.sent++;
      }
      s.next++;
    }
    if (s.next < n) return;
    if (s.loopsLeft === 0) {
      this.stop(s);
      s.call.streams = s.call.streams.filter((x) => x !== s);
      return;
    }
    if (s.loopsLeft > 0) s.loopsLeft--;
    // The next loop starts one packet interval after this one's last packet, as one continuous stream.
    s.loopStartMs += (clip.offsetsUs[n - 1] ?? 0) / 1000 + s.intervalMs;
    s.next = 0;
    s.rtp.nextLoop();
  }
}

/** The most common spacing of a clip's packets (ms), the pacer interval of its stream. */
function intervalOf(clip: MediaClip): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < clip.offsetsUs.length; i++) {
    const gapMs = Math.round(((clip.offsetsUs[i] ?? 0) - (clip.offsetsUs[i - 1] ?? 0)) / 1000);
    if (gapMs >= 1) counts.set(gapMs, (counts.get(gapMs) ?? 0) + 1);
  }
  let best = DEFAULT_INTERVAL_MS;
  let most = 0;
  for (const [gap, c] of counts)
    if (c > most) {
      best = gap;
      most = c;
    }
  return best;
}
