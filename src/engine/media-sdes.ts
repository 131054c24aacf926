/**
 * A call's SRTP keys from the SDP it sent and the SDP it received (SDES, RFC 4568): the pair negotiated
 * (media/sdes.ts) protects what rtp_stream sends and unprotects all that arrives on the RTP port before it counts.
 * SIPp compat: SIPp 3.7 encrypts rtp_stream only; play_pcap_* and play_dtmf go in clear.
 */
import { negotiateSdes } from '../media/sdes.js';
import type { CallMedia } from './media-call.js';
import type { MediaTally } from './media-tally.js';

/**
 * An SDP went one way. The keys change when an offer/answer exchange completes (RFC 4568 §7.1.4: the offerer
 * sends with new keys once the answer has come, the answerer once it has answered), not when an offer goes.
 */
export function sdpExchanged(cm: CallMedia, way: 'sent' | 'received', tally: MediaTally): void {
  if (cm.offer !== 'none' && cm.offer !== way) {
    cm.offer = 'none';
    negotiate(cm, tally);
  } else cm.offer = way;
}

/**
 * The call's audio SRTP from the crypto lines both sides sent (RFC 4568), renegotiated with each completed
 * offer/answer exchange; the same keys keep the same contexts. Video lines are not protected (sipts's rtp_stream plays audio).
 */
function negotiate(cm: CallMedia, tally: MediaTally): void {
  const local = cm.localCrypto;
  const remote = cm.remoteCrypto;
  if (local === undefined || remote === undefined) return;
  const r = negotiateSdes(local.audio, remote.audio, cm.srtp);
  if (r.kind === 'refused') tally.fail(`call ${cm.call.callId}: no SRTP: ${r.reason}; its rtp_stream is sent as plain RTP`);
  cm.srtp = r.kind === 'srtp' ? r.pair : undefined;
  if (cm.socket !== undefined) cm.socket.srtp = cm.srtp?.rx;
  if (local.video.length > 0 && remote.video.length > 0)
    tally.warnOnce(`call ${cm.call.callId}: video SRTP is not supported: the video line's media is neither encrypted nor decrypted`);
}
