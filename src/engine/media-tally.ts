/**
 * What the media of a run counts: RTP received per call in a slot of one RtpStreamStats (RFC 3550 A.1, A.3, A.8),
 * whose figures join the run's at call end (its jitter a histogram over calls); packets sent, SRTP, echoes;
 * and trouble, counted as rtp.errors, with one warning for the first of it.
 */
import type { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
// The one histogram class used, not the package index (see src/stats/stats.ts: the index loads WebAssembly).
import Float64HistogramModule from 'hdr-histogram-js/dist/Float64Histogram.js';
import { estimateMos } from '../media/mos.js';
import type { LatenessSummary } from '../media/pacer.js';
import { RtpStreamStats } from '../media/rtp-stats.js';
import { decodeHistogram, encodeHistogram } from '../stats/histogram.js';
import type { RtpExport, RtpTotals } from '../stats/rtp.js';
import type { CallMedia } from './media-call.js';

const Float64Histogram = Float64HistogramModule.default;

/** Calls measured at once; a call past it is still counted (packets) but not in loss and jitter. */
const STATS_SLOTS = 4096;

export class MediaTally {
  readonly stats = new RtpStreamStats(STATS_SLOTS);
  private readonly freeSlots: number[] = Array.from({ length: STATS_SLOTS }, (_, i) => STATS_SLOTS - 1 - i);
  sent = 0;
  sendErrors = 0;
  failures = 0;
  /** Datagrams the calls' own echoes (rtp_echo actions) sent back. */
  callEchoed = 0;
  srtpSent = 0;
  private warned = false;
  /** Ended calls' figures. */
  private doneReceived = 0;
  private doneExpected = 0;
  private doneLost = 0;
  /** Ended calls' SRTP authentication failures. */
  private doneSrtpAuthFailures = 0;
  private readonly jitterUs: JsHistogram = new Float64Histogram(1, 60_000_000, 3);
  /** Every media send passes this: a failed send is counted, never thrown. */
  readonly onSendDone = (err: Error | null): void => {
    if (err !== null) this.sendErrors++;
  };

  constructor(private readonly log: (level: 'warning', text: string) => void) {}

  /** A statistics slot for the call's received RTP, when one is free and it has none. */
  claimSlot(cm: CallMedia): void {
    if (cm.slot >= 0) return;
    const slot = this.freeSlots.pop();
    if (slot !== undefined) {
      cm.slot = slot;
      this.stats.reset(slot);
    }
  }

  /** The call ended: its figures join the run's and its slot is free again. */
  retire(cm: CallMedia): void {
    this.doneSrtpAuthFailures += cm.socket?.counts.srtpAuthFailures ?? 0;
    if (cm.slot < 0) return;
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

  /** The ended calls' figures and those of the calls still open, with their jitter over calls (µs). */
  private gather(open: Iterable<CallMedia>): {
    received: number;
    expected: number;
    lost: number;
    srtpAuthFailures: number;
    jitter: JsHistogram;
  } {
    let received = this.doneReceived;
    let expected = this.doneExpected;
    let lost = this.doneLost;
    let srtpAuthFailures = this.doneSrtpAuthFailures;
    const jitter: JsHistogram = new Float64Histogram(1, 60_000_000, 3);
    jitter.add(this.jitterUs);
    for (const cm of open) {
      srtpAuthFailures += cm.socket?.counts.srtpAuthFailures ?? 0;
      if (cm.slot < 0) continue;
      const r = this.stats.receivedOf(cm.slot);
      received += r;
      expected += this.stats.expectedOf(cm.slot);
      lost += Math.max(0, this.stats.lostOf(cm.slot));
      if (r > 0) jitter.recordValue(this.stats.jitterMicrosOf(cm.slot));
    }
    return { received, expected, lost, srtpAuthFailures, jitter };
  }

  /** The run's counts: the ended calls' and those of the calls still open, and the echo sockets' packets. */
  private counts(g: ReturnType<MediaTally['gather']>, echoSocketsEchoed: number): RtpCounts {
    return {
      packetsSent: this.sent,
      packetsReceived: g.received,
      packetsExpected: g.expected,
      packetsLost: g.lost,
      echoed: this.callEchoed + echoSocketsEchoed,
      errors: this.sendErrors + this.failures,
      srtpSent: this.srtpSent,
      srtpAuthFailures: g.srtpAuthFailures,
    };
  }

  /** The run's figures: its counts, the jitter over calls and the pacer's lateness. */
  totals(open: Iterable<CallMedia>, echoSocketsEchoed: number, late: LatenessSummary): RtpTotals {
    const g = this.gather(open);
    return totalsOf(this.counts(g, echoSocketsEchoed), g.jitter, late.p99Ms, late.maxMs);
  }

  /** -workers: the same figures as parts that add up (stats/rtp.ts, mergeRtp; rtpTotalsOf reads them). */
  export(open: Iterable<CallMedia>, echoSocketsEchoed: number, lateness: JsHistogram): RtpExport {
    const g = this.gather(open);
    return { ...this.counts(g, echoSocketsEchoed), jitter: encodeHistogram(g.jitter), lateness: encodeHistogram(lateness) };
  }

  /** Trouble that stops some media (no SDP, no port, no SRTP): counted as an error, the first of it told. */
  fail(text: string): void {
    this.failures++;
    this.warnOnce(text);
  }

  /** The first media warning of the run is printed; the rest are only counted. */
  warnOnce(text: string): void {
    if (this.warned) return;
    this.warned = true;
    this.log('warning', `${text} (further media warnings are only counted: rtp.errors)`);
  }
}

/** An RtpExport's counts, without its histograms. */
type RtpCounts = Omit<RtpExport, 'jitter' | 'lateness'>;

function totalsOf(c: RtpCounts, jitter: JsHistogram, latenessP99Ms: number, latenessMaxMs: number): RtpTotals {
  const p = (q: number): number => (jitter.totalCount === 0 ? 0 : Math.round(jitter.getValueAtPercentile(q)) / 1000);
  const jitterP50Ms = p(50);
  const jitterP99Ms = p(99);
  // The E-model's delay: no one-way delay is measured; a receiver's jitter buffer of twice the p99 jitter
  // is what the jitter costs. An estimate, and labelled so wherever it is shown.
  const mos =
    c.packetsExpected === 0
      ? 0
      : Math.round(estimateMos({ lossPercent: (100 * c.packetsLost) / c.packetsExpected, oneWayDelayMs: 2 * jitterP99Ms }) * 100) / 100;
  const ms3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    packetsSent: c.packetsSent,
    packetsReceived: c.packetsReceived,
    packetsLost: c.packetsLost,
    jitterP50Ms,
    jitterP99Ms,
    mos,
    echoed: c.echoed,
    sendLatenessP99Ms: ms3(latenessP99Ms),
    sendLatenessMaxMs: ms3(latenessMaxMs),
    errors: c.errors,
    srtpSent: c.srtpSent,
    srtpAuthFailures: c.srtpAuthFailures,
  };
}

/** -workers: the run's figures from the workers' merged exports, as one engine's totals() reads its own. */
export function rtpTotalsOf(e: RtpExport): RtpTotals {
  const lateness = decodeHistogram(e.lateness);
  const latenessP99Ms = lateness.totalCount === 0 ? 0 : lateness.getValueAtPercentile(99) / 1000;
  return totalsOf(e, decodeHistogram(e.jitter), latenessP99Ms, e.lateness.maxUs / 1000);
}
