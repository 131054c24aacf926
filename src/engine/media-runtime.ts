/**
 * MediaHost over src/media/: the media of every call of a run.
 *
 * - Ports: a call's RTP socket (and RTCP on the next port) is bound at its first media action, on the port its
 *   SDP announced when the scenario uses [auto_media_port] (SIPp compat: -mp + 4 × (call number − 1) mod 10000),
 *   else on a pair of the -min_rtp_port..-max_rtp_port range. Call end gives it back.
 * - Sending: ONE pacer for every stream of the run (media/pacer.ts: a heap and one timer, no timer per packet,
 *   phases spread). A stream's packets are the clip's, built at load time; each call rewrites SSRC, sequence
 *   number and timestamp (media/rtp-rewrite.ts) into a buffer of one ring shared by the run, so sending
 *   allocates nothing (node:dgram keeps the buffer until the next tick: the ring is far longer than what one
 *   tick sends).
 * - Receiving: RTP on a call's port goes to a slot of one RtpStreamStats (RFC 3550 A.1, A.3, A.8); at call end
 *   its figures join the run's, and its jitter a histogram over calls.
 * - -rtp_echo: SIPp's one socket on -mp and one on -mp + 2 for all calls (media/rtp-echo.ts).
 * - RTCP (RFC 3550 §6.4): every -rtcpIntervalMs (5 s) a call with a media socket sends a compound report from
 *   its RTCP port to the peer's RTP port + 1 (§11): an SR about the last source it sent (packets, payload
 *   octets), else an RR, with a block about the source it receives (loss, extended sequence, jitter), and its
 *   CNAME. The reports are paced by the same pacer as the media; on an SRTP call they go as SRTCP.
 * - SRTP: when the call's SDP and its peer's both have a=crypto: lines for audio (SDES, RFC 4568), the pair
 *   negotiated (media/sdes.ts) protects what rtp_stream sends and unprotects all that arrives on the RTP port
 *   before it counts. SIPp compat: SIPp 3.7 encrypts rtp_stream only; play_pcap_* and play_dtmf go in clear.
 */
import { getRandomValues } from 'node:crypto';
import type { Histogram } from 'hdr-histogram-js';
// The one histogram class used, not the package index (see src/stats/stats.ts: the index loads WebAssembly).
import Float64HistogramModule from 'hdr-histogram-js/dist/Float64Histogram.js';
import type { MediaClip } from '../media/clip.js';
import { dtmfClip, parsePlayDtmf } from '../media/dtmf.js';
import { MediaSocket } from '../media/media-socket.js';
import { estimateMos } from '../media/mos.js';
import { Pacer } from '../media/pacer.js';
import { RtpEcho } from '../media/rtp-echo.js';
import { RtpPortRange } from '../media/rtp-ports.js';
import { CallRtpState } from '../media/rtp-rewrite.js';
import { RtpStreamStats } from '../media/rtp-stats.js';
import { negotiateSdes, type SrtpPair } from '../media/sdes.js';
import { MAX_TAG_BYTES } from '../media/srtp.js';
import { buildRtcpReport, type ReportBlock } from '../media/rtcp.js';
import type { CompiledMedia } from '../scenario/compile-media.js';
import { bodyOf } from '../sip/parser.js';
import { sdpMedia, type SdpMedia } from '../sip/sdp.js';
import { sdpCrypto, type SdpCrypto } from '../media/sdp-crypto.js';
import type { SipMessage } from '../sip/message.js';
import type { RtpTotals } from '../stats/rtp.js';
import type { MediaCall, MediaHost } from './media.js';

const Float64Histogram = Float64HistogramModule.default;

export interface MediaRunOptions {
  /** -mi: where media sockets bind (and what [media_ip] says). */
  readonly ip: string;
  /** -mp: the echo's port, and the base of [auto_media_port]. */
  readonly mediaPort: number;
  /** The scenario announces [auto_media_port]: a call's media binds the port its SDP gave. */
  readonly autoMediaPort: boolean;
  /** -rtp_echo, -mb. */
  readonly echo: boolean;
  readonly echoBufferBytes: number;
  /** -min_rtp_port / -max_rtp_port. */
  readonly minPort: number;
  readonly maxPort: number;
  /** -rtp_buffsize. */
  readonly socketBufferBytes: number | undefined;
  /** The longest packet of the scenario's clips: the size of the send ring's buffers. */
  readonly maxPacketBytes: number;
  readonly log: (level: 'warning', text: string) => void;
  readonly now?: () => number;
  /** How often a call sends an RTCP report (ms; RFC 3550 §6.2's minimum of 5 s by default). */
  readonly rtcpIntervalMs?: number;
}

