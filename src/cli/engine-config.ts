/** RunConfig + compiled scenario → the engine's own configuration. */
import { InjectionStore } from '../data/injection.js';
import type { EngineConfig } from '../engine/engine.js';
import type { NetConfig } from '../engine/run.js';
import type { CompiledScenario } from '../scenario/compile.js';
import type { RunConfig } from './config.js';

/** RFC 3261 §16.6: timer C is greater than 3 minutes. */
const TIMER_C_MS = 181_000;

export function engineConfig(c: RunConfig, scenario: CompiledScenario, remote: EngineConfig['remote'], pid: number, injection: EngineConfig['injection'] = new InjectionStore([])): EngineConfig {
  return {
    scenario, remote, pid, injection, tdm: c.tdm,
    load: { rate: c.rate, periodMs: c.ratePeriodMs, limit: c.limit, maxCalls: c.maxCalls, users: c.users },
    settings: {
      defaultPauseMs: c.defaultPauseMs, recvTimeoutMs: c.recvTimeoutMs, t2Ms: c.t2Ms, retransmissions: c.retransmissions, provisionalTimeoutMs: TIMER_C_MS,
      maxInviteRetrans: c.maxInviteRetrans, maxNonInviteRetrans: c.maxNonInviteRetrans,
      behaviors: c.behaviors, autoAnswer: c.autoAnswer,
    },
    baseCseq: c.baseCseq, deadcallWaitMs: c.deadcallWaitMs, globalTimeoutMs: c.timeoutMs,
    callIdHost: c.localIp.includes(':') ? `[${c.localIp}]` : c.localIp,
  };
}

/** RunConfig → the sockets of a run: -i, -p (or the ports given), -t, -buff_size. */
export function netConfig(c: RunConfig, ports: readonly number[] = c.localPorts): NetConfig {
  return { bindAddress: c.bindAddress, ports, perCallSocket: c.perCallSocket, socketBufferBytes: c.socketBufferBytes };
}
