import { mergeHistograms, type HistogramExport } from './histogram.js';

/** A run's RTP figures, as reports show them: plain data taken from the media layer with each snapshot. */
export interface RtpTotals {
  /** RTP packets the run's streams sent (rtp_stream, play_pcap_*, play_dtmf). */
  readonly packetsSent: number;
  /** RTP packets received on the calls' media ports (RFC 3550 A.1's count: probation packets not included). */
  readonly packetsReceived: number;
  /** Expected minus received (RFC 3550 A.3), summed over the calls' streams; never below 0 for a call. */
  readonly packetsLost: number;
  /** Percentiles over the calls of their interarrival jitter (RFC 3550 A.8), ms. */
  readonly jitterP50Ms: number;
  readonly jitterP99Ms: number;
  /** An ESTIMATED MOS (ITU-T G.107 E-model, G.711) from the loss and jitter: 0 when nothing was received. */
  readonly mos: number;
  /** Datagrams the -rtp_echo sockets and the calls' echoes sent back. */
  readonly echoed: number;
  /**
   * The generator's own send lateness (sent - due, over every packet the pacer sent), ms: how far sipts itself
   * was from the stream's schedule. Jitter the peer sees that this does not explain is the network's or the peer's.
   */
  readonly sendLatenessP99Ms: number;
  readonly sendLatenessMaxMs: number;
  /** Media packets that could not be sent, calls whose media could not start (no port, no SDP of the peer). */
  readonly errors: number;
  /** Of packetsSent, those sent as SRTP (SDES keys negotiated, RFC 4568). */
  readonly srtpSent: number;
  /** SRTP datagrams received that failed authentication (RFC 3711 §3.4): dropped, not in the figures above. */
  readonly srtpAuthFailures: number;
}

/**
 * -workers: a part's RTP figures as parts that add up (the counts, and the histograms behind the percentiles),
 * merged by the main thread and summarized once (engine/media-tally.ts, rtpTotalsOf).
 */
export interface RtpExport {
  readonly packetsSent: number;
  readonly packetsReceived: number;
  /** RFC 3550 A.3's expected packets, summed over the calls: loss over it gives the MOS its loss percentage. */
  readonly packetsExpected: number;
  readonly packetsLost: number;
  readonly echoed: number;
  readonly errors: number;
  readonly srtpSent: number;
  readonly srtpAuthFailures: number;
  /** Each measured call's interarrival jitter, µs. */
  readonly jitter: HistogramExport;
  /** The send lateness of every packet, µs. */
  readonly lateness: HistogramExport;
}

export function mergeRtp(a: RtpExport, b: RtpExport): RtpExport {
  return {
    packetsSent: a.packetsSent + b.packetsSent,
    packetsReceived: a.packetsReceived + b.packetsReceived,
    packetsExpected: a.packetsExpected + b.packetsExpected,
    packetsLost: a.packetsLost + b.packetsLost,
    echoed: a.echoed + b.echoed,
    errors: a.errors + b.errors,
    srtpSent: a.srtpSent + b.srtpSent,
    srtpAuthFailures: a.srtpAuthFailures + b.srtpAuthFailures,
    jitter: mergeHistograms(a.jitter, b.jitter),
    lateness: mergeHistograms(a.lateness, b.lateness),
  };
}