/** RFC 3550 §6.2: 5 s between a participant's reports. */
const RTCP_INTERVAL_MS = 5000;

/** What a call's next SR says of the last source it sent (RFC 3550 §6.4.1). */
interface SenderState {
  ssrc: number;
  packets: number;
  octets: number;
  /** The last packet's RTP timestamp, when it went (pacer clock, ms), and the clock rate in units per ms. */
  timestamp: number;
  atMs: number;
  unitsPerMs: number;
}

/** Calls measured at once; a call past it is still counted (packets) but not in loss and jitter. */
const STATS_SLOTS = 4096;
/** Buffers in the send ring: more than any one pacer tick sends. */
const RING = 8192;
/** Packet timing granularity of a stream with no regular spacing (ms). */
const DEFAULT_INTERVAL_MS = 20;
/** RTP header and an RFC 4733 event: the packets play_dtmf makes at run time. */
const DTMF_PACKET_BYTES = 16;
/** SIPp's audio and video echo ports: -mp and -mp + 2. */
const VIDEO_ECHO_OFFSET = 2;

type Kind = 'pcap' | 'stream';

/** One clip playing for a call. */
interface Stream {
  readonly call: CallMedia;
  readonly kind: Kind;
  readonly line: 'audio' | 'video' | 'image';
  readonly clip: MediaClip;
  readonly rtp: CallRtpState;
  readonly intervalMs: number;
  /** Loops still to play after this one; -1 for ever. */
  loopsLeft: number;
  /** Next packet of the clip. */
  next: number;
  /** Pacer due time of the loop's first packet (ms). */
  loopStartMs: number;
  paused: boolean;
  pacerId: number;
}

interface CallMedia {
  readonly call: MediaCall;
  socket: MediaSocket | undefined;
  opening: boolean;
  failed: boolean;
  /** Slot in the run's RtpStreamStats; -1 when every slot is taken. */
  slot: number;
  peer: SdpMedia | undefined;
  /** The a=crypto: lines of the last SDP the call sent and of the last its peer sent. */
  localCrypto: SdpCrypto | undefined;
  remoteCrypto: SdpCrypto | undefined;
  /** Which side's SDP opened the offer/answer exchange under way (RFC 3264), 'none' between exchanges. */
  offer: 'none' | 'sent' | 'received';
  /** The audio line's SRTP, when both sides gave keys for a suite in common. */
  srtp: SrtpPair | undefined;
  /** RTCP: the report's pacer id (-1 before the socket opens), what was sent, the SSRC of an RR. */
  rtcpId: number;
  sender: SenderState | undefined;
  readonly rtcpSsrc: number;
  echo: boolean;
  /** Streams waiting for the socket to open. */
  waiting: Stream[];
  streams: Stream[];
}

export class MediaRuntime implements MediaHost {
  private readonly calls = new Map<MediaCall, CallMedia>();
  private readonly byPacerId: (Stream | undefined)[] = [];
  /** The calls whose RTCP report is due, by pacer id. */
  private readonly rtcpByPacerId: (CallMedia | undefined)[] = [];
  private readonly pacer: Pacer;
  private readonly stats = new RtpStreamStats(STATS_SLOTS);
  private readonly freeSlots: number[] = Array.from({ length: STATS_SLOTS }, (_, i) => STATS_SLOTS - 1 - i);
  private readonly range: RtpPortRange;
  private readonly ring: Buffer[];
  private ringAt = 0;
  private readonly now: () => number;
  private sent = 0;
  private sendErrors = 0;
  private failures = 0;
  private warned = false;
  /** Ended calls' figures. */
  private doneReceived = 0;
  private doneExpected = 0;
  private doneLost = 0;
  /** Datagrams the calls' own echoes (rtp_echo actions) sent back. */
  private callEchoed = 0;
  private srtpSent = 0;
  /** Ended calls' SRTP authentication failures. */
  private doneSrtpAuthFailures = 0;
  private readonly jitterUs: Histogram = new Float64Histogram(1, 60_000_000, 3);
  private readonly onSendDone = (err: Error | null): void => {
    if (err !== null) this.sendErrors++;
  };

