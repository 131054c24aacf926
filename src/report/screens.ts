/**
 * The live screens, one per key as in SIPp: 1 scenario, 2 statistics, 3 repartitions, 4 variables, and
 * sipts's own 5 percentiles, 6 failures and 7 workers (-workers: each thread's figures side by side); 8 and 9
 * list the screens. Pure functions of snapshots.
 */
import { FAILURE_HELP, FAILURE_REASONS } from '../events/outcome.js';
import { TRANSPORT_ERROR_HELP, TRANSPORT_ERROR_KINDS } from '../events/transport-error.js';
import { hms, hmsUs, sippTime } from '../format.js';
import { StepKind, type CompiledScenario } from '../scenario/compile.js';
import type { PartFigures } from '../stats/parts.js';
import { momentsMean, momentsSince, PERCENTILE_HEADS, percentileCells, type HistogramSummary, type StatsSnapshot } from '../stats/stats.js';

export interface ScreenSource {
  readonly scenario: CompiledScenario;
  readonly currentRate: number;
  readonly ratePeriodMs: number;
  readonly paused: boolean;
  /** `127.0.0.1:5060`: the local and (client mode) remote addresses. */
  readonly local: string;
  readonly remote: string | undefined;
  readonly startEpochMs: number;
  /** <Global> variables and their values now. */
  variables(): readonly (readonly [string, string])[];
  /** -workers: each worker's figures; undefined when the run is one engine on the main thread. */
  workers?: (() => readonly PartFigures[]) | undefined;
}

export const SCREEN_NAMES = ['Scenario', 'Statistics', 'Repartition', 'Variables', 'Percentiles', 'Failures', 'Workers'] as const;

const WIDTH = 79;

function title(name: string): string {
  const left = `${'-'.repeat(30)} ${name} Screen `;
  const right = ' [1-9]: Change Screen --';
  return `${left}${'-'.repeat(Math.max(2, WIDTH - left.length - right.length))}${right}`;
}

const FOOTER = '  Keys: 1-9 screens, + - * / change the rate, p pauses, q stops gracefully, Q stops now';

/** Renders screen `n` (1-9). `previous` is the snapshot of the statistics screen's last period. */
export function renderScreenNumber(
  n: number,
  s: StatsSnapshot,
  src: ScreenSource,
  previous: StatsSnapshot | undefined,
  nowEpochMs: number,
): string {
  switch (n) {
    case 1:
      return scenarioScreen(s, src);
    case 2:
      return statisticsScreen(s, src, previous, nowEpochMs);
    case 3:
      return repartitionScreen(s, src);
    case 4:
      return variablesScreen(s, src);
    case 5:
      return percentilesScreen(s);
    case 6:
      return failuresScreen(s);
    case 7:
      return workersScreen(s, src);
    default:
      return helpScreen();
  }
}

