/**
 * SIPp's -trace_counts file: per scenario step, its message counters (sent or received, retransmissions,
 * timeouts, unexpected), cumulative, one ';'-separated row every -fd, with SIPp's column names
 * (`0_INVITE_Sent`, `1_100_Recv`, `6_Pause_Sessions` …).
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { hmsUs, sippTime } from '../format.js';
import { StepKind, type CompiledScenario, type CompiledStep } from '../scenario/compile.js';
import type { StatsSnapshot, StepCounterName } from '../stats/stats.js';

/** Each step's columns: a column name and the step counter it reads (undefined: always 0). */
function columnsOf(step: CompiledStep, i: number): [string, StepCounterName | undefined][] {
  const named = (suffixes: [string, StepCounterName][]): [string, StepCounterName | undefined][] =>
    suffixes.map(([suffix, c]) => [`${i}_${nameOf(step)}_${suffix}`, c]);
  switch (step.kind) {
    case StepKind.Send:
      // SIPp compat: a send has a Timeout column only when it is retransmitted (it can time out).
      return named(
        step.retransMs > 0
          ? [
              ['Sent', 'sent'],
              ['Retrans', 'retrans'],
              ['Timeout', 'timeouts'],
            ]
          : [
              ['Sent', 'sent'],
              ['Retrans', 'retrans'],
            ],
      );
    case StepKind.Recv:
      return named([
        ['Recv', 'recv'],
        ['Retrans', 'retrans'],
        ['Timeout', 'timeouts'],
        ['Unexp', 'unexpected'],
      ]);
    case StepKind.Pause:
      return named([
        ['Sessions', 'sent'],
        ['Unexp', 'unexpected'],
      ]);
    // SIPp compat: SIPp 3.6.1 writes a 3PCC command step as a pause, `N_Pause_Sessions` (always 0 there) and
    // `N_Pause_Unexp`, not the N_SendCmd / N_RecvCmd columns its logger.cpp seems to have for them.
    case StepKind.SendCmd:
    case StepKind.RecvCmd:
      return [
        [`${i}_Pause_Sessions`, undefined],
        [`${i}_Pause_Unexp`, 'unexpected'],
      ];
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
  constructor(
    readonly path: string,
    private readonly scenario: CompiledScenario,
    private readonly startEpochMs: number,
    private readonly delimiter = ';',
  ) {
    const cols = ['CurrentTime', 'ElapsedTime'];
    scenario.steps.forEach((st, i) => {
      for (const [name] of columnsOf(st, i)) cols.push(name);
    });
    writeFileSync(path, `${cols.join(delimiter)}${delimiter}\n`);
  }

  write(snap: StatsSnapshot, nowEpochMs: number): void {
    const row = [sippTime(nowEpochMs), hmsUs(nowEpochMs - this.startEpochMs)];
    this.scenario.steps.forEach((st, i) => {
      const n = snap.steps[i];
      for (const [, counter] of columnsOf(st, i)) row.push(String(counter === undefined ? 0 : (n?.[counter] ?? 0)));
    });
    appendFileSync(this.path, `${row.join(this.delimiter)}${this.delimiter}\n`);
  }
}
