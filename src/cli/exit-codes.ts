/** SIPp's exit codes, so scripts written for SIPp read sipts the same way. */
import type { StatsSnapshot } from '../stats/stats.js';

export const EXIT = {
  ALL_SUCCEEDED: 0,
  SOME_FAILED: 1,
  /** sipts only: a --max-… / --min-… threshold was not met. */
  THRESHOLD_FAILED: 2,
  /** Also: -timeout ended the run before any call succeeded. */
  INTERNAL_COMMAND: 97,
  /** SIPp's EXIT_OTHER, for errors that are neither of the fatal ones below. */
  OTHER: 99,
  CANNOT_BIND: 254,
  FATAL: 255,
} as const;

/**
 * 0 when no call failed: a call aborted at the end of the run (-timeout, a second signal) counts as failed.
 * SIPp compat: a run that -timeout ended before any call succeeded exits 97, as SIPp 3.6.1's sipp_exit does; a run
 * stopped otherwise with no call at all exits 0 (SIPp's uas stopped by q with no call: 0).
 */
export function exitCodeFor(s: StatsSnapshot, timedOut: boolean): number {
  if (s.counters.FailedCalls > 0 || s.counters.AbortedCalls > 0) return EXIT.SOME_FAILED;
  return timedOut && s.counters.SuccessfulCalls < 1 ? EXIT.INTERNAL_COMMAND : EXIT.ALL_SUCCEEDED;
}
