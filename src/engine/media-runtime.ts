/**
 * MediaHost over src/media/: the media of every call of a run, composed of its parts:
 *
 * - Ports: a call's RTP socket (and RTCP on the next port) is bound at its first media action, and given back
 *   at call end (media-call-socket.ts).
 * - Sending: ONE pacer for every stream and every RTCP report of the run; the clips play from one send ring
 *   (media-playback.ts).
 * - Receiving: RTP on a call's port goes to a slot of one RtpStreamStats; at call end its figures join the
 *   run's (media-tally.ts, with every count and the one warning).
 * - -rtp_echo: SIPp's one socket on -mp and one on -mp + 2 for all calls (media/rtp-echo.ts).
 * - RTCP (RFC 3550 §6.4): SR/RR every -rtcpIntervalMs (5 s) from a call with a media socket (media-rtcp.ts).
 * - SRTP: keys from the a=crypto: lines of both sides' SDP (SDES, RFC 4568; media-sdes.ts).
 */
import type { MediaClip } from '../media/clip.js';
import { dtmfClip, parsePlayDtmf } from '../media/dtmf.js';
import { Pacer } from '../media/pacer.js';
import { RtpEcho } from '../media/rtp-echo.js';
import { MediaSocket } from '../media/media-socket.js';
import { RtpPortRange } from '../media/rtp-ports.js';
import { sdpCrypto } from '../media/sdp-crypto.js';
import type { CompiledMedia } from '../scenario/compile-media.js';
import type { SipMessage } from '../sip/message.js';
import { bodyOf } from '../sip/parser.js';
import { sdpMedia } from '../sip/sdp.js';
import type { RtpExport, RtpTotals } from '../stats/rtp.js';
import type { MediaCall, MediaHost } from './media.js';
import { formulaPort } from './media-port.js';
import { newCallMedia, type CallMedia, type Stream, type StreamKind } from './media-call.js';
import { echoCallMedia, openCallSocket } from './media-call-socket.js';
import { MediaPlayback } from './media-playback.js';
import { RTCP_INTERVAL_MS, sendRtcp } from './media-rtcp.js';
import { sdpExchanged } from './media-sdes.js';
import { MediaTally } from './media-tally.js';
import { messageOf } from '../thrown.js';

export interface MediaRunOptions {
  /** -mi: where media sockets bind (and what [media_ip] says). */
  readonly ip: string;
  /** -mp: the echo's port, and the base of [auto_media_port]. */
  readonly mediaPort: number;
  /** The scenario announces [auto_media_port]: a call's media binds the port its SDP gave. */
  readonly autoMediaPort: boolean;
  /** Calls' ports may be pairs bound ahead (autoPort); false when a call needs four ports (usesMediaPortBlock). */
  readonly autoPortSpares?: boolean;
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

/** SIPp's audio and video echo ports: -mp and -mp + 2. */
const VIDEO_ECHO_OFFSET = 2;
/** Pairs kept bound ahead for the calls' [rtpstream_audio_port] (autoPort). */
const SPARES = 4;

export class MediaRuntime implements MediaHost {
  private readonly calls = new Map<MediaCall, CallMedia>();
  /** The calls whose RTCP report is due, by pacer id. */
  private readonly rtcpByPacerId: (CallMedia | undefined)[] = [];
  private readonly pacer: Pacer;
  private readonly tally: MediaTally;
  private readonly playback: MediaPlayback;
  private readonly range: RtpPortRange;
  private readonly now: () => number;
  /** Pairs of the range bound ahead: a call's SDP names a port it already holds (autoPort). */
  private readonly spares: MediaSocket[] = [];
  private sparesOpening = 0;
  private closed = false;

  private constructor(
    private readonly o: MediaRunOptions,
    private readonly echoes: readonly RtpEcho[],
  ) {
    this.now = o.now ?? (() => performance.now());
    this.range = new RtpPortRange(o.minPort, o.maxPort);
    this.tally = new MediaTally(o.log);
    this.pacer = new Pacer({
      send: (id, due) => {
        this.onDue(id, due);
      },
      now: this.now,
    });
    this.playback = new MediaPlayback(this.pacer, this.tally, o.maxPacketBytes);
    this.pacer.start();
    if (o.autoMediaPort && o.autoPortSpares !== false) this.fillSpares();
  }

  /**
   * SIPp compat (3.7, rtpstream.cpp): [rtpstream_audio_port] is a port the call holds, taken from
   * -min_rtp_port up and skipping pairs other programs hold (a SIPp peer on the same host holds -mp). A render
   * is synchronous and a bind is not, so pairs are bound ahead (SPARES) and a call takes one at its first
   * rendering. When none is ready (a burst of calls), the port is SIPp 3.6.1's [auto_media_port] formula, bound
   * when the media opens.
   */
  autoPort(call: MediaCall, base: number): number {
    const cm = this.media(call);
    let port = cm.autoPort;
    if (port === undefined) {
      const spare = this.o.autoPortSpares === false ? undefined : this.spares.shift();
      cm.spare = spare;
      port = cm.autoPort = spare?.port ?? formulaPort(this.o.mediaPort, call.number);
      this.fillSpares();
    }
    return port + (base - this.o.mediaPort);
  }

