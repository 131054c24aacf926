/**
 * A call's media socket: RTP (and RTCP on the next port) bound at its first media action, on the port its SDP
 * announced when the scenario uses [auto_media_port] (SIPp compat: -mp + 4 × (call number − 1) mod 10000), else
 * on a pair of the -min_rtp_port..-max_rtp_port range; and the call's own echo (rtp_echo actions) on it.
 */
import { MediaSocket } from '../media/media-socket.js';
import { RtpPortRange } from '../media/rtp-ports.js';
import { formulaPort } from './media-port.js';
import { MAX_TAG_BYTES } from '../media/srtp.js';
import type { CallMedia } from './media-call.js';
import type { MediaTally } from './media-tally.js';

/** What of the run's options the socket of a call depends on. */
export interface CallSocketOptions {
  readonly ip: string;
  readonly mediaPort: number;
  readonly autoMediaPort: boolean;
  readonly socketBufferBytes: number | undefined;
}

/** Binds the call's pair; received RTP goes to the call's slot of the run's statistics (when it has one). */
export function openCallSocket(
  cm: CallMedia,
  o: CallSocketOptions,
  range: RtpPortRange,
  tally: MediaTally,
  now: () => number,
): Promise<MediaSocket> {
  const stats = cm.slot >= 0 ? tally.stats : undefined;
  // The pair bound ahead for the port its SDP named (media-runtime.ts, autoPort).
  const spare = cm.spare;
  if (spare !== undefined) {
    cm.spare = undefined;
    spare.attach(stats, cm.slot);
    return Promise.resolve(spare);
  }
  let ports = range;
  if (o.autoMediaPort) {
    // The port the SDP named, or will name if the media opens before the call's first message renders.
    const auto = (cm.autoPort ??= formulaPort(o.mediaPort, cm.call.number));
    ports = new RtpPortRange(auto, auto + 1);
  }
  const options = { bufferBytes: o.socketBufferBytes, now, ...(stats !== undefined ? { stats, slot: cm.slot } : {}) };
  return MediaSocket.open(ports, o.ip, options);
}

/**
 * While the call's echo is on, what reaches its RTP port goes back where it came from, counted. `buffer` gives
 * a buffer to send an SRTP echo from (see MediaPlayback.sendBuffer).
 */
export function echoCallMedia(cm: CallMedia, socket: MediaSocket, tally: MediaTally, buffer: (bytes: number) => Buffer): void {
  socket.rtp.on('message', (msg, rinfo) => {
    // An SRTP call echoes through onSrtp, re-protected.
    if (!cm.echo || cm.srtp !== undefined) return;
    tally.callEchoed++;
    socket.rtp.send(msg, rinfo.port, rinfo.address, tally.onSendDone);
  });
  // SIPp compat: SIPp 3.7's echo decrypts with the peer's key and encrypts again with its own (rtpstream.cpp,
  // the echo threads), so the peer can open what comes back.
  socket.onSrtp = (rtp, length, from) => {
    const srtp = cm.srtp;
    if (!cm.echo || srtp === undefined) return;
    const buf = buffer(length + MAX_TAG_BYTES);
    rtp.copy(buf, 0, 0, length);
    const n = srtp.tx.protect(buf, length);
    if (n < 0) return;
    tally.callEchoed++;
    socket.rtp.send(buf, 0, n, from.port, from.address, tally.onSendDone);
  };
}