export function scenarioScreen(s: StatsSnapshot, src: ScreenSource): string {
  const c = s.counters;
  const secs = s.elapsedMs / 1000;
  const lines = [title('Scenario')];
  lines.push('  Call rate (per period)   Local            Total-time  Total-calls  Remote-host');
  lines.push(
    `  ${`${src.currentRate} / ${src.ratePeriodMs} ms${src.paused ? ' (paused)' : ''}`.padEnd(24)} ${src.local.padEnd(16)} ${`${secs.toFixed(2)} s`.padStart(10)}  ${String(c.CallsCreated).padStart(11)}  ${src.remote ?? '-'}`,
  );
  lines.push('');
  lines.push(
    `  ${`${s.openCalls} open calls`.padEnd(38)}${c.CallsCreated} created (${secs > 0 ? (c.CallsCreated / secs).toFixed(1) : '0.0'} cps)`,
  );
  lines.push(`  ${`${c.SuccessfulCalls} successful`.padEnd(38)}${c.FailedCalls} failed, ${c.AbortedCalls} aborted`);
  lines.push(`  ${`${c.DeadCallMsgs} dead call msg (discarded)`.padEnd(38)}${c.OutOfCallMsgs} out-of-call msg (discarded)`);
  lines.push(`  ${`${c.Retransmissions} retransmissions`.padEnd(38)}${c.SendErrors} transport errors, ${c.BadMessages} bad messages`);
  if (c.CallsRefusedByLimit > 0) lines.push(`  ${c.CallsRefusedByLimit} call starts refused by the -l limit`);
  if (c.CallsNotStarted > 0) lines.push(`  ${c.CallsNotStarted} call starts skipped: this machine fell over 1 s behind the rate asked for`);
  const r = s.rtp;
  // RTP media (issue 18): the MOS is an E-model estimate (ITU-T G.107), labelled so.
  if (r !== undefined)
    lines.push(
      `  RTP: ${r.packetsSent} sent, ${r.packetsReceived} received, ${r.packetsLost} lost, jitter p50/p99 ${r.jitterP50Ms}/${r.jitterP99Ms} ms, MOS ${r.mos === 0 ? '-' : r.mos.toFixed(2)} (estimate), ${r.echoed} echoed`,
    );
  lines.push('');
  lines.push('                                 Messages  Retrans   Timeout   Unexpected-Msg');
  src.scenario.steps.forEach((st, i) => {
    const n = s.steps[i];
    // SIPp: hide= (and hiderest=) leave a step off this screen; crlf= puts a blank line after it.
    if (n === undefined || st.hide) return;
    // SIPp shows a <nop> as its display= text, else as [ NOP ]; sipts leaves plain nops off.
    if (st.kind === StepKind.Nop) {
      if (st.display !== '') lines.push(`  ${st.display}`);
    } else {
      const count = st.kind === StepKind.Recv || st.kind === StepKind.RecvCmd ? n.recv : n.sent;
      const rtd = st.rtd >= 0 ? `E-RTD${st.rtd + 1}` : '';
      lines.push(
        `  ${st.title.padEnd(22).slice(0, 22)} ${rtd.padStart(6)} ${String(count).padStart(9)} ${String(n.retrans).padStart(8)} ${String(n.timeouts).padStart(9)} ${String(n.unexpected).padStart(9)}`,
      );
    }
    if (st.crlf) lines.push('');
  });
  for (const r of s.rtd) lines.push(`  Response time ${r.name}: ${percentiles(r.summary)}`);
  lines.push(FOOTER);
  return lines.join('\n');
}

function percentiles(h: HistogramSummary): string {
  return `p50 ${h.p50Ms} ms  p90 ${h.p90Ms} ms  p99 ${h.p99Ms} ms  max ${h.maxMs} ms`;
}

