/** What the live screens and the screen file read of a running engine. */
import { performance } from 'node:perf_hooks';
import type { RunControl } from '../engine/run-control.js';
import type { LiveSource } from '../report/live.js';
import type { CompiledScenario } from '../scenario/compile.js';
import type { StatsSnapshot } from '../stats/stats.js';

/** Wall-clock time with microseconds: trace time stamps, and the run's start for every report. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/** Which scenario the screens show: SIPp's `set display main|ooc|rx`. */
export type Display = 'main' | 'ooc' | 'rx';

export interface SwitchableSource extends LiveSource {
  /** Shows the scenario named so; false when the run has no such scenario. */
  display(which: string): boolean;
}

/** The screens of the main scenario, or of the -oocsf / -rxsf one when `set display` asks for it. */
export function liveSource(
  engine: RunControl,
  scenario: CompiledScenario,
  ratePeriodMs: number,
  local: string,
  remote: string | undefined,
  sides: { readonly ooc?: CompiledScenario | undefined; readonly rx?: CompiledScenario | undefined } = {},
  alert: () => string | undefined = () => undefined,
): SwitchableSource {
  let shown: Display = 'main';
  const side = (): StatsSnapshot | undefined =>
    shown === 'ooc' ? engine.outOfCallSnapshot() : shown === 'rx' ? engine.receiveSnapshot() : undefined;
  return {
    ratePeriodMs,
    local,
    remote,
    get scenario() {
      return (shown === 'ooc' ? sides.ooc : shown === 'rx' ? sides.rx : undefined) ?? scenario;
    },
    startEpochMs: epochMs() - engine.snapshot().elapsedMs,
    snapshot: () => side() ?? engine.snapshot(),
    get currentRate() {
      return engine.status().rate;
    },
    get paused() {
      return engine.status().paused;
    },
    variables: () => engine.globalValues(),
    workers: engine.workerFigures === undefined ? undefined : () => engine.workerFigures?.() ?? [],
    alert,
    display: (which) => {
      if (which !== 'main' && !(which === 'ooc' && sides.ooc !== undefined) && !(which === 'rx' && sides.rx !== undefined)) return false;
      shown = which;
      return true;
    },
  };
}
