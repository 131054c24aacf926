/** What the live screens and the screen file read of a running engine. */
import type { Engine } from '../engine/engine.js';
import type { LiveSource } from '../report/live.js';
import type { CompiledScenario } from '../scenario/compile.js';

export function liveSource(engine: Engine, scenario: CompiledScenario, ratePeriodMs: number, local: string, remote: string | undefined): LiveSource {
  return {
    scenario, ratePeriodMs, local, remote,
    startEpochMs: Date.now() - engine.snapshot().elapsedMs,
    snapshot: () => engine.snapshot(),
    get currentRate() { return engine.scheduler.currentRate; },
    get paused() { return engine.scheduler.isPaused; },
    variables: () => engine.globalValues(),
  };
}
