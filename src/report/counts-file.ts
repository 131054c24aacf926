/**
 * SIPp's -trace_counts file: per scenario step, its message counters (sent or received, retransmissions,
 * timeouts, unexpected), cumulative, one ';'-separated row every -fd, with SIPp's column names
 * (`0_INVITE_Sent`, `1_100_Recv`, `6_Pause_Sessions` …).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { hmsUs, sippTime } from '../format.js';
import { StepKind, type CompiledScenario, type CompiledStep } from '../scenario/compile.js';
import type { StatsSnapshot, StepCounterName } from '../stats/stats.js';

/** Each step's columns: a suffix and the step counter it reads. */
function columnsOf(step: CompiledStep): [string, StepCounterName][] {
  switch (step.kind) {
    case StepKind.Send:
      // SIPp compat: a send has a Timeout column only when it is retransmitted (it can time out).
      return step.retransMs > 0 ? [['Sent', 'sent'], ['Retrans', 'retrans'], ['Timeout', 'timeouts']] : [['Sent', 'sent'], ['Retrans', 'retrans']];
    case StepKind.Recv:
      return [['Recv', 'recv'], ['Retrans', 'retrans'], ['Timeout', 'timeouts'], ['Unexp', 'unexpected']];
    case StepKind.Pause:
      return [['Sessions', 'sent'], ['Unexp', 'unexpected']];
    default:
      return [];
  }
}

/** `INVITE` from `INVITE ->`, `200` from `<- 200`, `Pause` for pauses. */
function nameOf(step: CompiledStep): string {
  if (step.kind === StepKind.Pause) return 'Pause';
  return step.title.replace(/<-|->/g, '').trim().split(/\s+/)[0] ?? '';
}

export class CountsFile {
  /** `delimiter`: -stat_delimiter. */
  constructor(readonly path: string, private readonly scenario: CompiledScenario, private readonly startEpochMs: number, private readonly delimiter = ';') {
    const cols = ['CurrentTime', 'ElapsedTime'];
    scenario.steps.forEach((st, i) => { for (const [suffix] of columnsOf(st)) cols.push(`${i}_${nameOf(st)}_${suffix}`); });
    writeFileSync(path, `${cols.join(delimiter)}${delimiter}\n`);
  }

  write(snap: StatsSnapshot, nowEpochMs: number): void {
    const row = [sippTime(nowEpochMs), hmsUs(nowEpochMs - this.startEpochMs)];
    this.scenario.steps.forEach((st, i) => {
      const n = snap.steps[i];
      for (const [, counter] of columnsOf(st)) row.push(String(n?.[counter] ?? 0));
    });
    appendFileSync(this.path, `${row.join(this.delimiter)}${this.delimiter}\n`);
  }
}
