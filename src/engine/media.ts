/**
 * What the interpreter's media actions ask of the media layer: one small interface, so that the engine knows
 * nothing of sockets, pacing or RTP statistics (engine/media-runtime.ts implements it over src/media/).
 */
import type { CompiledMedia } from '../scenario/compile-media.js';
import type { SipMessage } from '../sip/message.js';
import type { RtpExport, RtpTotals } from '../stats/rtp.js';
import type { CallState } from './call.js';

/** What the media layer reads of a call: its number ([auto_media_port]) and Call-ID (warnings); its identity keys its media. */
export type MediaCall = Pick<CallState, 'number' | 'callId'>;

export interface MediaHost {
  /**
   * A media action of a call: start a capture, a stream or DTMF (`dtmf`: the digits, rendered), pause or resume
   * its stream, or start or stop its echo. Never throws: trouble is counted.
   */
  run(call: MediaCall, action: CompiledMedia, dtmf: string): void;
  /** SIPp 3.6.1's <rtp_echo>: the call's echo on or off. */
  echo(call: MediaCall, on: boolean): void;
  /** A message the call took: its SDP, when it has one, says where the call's media goes (and its a=crypto: lines, SRTP keys). */
  received(call: MediaCall, msg: SipMessage): void;
  /** A message the call sent with SDES crypto lines (RFC 4568): the keys it sends SRTP with. */
  sentSdp?(call: MediaCall, message: string): void;
  /**
   * [rtpstream_audio_port] / [auto_media_port] rendered for the call: `base` is the keyword's value from -mp (with
   * its offset); the answer is the same offset from the RTP port the call holds for its media.
   */
  autoPort?(call: MediaCall, base: number): number;
  /** The call ended: its streams stop, its figures join the run's, its ports go back. */
  release(call: MediaCall): void;
  /** The run's figures so far (allocates: once per snapshot, not per packet). */
  totals(): RtpTotals;
  /** -workers: the same figures as parts that add up (once per report, a second apart). */
  export?(): RtpExport;
  /** Stops every stream and closes every media socket. */
  close(): void;
}
