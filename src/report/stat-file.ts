/**
 * SIPp's stat file (-trace_stat): a ';'-separated CSV, one column per counter, `(P)` for the period since
 * the last row and `(C)` since the start, in SIPp 3.6.1's order, so scripts that read SIPp's file by
 * column name read this one. Built from snapshots only.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { FAILURE_REASONS } from '../events/outcome.js';
import { hms, hmsUs, sippTime } from '../format.js';
import type { CompiledScenario } from '../scenario/compile.js';
import { momentsMean, momentsSince, momentsStdev, type Moments, type StatsSnapshot } from '../stats/stats.js';

/** Counters after the failure reasons, with the snapshot counter each comes from (none: always 0). */
const TAIL_COUNTERS = [
  ['OutOfCallMsgs', 'OutOfCallMsgs'],
  ['DeadCallMsgs', 'DeadCallMsgs'],
  ['Retransmissions', 'Retransmissions'],
  ['AutoAnswered', 'AutoAnswered'],
  ['Warnings', undefined],
  ['FatalErrors', undefined],
  ['WatchdogMajor', 'WatchdogMajor'],
  ['WatchdogMinor', 'WatchdogMinor'],
] as const;

const pc = (name: string): string[] => [`${name}(P)`, `${name}(C)`];

/** Like C's %g: six significant digits, no trailing zeros. */
const g = (x: number): string => String(Number(x.toPrecision(6)));

export class StatFile {
  private previous: StatsSnapshot | undefined;
  private lastResetEpochMs: number;

  constructor(
    readonly path: string,
    private readonly scenario: CompiledScenario,
    private readonly startEpochMs: number,
    private readonly targetRate: () => number,
    /** -stat_delimiter */
    private readonly delimiter = ';',
    /** -periodic_rtd: the repartition columns count the period only (SIPp resets them at every row). */
    private readonly periodicRepartition = false,
  ) {
    this.lastResetEpochMs = startEpochMs;
    writeFileSync(path, `${this.header().join(delimiter)}${delimiter}\n`);
  }

  header(): string[] {
    const s = this.scenario;
    const cols = [
      'StartTime',
      'LastResetTime',
      'CurrentTime',
      ...pc('ElapsedTime'),
      'TargetRate',
      ...pc('CallRate'),
      ...pc('IncomingCall'),
      ...pc('OutgoingCall'),
      'TotalCallCreated',
      'CurrentCall',
      ...pc('SuccessfulCall'),
      ...pc('FailedCall'),
    ];
    for (const r of FAILURE_REASONS) cols.push(...pc(r));
    for (const [name] of TAIL_COUNTERS) cols.push(...pc(name));
    for (const r of s.rtdNames) cols.push(...pc(`ResponseTime${r}`), ...pc(`ResponseTime${r}StDev`));
    cols.push(...pc('CallLength'), ...pc('CallLengthStDev'));
    for (const r of s.rtdNames) cols.push(...repartitionColumns(`ResponseTimeRepartition${r}`, s.responseTimeRepartition));
    cols.push(...repartitionColumns('CallLengthRepartition', s.callLengthRepartition));
    // sipts's RTP figures, after every column of SIPp's, so that scripts reading SIPp's columns by position still work.
    if (s.hasMedia)
      cols.push(
        ...pc('RtpPacketsSent'),
        ...pc('RtpPacketsReceived'),
        ...pc('RtpPacketsLost'),
        'RtpJitterP50Ms(C)',
        'RtpJitterP99Ms(C)',
        'RtpMosEstimate(C)',
        ...pc('RtpEchoed'),
      );
    return cols;
  }

  /** Appends a row for `now` and starts a new period. */
  write(snap: StatsSnapshot, nowEpochMs: number): void {
    appendFileSync(this.path, `${this.row(snap, nowEpochMs).join(this.delimiter)}${this.delimiter}\n`);
    this.previous = snap;
    this.lastResetEpochMs = nowEpochMs;
  }

  row(snap: StatsSnapshot, nowEpochMs: number): string[] {
    // After a `reset stats`, the period's figures are those since the reset.
    const prev = this.previous?.resets === snap.resets ? this.previous : undefined;
    const c = snap.counters;
    const periodMs = nowEpochMs - this.lastResetEpochMs;
    const created = c.CallsCreated;
    const createdP = created - (prev?.counters.CallsCreated ?? 0);
    const incoming = this.scenario.serverMode;
    const pair = (now: number, before: number | undefined): string[] => [String(now - (before ?? 0)), String(now)];
    const out = [
      sippTime(this.startEpochMs),
      sippTime(this.lastResetEpochMs),
      sippTime(nowEpochMs),
      hms(periodMs),
      hms(nowEpochMs - this.startEpochMs),
      g(this.targetRate()),
      g(periodMs > 0 ? (createdP * 1000) / periodMs : 0),
      g(snap.elapsedMs > 0 ? (created * 1000) / snap.elapsedMs : 0),
      ...(incoming ? pair(created, prev?.counters.CallsCreated) : ['0', '0']),
      ...(incoming ? ['0', '0'] : pair(created, prev?.counters.CallsCreated)),
      String(created),
      String(snap.openCalls),
      ...pair(c.SuccessfulCalls, prev?.counters.SuccessfulCalls),
      ...pair(c.FailedCalls, prev?.counters.FailedCalls),
    ];
    for (const r of FAILURE_REASONS) out.push(...pair(snap.failures[r], prev?.failures[r]));
    for (const [, from] of TAIL_COUNTERS) out.push(...(from === undefined ? ['0', '0'] : pair(c[from], prev?.counters[from])));
    const times = (now: Moments, before: Moments | undefined): string[] => {
      const p = momentsSince(now, before);
      return [hmsUs(momentsMean(p)), hmsUs(momentsMean(now)), hmsUs(momentsStdev(p)), hmsUs(momentsStdev(now))];
    };
    snap.rtdMoments.forEach((m, i) => {
      const t = times(m, prev?.rtdMoments[i]);
      out.push(t[0] ?? '', t[1] ?? '', t[2] ?? '', t[3] ?? '');
    });
    out.push(...times(snap.callLengthMoments, prev?.callLengthMoments));
    const since = (now: readonly number[], before: readonly number[] | undefined): string[] =>
      now.map((n, i) => String(this.periodicRepartition ? n - (before?.[i] ?? 0) : n));
    snap.rtdRepartition.forEach((counts, i) => out.push('', ...since(counts, prev?.rtdRepartition[i])));
    out.push('', ...since(snap.callLengthRepartition, prev?.callLengthRepartition));
    if (this.scenario.hasMedia) {
      const r = snap.rtp;
      const p = prev?.rtp;
      out.push(
        ...pair(r?.packetsSent ?? 0, p?.packetsSent),
        ...pair(r?.packetsReceived ?? 0, p?.packetsReceived),
        ...pair(r?.packetsLost ?? 0, p?.packetsLost),
        g(r?.jitterP50Ms ?? 0),
        g(r?.jitterP99Ms ?? 0),
        g(r?.mos ?? 0),
        ...pair(r?.echoed ?? 0, p?.echoed),
      );
    }
    return out;
  }
}

function repartitionColumns(name: string, edges: readonly number[]): string[] {
  return [name, ...edges.map((e) => `${name}_<${e}`), `${name}_>=${edges[edges.length - 1] ?? 0}`];
}