export function statisticsScreen(s: StatsSnapshot, src: ScreenSource, previous: StatsSnapshot | undefined, nowEpochMs: number): string {
  // After a `reset stats`, the period's figures are those since the reset.
  const prev = previous?.resets === s.resets ? previous : undefined;
  const periodMs = s.elapsedMs - (prev?.elapsedMs ?? 0);
  const c = s.counters;
  const d = (now: number, before: number | undefined): number => now - (before ?? 0);
  const row = (name: string, periodic: string, cumulative: string): string => `  ${name.padEnd(23)}| ${periodic.padEnd(26)}| ${cumulative}`;
  const sep = `${'-'.repeat(25)}+${'-'.repeat(27)}+${'-'.repeat(26)}`;
  const created = d(c.CallsCreated, prev?.counters.CallsCreated);
  const incoming = src.scenario.serverMode;
  const lines = [title('Statistics')];
  lines.push(`  Start Time             | ${sippTime(src.startEpochMs)}`);
  lines.push(`  Current Time           | ${sippTime(nowEpochMs)}`);
  lines.push(sep, row('Counter Name', 'Periodic value', 'Cumulative value'), sep);
  lines.push(row('Elapsed Time', hmsUs(periodMs), hmsUs(s.elapsedMs)));
  lines.push(
    row(
      'Call Rate',
      `${(periodMs > 0 ? (created * 1000) / periodMs : 0).toFixed(3)} cps`,
      `${(s.elapsedMs > 0 ? (c.CallsCreated * 1000) / s.elapsedMs : 0).toFixed(3)} cps`,
    ),
  );
  lines.push(sep);
  lines.push(row('Incoming calls created', String(incoming ? created : 0), String(incoming ? c.CallsCreated : 0)));
  lines.push(row('Outgoing calls created', String(incoming ? 0 : created), String(incoming ? 0 : c.CallsCreated)));
  lines.push(row('Total Calls created', '', String(c.CallsCreated)));
  lines.push(row('Current Calls', String(s.openCalls), ''));
  lines.push(sep);
  lines.push(row('Successful call', String(d(c.SuccessfulCalls, prev?.counters.SuccessfulCalls)), String(c.SuccessfulCalls)));
  lines.push(row('Failed call', String(d(c.FailedCalls, prev?.counters.FailedCalls)), String(c.FailedCalls)));
  for (const r of FAILURE_REASONS) {
    if (s.failures[r] > 0)
      lines.push(row(`  ${r.replace(/^Failed/, '')}`, String(d(s.failures[r], prev?.failures[r])), String(s.failures[r])));
  }
  lines.push(sep);
  s.rtdMoments.forEach((m, i) => {
    lines.push(
      row(`Response Time ${s.rtd[i]?.name ?? i + 1}`, hmsUs(momentsMean(momentsSince(m, prev?.rtdMoments[i]))), hmsUs(momentsMean(m))),
    );
  });
  lines.push(
    row(
      'Call Length',
      hmsUs(momentsMean(momentsSince(s.callLengthMoments, prev?.callLengthMoments))),
      hmsUs(momentsMean(s.callLengthMoments)),
    ),
  );
  lines.push(FOOTER);
  return lines.join('\n');
}

function repartition(name: string, edges: readonly number[], counts: readonly number[]): string[] {
  const lines = [`  ${name}`];
  if (edges.length === 0) return [...lines, '    (none: the scenario has no repartition for it)'];
  edges.forEach((e, i) => {
    const lo = i === 0 ? 0 : (edges[i - 1] ?? 0);
    lines.push(`  ${String(lo).padStart(12)} ms <= n < ${String(e).padStart(10)} ms : ${String(counts[i] ?? 0).padStart(10)}`);
  });
  lines.push(
    `  ${''.padStart(12)}    n >= ${String(edges[edges.length - 1]).padStart(10)} ms : ${String(counts[edges.length] ?? 0).padStart(10)}`,
  );
  return lines;
}

export function repartitionScreen(s: StatsSnapshot, src: ScreenSource): string {
  const lines = [title('Repartition')];
  s.rtdRepartition.forEach((counts, i) =>
    lines.push(
      ...repartition(`Average Response Time Repartition ${s.rtd[i]?.name ?? i + 1}`, src.scenario.responseTimeRepartition, counts),
    ),
  );
  lines.push(...repartition('Average Call Length Repartition', src.scenario.callLengthRepartition, s.callLengthRepartition));
  lines.push(FOOTER);
  return lines.join('\n');
}

export function variablesScreen(s: StatsSnapshot, src: ScreenSource): string {
  const lines = [title('Variables')];
  const vars = src.variables();
  lines.push('  Global variables');
  if (vars.length === 0) lines.push('    (none)');
  for (const [name, value] of vars) lines.push(`    ${name.padEnd(24)} ${value}`);
  lines.push('  Counters (counter="…" on steps)');
  const counters = Object.entries(s.userCounters);
  if (counters.length === 0) lines.push('    (none)');
  for (const [name, value] of counters) lines.push(`    ${name.padEnd(24)} ${value}`);
  lines.push(FOOTER);
  return lines.join('\n');
}

export function percentilesScreen(s: StatsSnapshot): string {
  const lines = [title('Percentiles')];
  lines.push(`  ${'measure'.padEnd(20)} ${PERCENTILE_HEADS.map((h) => h.padStart(9)).join('')}   (ms)`);
  const row = (name: string, h: HistogramSummary): string =>
    `  ${name.padEnd(20)} ${percentileCells(h)
      .map((v) => String(v).padStart(9))
      .join('')}`;
  for (const r of s.rtd) lines.push(row(`response time ${r.name}`, r.summary));
  lines.push(row('call length', s.callLength));
  lines.push(FOOTER);
  return lines.join('\n');
}

