/** RunConfig + compiled scenario → the engine's own configuration. */
import type { EngineConfig } from '../engine/engine.js';
import type { CompiledScenario } from '../scenario/compile.js';
import type { RunConfig } from './config.js';

export function engineConfig(c: RunConfig, scenario: CompiledScenario, remote: EngineConfig['remote'], pid: number): EngineConfig {
  return {
    scenario, remote, pid,
    load: { rate: c.rate, periodMs: c.ratePeriodMs, limit: c.limit, maxCalls: c.maxCalls },
    settings: {
      defaultPauseMs: c.defaultPauseMs, recvTimeoutMs: c.recvTimeoutMs, t2Ms: c.t2Ms, retransmissions: c.retransmissions,
      maxInviteRetrans: c.maxInviteRetrans, maxNonInviteRetrans: c.maxNonInviteRetrans,
    },
    baseCseq: c.baseCseq, deadcallWaitMs: c.deadcallWaitMs, globalTimeoutMs: c.timeoutMs,
    callIdHost: c.localIp.includes(':') ? `[${c.localIp}]` : c.localIp,
  };
}
