/** The end-of-run summary: cli-table3 tables built from a snapshot only. */
import Table from 'cli-table3';
import { FAILURE_HELP, FAILURE_REASONS } from '../events/outcome.js';
import { TRANSPORT_ERROR_HELP, TRANSPORT_ERROR_KINDS } from '../events/transport-error.js';
import type { ScenarioOutline } from '../scenario/outline.js';
import type { HistogramSummary, StatsSnapshot } from '../stats/stats.js';

const style = { head: [] as string[], border: [] as string[], compact: true };

export function formatSummary(s: StatsSnapshot, scenario: ScenarioOutline, title: string): string {
  const c = s.counters;
  const out: string[] = [];
  const secs = s.elapsedMs / 1000;
  out.push(`${title} — scenario "${scenario.name}", ${secs.toFixed(1)} s`);

  const totals = new Table({ head: ['Calls', 'Count'], style });
  totals.push(
    ['Created', c.CallsCreated],
    ['Successful', c.SuccessfulCalls],
    ['Failed', c.FailedCalls],
    ['Aborted at end of run', c.AbortedCalls],
    ['Call rate (created/s)', secs > 0 ? (c.CallsCreated / secs).toFixed(1) : '0'],
    ['Retransmissions', c.Retransmissions],
    ['Refused by -l', c.CallsRefusedByLimit],
    ['Not started (behind rate)', c.CallsNotStarted],
    ['Out-of-call messages', c.OutOfCallMsgs],
    ['Dead-call messages', c.DeadCallMsgs],
    ['Unparsable messages', c.BadMessages],
    ['Transport errors', c.SendErrors],
  );
  out.push(totals.toString());

  const failed = FAILURE_REASONS.filter((r) => s.failures[r] > 0);
  if (failed.length > 0) {
    const t = new Table({ head: ['Failure reason', 'Calls', 'Meaning'], style });
    for (const r of failed) t.push([r, s.failures[r], FAILURE_HELP[r]]);
    out.push(t.toString());
  }
  const wire = TRANSPORT_ERROR_KINDS.filter((k) => s.transportErrors[k] > 0);
  if (wire.length > 0) {
    const t = new Table({ head: ['Transport error', 'Count', 'Meaning'], style });
    for (const k of wire) t.push([k, s.transportErrors[k], TRANSPORT_ERROR_HELP[k]]);
    out.push(t.toString());
  }
  const unexpected = Object.entries(s.unexpected);
  if (unexpected.length > 0) {
    const t = new Table({ head: ['Unexpected message', 'Count'], style });
    for (const [kind, n] of unexpected.sort((a, b) => b[1] - a[1])) t.push([kind, n]);
    out.push(t.toString());
  }

  const userCounters = Object.entries(s.userCounters);
  if (userCounters.length > 0) {
    const t = new Table({ head: ['Scenario counter', 'Count'], style });
    for (const [name, n] of userCounters) t.push([name, n]);
    out.push(t.toString());
  }

  const steps = new Table({ head: ['#', 'Step', 'Sent', 'Received', 'Retrans', 'Timeouts', 'Unexpected', 'Lost'], style });
  scenario.steps.forEach((st, i) => {
    const n = s.steps[i];
    if (n === undefined) return;
    steps.push([i, st.title, n.sent, n.recv, n.retrans, n.timeouts, n.unexpected, n.lost]);
  });
  out.push(steps.toString());

  const times = new Table({ head: ['Timing (ms)', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'], style });
  const row = (name: string, h: HistogramSummary): void => {
    times.push([name, h.count, h.p50Ms, h.p90Ms, h.p99Ms, h.p999Ms, h.maxMs]);
  };
  for (const r of s.rtd) row(`Response time ${r.name}`, r.summary);
  row('Call length', s.callLength);
  out.push(times.toString());
  const r = s.rtp;
  if (r !== undefined) {
    const t = new Table({ head: ['RTP media', 'Value'], style });
    t.push(
      ['Packets sent', r.packetsSent],
      ['Packets received', r.packetsReceived],
      ['Packets lost', r.packetsLost],
      ['Jitter p50 / p99 (ms)', `${r.jitterP50Ms} / ${r.jitterP99Ms}`],
      ['MOS (estimate, G.107)', r.mos === 0 ? '-' : r.mos.toFixed(2)],
      ['Send lateness p99 / max (ms)', `${r.sendLatenessP99Ms} / ${r.sendLatenessMaxMs}`],
      ['Echoed (-rtp_echo, rtp_echo)', r.echoed],
      ['Media errors', r.errors],
    );
    // SRTP rows only where SRTP was used: a plain-RTP run's table stays as it was.
    if (r.srtpSent > 0 || r.srtpAuthFailures > 0)
      t.push(['SRTP packets sent', r.srtpSent], ['SRTP auth failures (dropped)', r.srtpAuthFailures]);
    out.push(t.toString());
  }
  return out.join('\n');
}