  private constructor(
    private readonly o: MediaRunOptions,
    private readonly echoes: readonly RtpEcho[],
  ) {
    this.now = o.now ?? (() => performance.now());
    this.range = new RtpPortRange(o.minPort, o.maxPort);
    // Room for an SRTP tag after the longest packet.
    this.ring = Array.from({ length: RING }, () => Buffer.alloc(Math.max(DTMF_PACKET_BYTES, o.maxPacketBytes) + MAX_TAG_BYTES));
    this.pacer = new Pacer({
      send: (id, due) => {
        this.onDue(id, due);
      },
      now: this.now,
    });
    this.pacer.start();
  }

  /** Opens the echo sockets of -rtp_echo (SIPp binds exactly -mp and -mp + 2: a taken port is an error). */
  static async open(o: MediaRunOptions): Promise<MediaRuntime> {
    const echoes: RtpEcho[] = [];
    if (o.echo) {
      try {
        for (const port of [o.mediaPort, o.mediaPort + VIDEO_ECHO_OFFSET])
          echoes.push(await RtpEcho.open(o.ip, port, o.echoBufferBytes, o.socketBufferBytes));
      } catch (e) {
        for (const x of echoes) x.close();
        throw e;
      }
    }
    return new MediaRuntime(o, echoes);
  }

  run(call: MediaCall, a: CompiledMedia, dtmf: string): void {
    const cm = this.media(call);
    switch (a.op) {
      case 'pcap':
        this.play(cm, 'pcap', a.line, a.clip, 1);
        break;
      case 'stream':
        this.play(cm, 'stream', 'audio', a.clip, a.loops);
        break;
      case 'dtmf': {
        // SIPp plays DTMF on the audio line, in place of a capture playing there.
        const { digits, toneMs, warning } = parsePlayDtmf(dtmf);
        if (warning !== undefined) this.warnOnce(warning);
        const clip = dtmfClip(digits, { toneMs, ssrc: 0 });
        if (clip.packets.length > 0) this.play(cm, 'pcap', 'audio', clip, 1);
        break;
      }
      case 'pause':
      case 'resume':
        for (const s of [...cm.streams, ...cm.waiting]) if (s.kind === 'stream') s.paused = a.op === 'pause';
        break;
      case 'echo':
        if (a.what !== 'update') this.echo(call, a.what === 'start');
        break;
    }
  }

  echo(call: MediaCall, on: boolean): void {
    const cm = this.media(call);
    cm.echo = on;
    if (on) this.openSocket(cm);
  }

  received(call: MediaCall, msg: SipMessage): void {
    if (msg.bodyLength === 0) return;
    const body = bodyOf(msg);
    const sdp = sdpMedia(body);
    if (sdp === undefined) return;
    const cm = this.media(call);
    cm.peer = sdp;
    cm.remoteCrypto = sdpCrypto(body);
    this.exchanged(cm, 'received');
  }

  sentSdp(call: MediaCall, message: string): void {
    const at = message.indexOf('\r\n\r\n');
    const body = at < 0 ? '' : message.slice(at + 4);
    if (sdpMedia(body) === undefined) return;
    const cm = this.media(call);
    cm.localCrypto = sdpCrypto(body);
    this.exchanged(cm, 'sent');
  }

  /**
   * An SDP went one way. The keys change when an offer/answer exchange completes (RFC 4568 §7.1.4: the offerer
   * sends with new keys once the answer has come, the answerer once it has answered), not when an offer goes.
   */
  private exchanged(cm: CallMedia, way: 'sent' | 'received'): void {
    if (cm.offer !== 'none' && cm.offer !== way) {
      cm.offer = 'none';
      this.negotiate(cm);
    } else cm.offer = way;
  }

