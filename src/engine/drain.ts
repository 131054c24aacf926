/**
 * How long a graceful stop waits for the open calls: a call waiting for a message that never comes must not
 * hold the run, nor may a stop cut short a call that is merely slow.
 */
import type { CompiledScenario } from '../scenario/compile.js';
import type { CallSettings } from './host.js';

/**
 * The longest a call may legitimately wait for a message: the largest step timeout or -recv_timeout, else
 * 64·T1 (RFC 3261 §17.1.1.2 timer B, §17.1.2.2 timer F; T1 the largest retrans, 500 ms by default), when a
 * UDP transaction gives up.
 */
export function drainMs(scenario: CompiledScenario, settings: CallSettings): number {
  let longest = settings.recvTimeoutMs;
  let t1 = 0;
  for (const step of scenario.steps) {
    longest = Math.max(longest, step.timeoutMs);
    t1 = Math.max(t1, step.retransMs);
  }
  return longest > 0 ? longest : 64 * (t1 > 0 ? t1 : 500);
}
