/**
 * A call's RTCP (RFC 3550 §6.4): every -rtcpIntervalMs (5 s) a call with a media socket sends a compound report
 * from its RTCP port to the peer's RTP port + 1 (§11): an SR about the last source it sent (packets, payload
 * octets), else an RR, with a block about the source it receives (loss, extended sequence, jitter), and its
 * CNAME. On an SRTP call the reports go as SRTCP.
 */
import { buildRtcpReport, type ReportBlock } from '../media/rtcp.js';
import type { RtpStreamStats } from '../media/rtp-stats.js';
import type { CallMedia, Stream } from './media-call.js';

/** RFC 3550 §6.2: 5 s between a participant's reports. */
export const RTCP_INTERVAL_MS = 5000;

/** What the call's next SR says: packets and payload octets of the source just sent (RFC 3550 §6.4.1). */
export function countSent(s: Stream, buf: Buffer, len: number, atMs: number): void {
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

/**
 * A call's RTCP report is due: SR or RR, a block about what it receives (from its slot of `stats`), its CNAME
 * (RFC 3550 §6.4, §6.5.1), named after the call and `ip`.
 */
export function sendRtcp(cm: CallMedia, stats: RtpStreamStats, nowMs: number, ip: string): void {
  const socket = cm.socket;
  const peer = cm.peer;
  if (socket === undefined || peer === undefined || peer.audioPort === 0) return;
  const blocks: ReportBlock[] = [];
  const i = cm.slot;
  if (i >= 0 && stats.expectedOf(i) > 0)
    blocks.push({
      ssrc: stats.ssrcOf(i),
      fractionLost: stats.fractionLostSinceLast(i),
      cumulativeLost: stats.lostOf(i),
      extendedHighestSeq: stats.extendedHighestSeqOf(i),
      jitter: stats.jitterUnitsOf(i),
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
    cname: `sipts-${cm.call.number}@${ip}`,
  });
  // An SRTP call's reports go as SRTCP, under the call's key (RFC 3711 §3.4).
  socket.sendRtcp(cm.srtp === undefined ? report : cm.srtp.txRtcp.protect(report), peer.audioPort + 1, peer.address);
}
