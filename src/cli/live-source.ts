/** What the live screens and the screen file read of a running engine. */
import { performance } from 'node:perf_hooks';
import type { Engine } from '../engine/engine.js';
import type { LiveSource } from '../report/live.js';
import type { CompiledScenario } from '../scenario/compile.js';

/** Wall-clock time with microseconds: trace time stamps, and the run's start for every report. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

export function liveSource(engine: Engine, scenario: CompiledScenario, ratePeriodMs: number, local: string, remote: string | undefined): LiveSource {
  return {
    scenario, ratePeriodMs, local, remote,
    startEpochMs: epochMs() - engine.snapshot().elapsedMs,
    snapshot: () => engine.snapshot(),
    get currentRate() { return engine.scheduler.currentRate; },
    get paused() { return engine.scheduler.isPaused; },
    variables: () => engine.globalValues(),
  };
}
