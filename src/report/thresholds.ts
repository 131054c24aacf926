/** Pass/fail thresholds for CI (--max-failed, --max-rtd-p99, --min-success-rate), judged on a snapshot. */
import type { StatsSnapshot } from '../stats/stats.js';

export interface Thresholds {
  readonly maxFailed: number | undefined;
  readonly maxRtdP99Ms: number | undefined;
  readonly minSuccessRatePercent: number | undefined;
}

export interface ThresholdResult {
  readonly name: string;
  readonly limit: string;
  readonly value: string;
  readonly ok: boolean;
}

export const anyThreshold = (t: Thresholds): boolean =>
  t.maxFailed !== undefined || t.maxRtdP99Ms !== undefined || t.minSuccessRatePercent !== undefined;

export function judge(t: Thresholds, s: StatsSnapshot): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  const c = s.counters;
  if (t.maxFailed !== undefined) out.push({ name: 'max-failed', limit: `<= ${t.maxFailed}`, value: String(c.FailedCalls + c.AbortedCalls), ok: c.FailedCalls + c.AbortedCalls <= t.maxFailed });
  if (t.maxRtdP99Ms !== undefined) {
    for (const r of s.rtd) out.push({ name: `max-rtd-p99 (response time ${r.name})`, limit: `<= ${t.maxRtdP99Ms} ms`, value: `${r.summary.p99Ms} ms`, ok: r.summary.p99Ms <= t.maxRtdP99Ms });
  }
  if (t.minSuccessRatePercent !== undefined) {
    const ended = c.SuccessfulCalls + c.FailedCalls + c.AbortedCalls;
    const rate = ended === 0 ? 0 : (100 * c.SuccessfulCalls) / ended;
    out.push({ name: 'min-success-rate', limit: `>= ${t.minSuccessRatePercent} %`, value: `${Number(rate.toFixed(3))} %`, ok: rate >= t.minSuccessRatePercent });
  }
  return out;
}