export function failuresScreen(s: StatsSnapshot): string {
  const lines = [title('Failures')];
  const reasons = FAILURE_REASONS.filter((r) => s.failures[r] > 0);
  if (reasons.length === 0 && s.counters.AbortedCalls === 0) lines.push('  No call has failed.');
  for (const r of reasons) lines.push(`  ${String(s.failures[r]).padStart(8)}  ${r}: ${FAILURE_HELP[r]}`);
  if (s.counters.AbortedCalls > 0)
    lines.push(`  ${String(s.counters.AbortedCalls).padStart(8)}  aborted: still open when the run was stopped`);
  const unexpected = Object.entries(s.unexpected);
  if (unexpected.length > 0) {
    lines.push('', '  Unexpected messages');
    for (const [kind, n] of unexpected) lines.push(`  ${String(n).padStart(8)}  ${kind}`);
  }
  const wire = TRANSPORT_ERROR_KINDS.filter((k) => s.transportErrors[k] > 0);
  if (wire.length > 0) {
    lines.push('', '  Transport errors');
    for (const k of wire) lines.push(`  ${String(s.transportErrors[k]).padStart(8)}  ${k}: ${TRANSPORT_ERROR_HELP[k]}`);
  }
  lines.push(FOOTER);
  return lines.join('\n');
}

/**
 * The workers side by side: what each placed or answered, how many it holds open, and how far it fell behind
 * its schedule, so that one thread lagging (its core busy with something else, its share of a USER file heavier)
 * shows, where the merged figures would hide it.
 */
export function workersScreen(s: StatsSnapshot, src: ScreenSource): string {
  const lines = [title('Workers')];
  const parts = src.workers?.();
  if (parts === undefined || parts.length === 0) {
    lines.push('  One engine on the main thread: -workers N (or auto) splits a run over N worker threads.', FOOTER);
    return lines.join('\n');
  }
  const cells = (cs: readonly string[]): string => `  ${cs.map((c, i) => (i === 0 ? c.padEnd(8) : c.padStart(11))).join(' ')}`;
  const rate = (created: number, ms: number): string => (ms > 0 ? ((created * 1000) / ms).toFixed(1) : '0.0');
  lines.push(cells(['Worker', 'Port', 'Created', 'cps', 'Successful', 'Failed', 'Open', 'Behind ms']));
  for (const p of parts)
    lines.push(
      cells([
        `${p.index}${p.ended ? ' (end)' : ''}`,
        p.localPort === undefined ? '-' : String(p.localPort),
        String(p.created),
        rate(p.created, p.elapsedMs),
        String(p.successful),
        String(p.failed),
        String(p.openCalls),
        p.behindMs.toFixed(1),
      ]),
    );
  const c = s.counters;
  lines.push(
    cells([
      'All',
      '',
      String(c.CallsCreated),
      rate(c.CallsCreated, s.elapsedMs),
      String(c.SuccessfulCalls),
      String(c.FailedCalls),
      String(s.openCalls),
      Math.max(0, ...parts.map((p) => p.behindMs)).toFixed(1),
    ]),
    FOOTER,
  );
  return lines.join('\n');
}

function helpScreen(): string {
  const lines = [title('Help')];
  SCREEN_NAMES.forEach((n, i) => lines.push(`  ${i + 1}  ${n}`));
  lines.push(FOOTER);
  return lines.join('\n');
}

/** Every screen, one after the other: -trace_screen's file at the end of a run. */
export function allScreens(s: StatsSnapshot, src: ScreenSource, nowEpochMs: number): string {
  return (
    SCREEN_NAMES.map((_n, i) => renderScreenNumber(i + 1, s, src, undefined, nowEpochMs)).join('\n') + `\n  Elapsed ${hms(s.elapsedMs)}\n`
  );
}
