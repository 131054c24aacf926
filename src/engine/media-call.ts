/**
 * What the media runtime keeps of one call: its sockets' state, the SDP of each side (where to send, the SRTP
 * keys), what its RTCP reports say, and the clips it plays. Plain state: media-runtime.ts and its parts act on it.
 */
import { getRandomValues } from 'node:crypto';
import type { MediaClip } from '../media/clip.js';
import type { MediaSocket } from '../media/media-socket.js';
import type { CallRtpState } from '../media/rtp-rewrite.js';
import type { SrtpPair } from '../media/sdes.js';
import type { SdpCrypto } from '../media/sdp-crypto.js';
import type { SdpMedia } from '../sip/sdp.js';
import type { MediaCall } from './media.js';

/** What a call's next SR says of the last source it sent (RFC 3550 §6.4.1). */
export interface SenderState {
  ssrc: number;
  packets: number;
  octets: number;
  /** The last packet's RTP timestamp, when it went (pacer clock, ms), and the clock rate in units per ms. */
  timestamp: number;
  atMs: number;
  unitsPerMs: number;
}

/**
 * A capture (play_pcap_*, play_dtmf) or an rtp_stream (a file or a pattern): a call plays one capture at a time,
 * and one rtp_stream per line (SIPp 3.7 plays an apattern and a vpattern together).
 */
export type StreamKind = 'pcap' | 'stream';

/** One clip playing for a call. */
export interface Stream {
  readonly call: CallMedia;
  readonly kind: StreamKind;
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
  pacerId: number;
}

export interface CallMedia {
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
  /**
   * What holds the call's rtp_streams: "pause" (every line), and apart from it SIPp 3.7's "pauseapattern" and
   * "pausevpattern" (one line each). SIPp compat: like SIPp's flags (rtpstream.cpp), they belong to the call, not
   * to one stream: a stream started while held is held too, and a line plays only when neither holds it.
   */
  streamsPaused: boolean;
  heldAudio: boolean;
  heldVideo: boolean;
  /** Streams waiting for the socket to open. */
  waiting: Stream[];
  streams: Stream[];
  /**
   * [rtpstream_audio_port] / [auto_media_port]: the RTP port the call's SDP named, decided at its first rendering
   * (undefined before), and the pair bound ahead for it, until the call's media opens on it.
   */
  autoPort: number | undefined;
  spare: MediaSocket | undefined;
}

/** A call's media before its first action: no socket, no SDP yet, a random SSRC for its RRs. */
export function newCallMedia(call: MediaCall): CallMedia {
  return {
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
    streamsPaused: false,
    heldAudio: false,
    heldVideo: false,
    waiting: [],
    streams: [],
    autoPort: undefined,
    spare: undefined,
  };
}
