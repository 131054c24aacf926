/**
 * sipts's own work per call as the built-in uac and as the built-in uas, with no socket (bench/engine-loop.ts):
 * `sipts -sn uac 127.0.0.1:5060 -r 3000` against an in-memory UAS, and `sipts -sn uas` against an in-memory UAC
 * placing 3,000 calls a virtual second. The peers are the floor's (bench/sip-text.ts), saying what SIPp's built-in
 * uas and uac say, with SDP in the INVITE and its 200 as SIPp's have.
 */
import { engineLoop, LOOP_HOST as HOST, LOOP_PORT, PEER_PORT, type LoopPeer } from './engine-loop.js';
import { header, NO_BODY, toTagOf, uacRequester, uasAnswerer } from './sip-text.js';

const RATE = 3000;
const PEER = `${HOST}:${PEER_PORT}`;
const SDP = `v=0\r\no=peer 1 1 IN IP4 ${HOST}\r\ns=-\r\nc=IN IP4 ${HOST}\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
const WITH_SDP = `Content-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`;

/** A UAC as SIPp's with -d 0: INVITE with SDP, and on its 200 the ACK and the BYE at once. */
function uacPeer(): LoopPeer {
  const request = uacRequester(PEER, `${HOST}:${LOOP_PORT}`);
  let n = 0;
  return {
    tick: (ms, out) => {
      // -r 3000: the calls due by the end of this virtual millisecond.
      while (n < (ms * RATE) / 1000) out.push(request('INVITE', ++n, 1, '', WITH_SDP));
    },
    answer: (raw, out) => {
      if (!raw.startsWith('SIP/2.0 200') || !header(raw, 'CSeq').endsWith('INVITE')) return;
      const call = Number.parseInt(header(raw, 'Call-ID').slice(9), 10);
      const toTag = toTagOf(raw);
      out.push(request('ACK', call, 1, toTag, NO_BODY));
      out.push(request('BYE', call, 2, toTag, NO_BODY));
    },
  };
}

/**
 * ns of CPU per call of sipts's built-in uac and its in-memory UAS together (median of `rounds` rounds of `perRound`
 * calls, after `warmup` calls that fill the Call-ID map with tombstones as in a real run).
 */
export const uacLoop = (perRound = 30_000, rounds = 5, warmup = 120_000): number =>
  engineLoop({
    options: { sn: 'uac', r: String(RATE) },
    placesCalls: true,
    peer: { answer: uasAnswerer(PEER, WITH_SDP) },
    rate: RATE,
    perRound,
    rounds,
    warmup,
  });

/** ns of CPU per call of sipts's built-in uas (its 4-s timewait included) and its in-memory UAC together, as uacLoop. */
export const uasLoop = (perRound = 30_000, rounds = 5, warmup = 120_000): number =>
  engineLoop({ options: { sn: 'uas' }, placesCalls: false, peer: uacPeer(), rate: RATE, perRound, rounds, warmup });
