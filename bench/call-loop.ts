/**
 * sipts's own work per call as the built-in uac and as the built-in uas, with no socket (bench/engine-loop.ts):
 * `sipts -sn uac 127.0.0.1:5060 -r 3000` against an in-memory UAS, and `sipts -sn uas` against an in-memory UAC
 * placing 3,000 calls a virtual second. The peers say what SIPp's built-in uas and uac say (180 and 200 with SDP,
 * 200 to the BYE; INVITE with SDP, ACK, BYE), built by string search and concatenation.
 */
import { engineLoop, LOOP_HOST as HOST, LOOP_PORT, PEER_PORT, type LoopOptions } from './engine-loop.js';
import { header, responseHead } from './sip-text.js';

const RATE = 3000;
const PEER = `${HOST}:${PEER_PORT}`;
const SDP = `v=0\r\no=peer 1 1 IN IP4 ${HOST}\r\ns=-\r\nc=IN IP4 ${HOST}\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;
const withSdp = `Content-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`;
const noBody = 'Content-Length: 0\r\n\r\n';

/** A UAS as SIPp's: 180 and 200 with SDP to an INVITE (RFC 3261 §13.3.1), 200 to a BYE (§15.1.2), nothing to an ACK. */
function uasPeer(): (raw: string, out: string[]) => void {
  let tag = 0;
  const contact = `Contact: <sip:${PEER};transport=UDP>\r\n`;
  return (raw, out) => {
    if (raw.startsWith('INVITE')) {
      const toTag = `;tag=u${++tag}`;
      out.push(`${responseHead(raw, '180 Ringing', toTag)}${contact}${noBody}`);
      out.push(`${responseHead(raw, '200 OK', toTag)}${contact}${withSdp}`);
    } else if (raw.startsWith('BYE')) {
      out.push(`${responseHead(raw, '200 OK', '')}${noBody}`);
    }
  };
}

/** A request of the in-memory UAC's call `n` (RFC 3261 §8.1.1): `to` is the To header line, with the tag once known. */
function request(method: string, n: number, cseq: number, to: string, body: string): string {
  return `${method} sip:service@${HOST}:${LOOP_PORT} SIP/2.0\r\nVia: SIP/2.0/UDP ${PEER};branch=z9hG4bK-${n}-${cseq}-${method}\r\nFrom: sipp <sip:sipp@${PEER}>;tag=${n}\r\n${to}\r\nCall-ID: ${n}-peer@${HOST}\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:sipp@${PEER}>\r\nMax-Forwards: 70\r\n${body}`;
}

/** A UAC as SIPp's with -d 0: INVITE with SDP, and on its 200 the ACK and the BYE at once. */
function uacPeer(): { answer: (raw: string, out: string[]) => void; tick: (ms: number, out: string[]) => void } {
  let n = 0;
  const to = `To: service <sip:service@${HOST}:${LOOP_PORT}>`;
  return {
    tick: (ms, out) => {
      // -r 3000: the calls due by the end of this virtual millisecond.
      while (n < (ms * RATE) / 1000) {
        ++n;
        out.push(request('INVITE', n, 1, to, withSdp));
      }
    },
    answer: (raw, out) => {
      if (!raw.startsWith('SIP/2.0 200') || !header(raw, 'CSeq').endsWith('INVITE')) return;
      const call = Number.parseInt(header(raw, 'Call-ID').slice(9), 10);
      const dialogTo = header(raw, 'To');
      out.push(request('ACK', call, 1, dialogTo, noBody));
      out.push(request('BYE', call, 2, dialogTo, noBody));
    },
  };
}

/** Calls at 3,000 a virtual second: `rounds` rounds of `perRound` after `warmup` (the Call-ID map full of tombstones). */
const at3000 = (perRound: number, rounds: number, warmup: number): Pick<LoopOptions, 'rate' | 'perRound' | 'rounds' | 'warmup'> => ({
  rate: RATE,
  perRound,
  rounds,
  warmup,
});

/** ns of CPU per call of sipts's built-in uac and its in-memory UAS together (median of the rounds). */
export const uacLoop = (perRound = 30_000, rounds = 5, warmup = 120_000): number =>
  engineLoop({ ...at3000(perRound, rounds, warmup), options: { sn: 'uac', r: String(RATE) }, remote: PEER, peer: { answer: uasPeer() } });

/** ns of CPU per call of sipts's built-in uas (its 4-s timewait included) and its in-memory UAC together. */
export const uasLoop = (perRound = 30_000, rounds = 5, warmup = 120_000): number =>
  engineLoop({ ...at3000(perRound, rounds, warmup), options: { sn: 'uas' }, peer: uacPeer() });
