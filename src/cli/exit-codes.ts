/** SIPp's exit codes, so scripts written for SIPp read sipts the same way. */
import type { StatsSnapshot } from '../stats/stats.js';

export const EXIT = {
  ALL_SUCCEEDED: 0,
  SOME_FAILED: 1,
  /** sipts only: a --max-… / --min-… threshold was not met. */
  THRESHOLD_FAILED: 2,
  INTERNAL_COMMAND: 97,
  NO_CALLS: 99,
  CANNOT_BIND: 254,
  FATAL: 255,
} as const;

/**
 * SIPp compat: after -timeout, SIPp 3.6.1 exits 1 when a call failed, else 97 when no call succeeded, else 0
 * (sipts counts the calls -timeout aborted as failed). With -timeout_error the timeout itself is a fatal
 * error: 255, whatever the calls did.
 */
export function timeoutExitCode(s: StatsSnapshot, timeoutError: boolean): number {
  if (timeoutError) return EXIT.FATAL;
  if (s.counters.FailedCalls > 0 || s.counters.AbortedCalls > 0) return EXIT.SOME_FAILED;
  return s.counters.SuccessfulCalls > 0 ? EXIT.ALL_SUCCEEDED : EXIT.INTERNAL_COMMAND;
}

/** 0 only when every call created succeeded: a call aborted at the end of the run (-timeout, a second signal) did not. */
export function exitCodeFor(s: StatsSnapshot): number {
  if (s.counters.CallsCreated === 0) return EXIT.NO_CALLS;
  return s.counters.FailedCalls > 0 || s.counters.AbortedCalls > 0 ? EXIT.SOME_FAILED : EXIT.ALL_SUCCEEDED;
}