  release(call: MediaCall): void {
    const cm = this.calls.get(call);
    if (cm === undefined) return;
    this.calls.delete(call);
    for (const s of cm.streams) this.stop(s);
    cm.streams.length = 0;
    cm.waiting.length = 0;
    if (cm.rtcpId >= 0) {
      this.pacer.remove(cm.rtcpId);
      this.rtcpByPacerId[cm.rtcpId] = undefined;
      cm.rtcpId = -1;
    }
    this.doneSrtpAuthFailures += cm.socket?.counts.srtpAuthFailures ?? 0;
    if (cm.slot >= 0) {
      const i = cm.slot;
      const received = this.stats.receivedOf(i);
      this.doneReceived += received;
      this.doneExpected += this.stats.expectedOf(i);
      this.doneLost += Math.max(0, this.stats.lostOf(i));
      if (received > 0) this.jitterUs.recordValue(this.stats.jitterMicrosOf(i));
      this.stats.reset(i);
      this.freeSlots.push(i);
      cm.slot = -1;
    }
    cm.socket?.close();
    cm.socket = undefined;
  }

  totals(): RtpTotals {
    let received = this.doneReceived;
    let expected = this.doneExpected;
    let lost = this.doneLost;
    let srtpAuthFailures = this.doneSrtpAuthFailures;
    const jitter: Histogram = new Float64Histogram(1, 60_000_000, 3);
    jitter.add(this.jitterUs);
    for (const cm of this.calls.values()) {
      srtpAuthFailures += cm.socket?.counts.srtpAuthFailures ?? 0;
      if (cm.slot < 0) continue;
      const r = this.stats.receivedOf(cm.slot);
      received += r;
      expected += this.stats.expectedOf(cm.slot);
      lost += Math.max(0, this.stats.lostOf(cm.slot));
      if (r > 0) jitter.recordValue(this.stats.jitterMicrosOf(cm.slot));
    }
    const p = (q: number): number => (jitter.totalCount === 0 ? 0 : Math.round(jitter.getValueAtPercentile(q)) / 1000);
    const jitterP50Ms = p(50);
    const jitterP99Ms = p(99);
    // The E-model's delay: no one-way delay is measured; a receiver's jitter buffer of twice the p99 jitter
    // is what the jitter costs. An estimate, and labelled so wherever it is shown.
    const mos =
      expected === 0 ? 0 : Math.round(estimateMos({ lossPercent: (100 * lost) / expected, oneWayDelayMs: 2 * jitterP99Ms }) * 100) / 100;
    const echoed = this.callEchoed + this.echoes.reduce((n, e) => n + e.packets, 0);
    const late = this.pacer.latenessSummary();
    const ms3 = (x: number): number => Math.round(x * 1000) / 1000;
    return {
      packetsSent: this.sent,
      packetsReceived: received,
      packetsLost: lost,
      jitterP50Ms,
      jitterP99Ms,
      mos,
      echoed,
      sendLatenessP99Ms: ms3(late.p99Ms),
      sendLatenessMaxMs: ms3(late.maxMs),
      errors: this.sendErrors + this.failures,
      srtpSent: this.srtpSent,
      srtpAuthFailures,
    };
  }

  close(): void {
    for (const call of [...this.calls.keys()]) this.release(call);
    this.pacer.stop();
    for (const e of this.echoes) e.close();
  }

  private media(call: MediaCall): CallMedia {
    let cm = this.calls.get(call);
    if (cm === undefined) {
      cm = {
        call,
        socket: undefined,
        opening: false,
        failed: false,
        slot: -1,
        peer: undefined,
        localCrypto: undefined,
        remoteCrypto: undefined,
        offer: 'none',
        srtp: undefined,
        rtcpId: -1,
        sender: undefined,
        rtcpSsrc: getRandomValues(new Uint32Array(1))[0] ?? 0,
        echo: false,
        waiting: [],
        streams: [],
      };
      this.calls.set(call, cm);
    }
    return cm;
  }

  private play(cm: CallMedia, kind: Kind, line: Stream['line'], clip: MediaClip, loops: number): void {
    // SIPp compat: a call plays one capture at a time (a new play_pcap_* or play_dtmf ends the one playing),
    // and one rtp_stream.
    for (const s of cm.streams.filter((x) => x.kind === kind)) this.stop(s);
    cm.streams = cm.streams.filter((x) => x.kind !== kind);
    cm.waiting = cm.waiting.filter((x) => x.kind !== kind);
    const stream: Stream = {
      call: cm,
      kind,
      line,
      clip,
      rtp: CallRtpState.random(clip),
      intervalMs: intervalOf(clip),
      loopsLeft: loops < 0 ? -1 : loops - 1,
      next: 0,
      loopStartMs: 0,
      paused: false,
      pacerId: -1,
    };
    if (cm.socket !== undefined) this.begin(stream);
    else {
      cm.waiting.push(stream);
      this.openSocket(cm);
    }
  }

