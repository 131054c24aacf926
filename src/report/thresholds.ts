/** Pass/fail thresholds for CI (--max-failed, --max-rtd-p99, --min-success-rate, --max-rtp-loss, --max-jitter), judged on a snapshot. */
import type { StatsSnapshot } from '../stats/stats.js';

export interface Thresholds {
  readonly maxFailed: number | undefined;
  readonly maxRtdP99Ms: number | undefined;
  readonly minSuccessRatePercent: number | undefined;
  /** RTP packets lost, as a percentage of those expected (received + lost). */
  readonly maxRtpLossPercent?: number | undefined;
  /** The p99 over calls of their RTP interarrival jitter (RFC 3550 A.8), ms. */
  readonly maxJitterMs?: number | undefined;
}

export interface ThresholdResult {
  readonly name: string;
  readonly limit: string;
  readonly value: string;
  readonly ok: boolean;
}

export const anyThreshold = (t: Thresholds): boolean =>
  t.maxFailed !== undefined ||
  t.maxRtdP99Ms !== undefined ||
  t.minSuccessRatePercent !== undefined ||
  t.maxRtpLossPercent !== undefined ||
  t.maxJitterMs !== undefined;

export function judge(t: Thresholds, s: StatsSnapshot): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  const c = s.counters;
  if (t.maxFailed !== undefined)
    out.push({
      name: 'max-failed',
      limit: `<= ${t.maxFailed}`,
      value: String(c.FailedCalls + c.AbortedCalls),
      ok: c.FailedCalls + c.AbortedCalls <= t.maxFailed,
    });
  if (t.maxRtdP99Ms !== undefined) {
    for (const r of s.rtd)
      out.push({
        name: `max-rtd-p99 (response time ${r.name})`,
        limit: `<= ${t.maxRtdP99Ms} ms`,
        value: `${r.summary.p99Ms} ms`,
        ok: r.summary.p99Ms <= t.maxRtdP99Ms,
      });
  }
  if (t.minSuccessRatePercent !== undefined) {
    const ended = c.SuccessfulCalls + c.FailedCalls + c.AbortedCalls;
    const rate = ended === 0 ? 0 : (100 * c.SuccessfulCalls) / ended;
    out.push({
      name: 'min-success-rate',
      limit: `>= ${t.minSuccessRatePercent} %`,
      value: `${Number(rate.toFixed(3))} %`,
      ok: rate >= t.minSuccessRatePercent,
    });
  }
  // A run that measured no RTP fails an RTP threshold: the figure it asks about does not exist.
  const r = s.rtp;
  if (t.maxRtpLossPercent !== undefined) {
    const expected = r === undefined ? 0 : r.packetsReceived + r.packetsLost;
    const loss = r === undefined || expected === 0 ? undefined : (100 * r.packetsLost) / expected;
    out.push({
      name: 'max-rtp-loss',
      limit: `<= ${t.maxRtpLossPercent} %`,
      value: loss === undefined ? 'no RTP received' : `${Number(loss.toFixed(3))} %`,
      ok: loss !== undefined && loss <= t.maxRtpLossPercent,
    });
  }
  if (t.maxJitterMs !== undefined) {
    const received = r !== undefined && r.packetsReceived > 0;
    out.push({
      name: 'max-jitter (RTP p99)',
      limit: `<= ${t.maxJitterMs} ms`,
      value: received ? `${r.jitterP99Ms} ms` : 'no RTP received',
      ok: received && r.jitterP99Ms <= t.maxJitterMs,
    });
  }
  return out;
}