  private fillSpares(): void {
    if (this.o.autoPortSpares === false) return;
    while (!this.closed && this.spares.length + this.sparesOpening < SPARES) {
      this.sparesOpening++;
      MediaSocket.open(this.range, this.o.ip, { bufferBytes: this.o.socketBufferBytes, now: this.now }).then(
        (s) => {
          this.sparesOpening--;
          if (this.closed) s.close();
          else this.spares.push(s);
        },
        () => {
          // The range is full: calls fall back to the formula's port until pairs come back.
          this.sparesOpening--;
        },
      );
    }
  }

  /** Opens the echo sockets of -rtp_echo (openEchoes) with the runtime. */
  static async open(o: MediaRunOptions): Promise<MediaRuntime> {
    return new MediaRuntime(o, o.echo ? await openEchoes(o) : []);
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
        if (warning !== undefined) this.tally.warnOnce(warning);
        const clip = dtmfClip(digits, { toneMs, ssrc: 0 });
        if (clip.packets.length > 0) this.play(cm, 'pcap', 'audio', clip, 1);
        break;
      }
      case 'pattern':
        // A pattern plays until the call ends, is paused, or another stream of its line replaces it.
        this.play(cm, 'stream', a.line, a.clip, -1);
        break;
      case 'pause':
      case 'resume':
        this.playback.pause(cm, a.op === 'pause', a.line);
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
    sdpExchanged(cm, 'received', this.tally);
  }

  sentSdp(call: MediaCall, message: string): void {
    const at = message.indexOf('\r\n\r\n');
    const body = at < 0 ? '' : message.slice(at + 4);
    if (sdpMedia(body) === undefined) return;
    const cm = this.media(call);
    cm.localCrypto = sdpCrypto(body);
    sdpExchanged(cm, 'sent', this.tally);
  }

  release(call: MediaCall): void {
    const cm = this.calls.get(call);
    if (cm === undefined) return;
    this.calls.delete(call);
    this.playback.stopAll(cm);
    if (cm.rtcpId >= 0) {
      this.pacer.remove(cm.rtcpId);
      this.rtcpByPacerId[cm.rtcpId] = undefined;
      cm.rtcpId = -1;
    }
    this.tally.retire(cm);
    cm.socket?.close();
    cm.socket = undefined;
    cm.spare?.close();
    cm.spare = undefined;
  }

  totals(): RtpTotals {
    return this.tally.totals(
      this.calls.values(),
      this.echoes.reduce((n, e) => n + e.packets, 0),
      this.pacer.latenessSummary(),
    );
  }

  export(): RtpExport {
    return this.tally.export(
      this.calls.values(),
      this.echoes.reduce((n, e) => n + e.packets, 0),
      this.pacer.latenessUs,
    );
  }

  close(): void {
    this.closed = true;
    for (const s of this.spares.splice(0)) s.close();
    for (const call of [...this.calls.keys()]) this.release(call);
    this.pacer.stop();
    for (const e of this.echoes) e.close();
  }

  private media(call: MediaCall): CallMedia {
    let cm = this.calls.get(call);
    if (cm === undefined) {
      cm = newCallMedia(call);
      this.calls.set(call, cm);
    }
    return cm;
  }

  private play(cm: CallMedia, kind: StreamKind, line: Stream['line'], clip: MediaClip, loops: number): void {
    this.playback.play(cm, kind, line, clip, loops);
    this.openSocket(cm);
  }

  private openSocket(cm: CallMedia): void {
    if (cm.socket !== undefined || cm.opening || cm.failed) return;
    cm.opening = true;
    // A call given the formula's port in a burst: a pair bound ahead meanwhile may hold exactly that port.
    if (cm.spare === undefined && cm.autoPort !== undefined) {
      const k = this.spares.findIndex((s) => s.port === cm.autoPort);
      if (k >= 0) cm.spare = this.spares.splice(k, 1)[0];
    }
    this.tally.claimSlot(cm);
    openCallSocket(cm, this.o, this.range, this.tally, this.now).then(
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
        echoCallMedia(cm, socket, this.tally, (bytes) => this.playback.sendBuffer(bytes));
        this.playback.opened(cm);
      },
      (e: unknown) => {
        cm.opening = false;
        cm.failed = true;
        this.tally.fail(`call ${cm.call.callId}: no media port: ${messageOf(e)}`);
      },
    );
  }

  /** The pacer says `id` is due: a stream's packets, else a call's RTCP report. */
  private onDue(id: number, dueMs: number): void {
    if (this.playback.due(id, dueMs)) return;
    const cm = this.rtcpByPacerId[id];
    if (cm !== undefined) sendRtcp(cm, this.tally.stats, dueMs, this.o.ip);
  }
}

/**
 * -rtp_echo's sockets: SIPp binds exactly -mp and -mp + 2 (audio, video), a taken port is an error. A -workers run
 * opens them once, in its main thread (cli/workers-run.ts).
 */
export async function openEchoes(
  o: Pick<MediaRunOptions, 'ip' | 'mediaPort' | 'echoBufferBytes' | 'socketBufferBytes'>,
): Promise<RtpEcho[]> {
  const echoes: RtpEcho[] = [];
  try {
    for (const port of [o.mediaPort, o.mediaPort + VIDEO_ECHO_OFFSET])
      echoes.push(await RtpEcho.open(o.ip, port, o.echoBufferBytes, o.socketBufferBytes));
  } catch (e) {
    for (const x of echoes) x.close();
    throw e;
  }
  return echoes;
}