  private begin(s: Stream): void {
    const cm = s.call;
    if (cm.peer === undefined) {
      this.failures++;
      this.warnOnce(
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

  private openSocket(cm: CallMedia): void {
    if (cm.socket !== undefined || cm.opening || cm.failed) return;
    cm.opening = true;
    if (cm.slot < 0) {
      const slot = this.freeSlots.pop();
      if (slot !== undefined) {
        cm.slot = slot;
        this.stats.reset(slot);
      }
    }
    const range = this.o.autoMediaPort
      ? new RtpPortRange(
          this.o.mediaPort + ((4 * (cm.call.number - 1)) % 10000),
          this.o.mediaPort + ((4 * (cm.call.number - 1)) % 10000) + 1,
        )
      : this.range;
    const options = { bufferBytes: this.o.socketBufferBytes, now: this.now, ...(cm.slot >= 0 ? { stats: this.stats, slot: cm.slot } : {}) };
    MediaSocket.open(range, this.o.ip, options).then(
      (socket) => {
        cm.opening = false;
        if (this.calls.get(cm.call) !== cm) {
          socket.close();
          return;
        } // the call ended meanwhile
        cm.socket = socket;
        socket.srtp = cm.srtp?.rx;
        cm.rtcpId = this.pacer.add(this.o.rtcpIntervalMs ?? RTCP_INTERVAL_MS);
        this.rtcpByPacerId[cm.rtcpId] = cm;
        socket.rtp.on('message', (msg, rinfo) => {
          // An SRTP call echoes through onSrtp, re-protected.
          if (!cm.echo || cm.srtp !== undefined) return;
          this.callEchoed++;
          socket.rtp.send(msg, rinfo.port, rinfo.address, this.onSendDone);
        });
        // SIPp compat: SIPp 3.7's echo decrypts with the peer's key and encrypts again with its own (rtpstream.cpp,
        // the echo threads), so the peer can open what comes back.
        socket.onSrtp = (rtp, length, from) => {
          const srtp = cm.srtp;
          if (!cm.echo || srtp === undefined) return;
          const buf = this.echoBuffer(length + MAX_TAG_BYTES);
          rtp.copy(buf, 0, 0, length);
          const n = srtp.tx.protect(buf, length);
          if (n < 0) return;
          this.callEchoed++;
          socket.rtp.send(buf, 0, n, from.port, from.address, this.onSendDone);
        };
        const waiting = cm.waiting;
        cm.waiting = [];
        for (const s of waiting) this.begin(s);
      },
      (e: unknown) => {
        cm.opening = false;
        cm.failed = true;
        this.failures++;
        this.warnOnce(`call ${cm.call.callId}: no media port: ${(e as Error).message}`);
      },
    );
  }

  /** The pacer says stream `id` is due: every packet of its clip due by then goes out. */
  private onDue(id: number, dueMs: number): void {
    const s = this.byPacerId[id];
    if (s === undefined) {
      const cm = this.rtcpByPacerId[id];
      if (cm !== undefined) this.sendRtcp(cm, dueMs);
      return;
    }
    const socket = s.call.socket;
    const peer = s.call.peer;
    if (socket === undefined || peer === undefined) return;
    if (s.paused) {
      s.loopStartMs += s.intervalMs;
      return;
    }
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
      const srtp = s.kind === 'stream' ? s.call.srtp : undefined;
      if (srtp !== undefined) {
        len = srtp.tx.protect(buf, len);
        if (len < 0) {
          // Not an RTP packet (rtp_stream's always are): on an SRTP line nothing goes in clear.
          this.failures++;
          s.next++;
          continue;
        }
      }
      if (base > 0) {
        if (srtp !== undefined) this.srtpSent++;
        // SRTP leaves the header in clear: the SR's counts read it after protect() as before.
        if (rtpLength >= 12 && (buf[0] ?? 0) >> 6 === 2) this.countSent(s, buf, rtpLength, dueMs);
        socket.rtp.send(buf, 0, len, base + (clip.portOffsets[s.next] ?? 0), peer.address, this.onSendDone);
        this.sent++;
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

  /**
   * A buffer for one echoed SRTP packet: the send ring's next one when the packet fits (node:dgram keeps it until
   * the next tick), else a new one.
   */
  private echoBuffer(bytes: number): Buffer {
    const ring = this.ring[this.ringAt] as Buffer;
    if (ring.length < bytes) return Buffer.alloc(bytes);
    this.ringAt = (this.ringAt + 1) % RING;
    return ring;
  }

  /** What the call's next SR says: packets and payload octets of the source just sent (RFC 3550 §6.4.1). */
  private countSent(s: Stream, buf: Buffer, len: number, atMs: number): void {
    const cm = s.call;
    const ssrc = buf.readUInt32BE(8);
    let sender = cm.sender;
    if (sender === undefined || sender.ssrc !== ssrc) {
      // G.711 audio ticks 8 units a ms (RFC 3551 §4.5.14), video 90 (§5).
      sender = { ssrc, packets: 0, octets: 0, timestamp: 0, atMs, unitsPerMs: s.line === 'audio' ? 8 : 90 };
      cm.sender = sender;
    }
    sender.packets++;
    sender.octets += len - 12 - 4 * ((buf[0] ?? 0) & 0x0f);
    sender.timestamp = buf.readUInt32BE(4);
    sender.atMs = atMs;
  }

  /** A call's RTCP report is due: SR or RR, a block about what it receives, its CNAME (RFC 3550 §6.4, §6.5.1). */
  private sendRtcp(cm: CallMedia, nowMs: number): void {
    const socket = cm.socket;
    const peer = cm.peer;
    if (socket === undefined || peer === undefined || peer.audioPort === 0) return;
    const blocks: ReportBlock[] = [];
    const i = cm.slot;
    if (i >= 0 && this.stats.expectedOf(i) > 0)
      blocks.push({
        ssrc: this.stats.ssrcOf(i),
        fractionLost: this.stats.fractionLostSinceLast(i),
        cumulativeLost: this.stats.lostOf(i),
        extendedHighestSeq: this.stats.extendedHighestSeqOf(i),
        jitter: this.stats.jitterUnitsOf(i),
        // sipts reads no SR of its peer: RFC 3550 §6.4.1 says 0 then.
        lastSr: 0,
        delaySinceLastSr: 0,
      });
    const s = cm.sender;
    if (s === undefined && blocks.length === 0) return;
    const report = buildRtcpReport({
      ssrc: s?.ssrc ?? cm.rtcpSsrc,
      sender:
        s === undefined
          ? undefined
          : {
              wallclockMs: Date.now(),
              rtpTimestamp: (s.timestamp + Math.round((nowMs - s.atMs) * s.unitsPerMs)) >>> 0,
              packets: s.packets,
              octets: s.octets,
            },
      blocks,
      cname: `sipts-${cm.call.number}@${this.o.ip}`,
    });
    // An SRTP call's reports go as SRTCP, under the call's key (RFC 3711 §3.4).
    socket.sendRtcp(cm.srtp === undefined ? report : cm.srtp.txRtcp.protect(report), peer.audioPort + 1, peer.address);
  }

  /**
   * The call's audio SRTP from the crypto lines both sides sent (RFC 4568), renegotiated with each completed
   * offer/answer exchange; the same keys keep the same contexts. Video lines are not protected (sipts's rtp_stream plays audio).
   */
  private negotiate(cm: CallMedia): void {
    const local = cm.localCrypto;
    const remote = cm.remoteCrypto;
    if (local === undefined || remote === undefined) return;
    const r = negotiateSdes(local.audio, remote.audio, cm.srtp);
    if (r.kind === 'refused') {
      this.failures++;
      this.warnOnce(`call ${cm.call.callId}: no SRTP: ${r.reason}; its rtp_stream is sent as plain RTP`);
    }
    cm.srtp = r.kind === 'srtp' ? r.pair : undefined;
    if (cm.socket !== undefined) cm.socket.srtp = cm.srtp?.rx;
    if (local.video.length > 0 && remote.video.length > 0)
      this.warnOnce(`call ${cm.call.callId}: video SRTP is not supported: the video line's media is neither encrypted nor decrypted`);
  }

  private warnOnce(text: string): void {
    if (this.warned) return;
    this.warned = true;
    this.o.log('warning', `${text} (further media warnings are only counted: rtp.errors)`);
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
