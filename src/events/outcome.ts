/**
 * Why a call failed. Each reason maps one-to-one to a SIPp failure counter name, so stat files and
 * summaries read the same as SIPp's. The list is written once, here.
 */
export const FAILURE_REASONS = [
  'FailedCannotSendMessage',
  'FailedMaxUDPRetrans',
  'FailedTcpConnect',
  'FailedTcpClosed',
  'FailedUnexpectedMessage',
  'FailedCallRejected',
  'FailedCmdNotSent',
  'FailedRegexpDoesntMatch',
  'FailedRegexpShouldntMatch',
  'FailedRegexpHdrNotFound',
  'FailedOutboundCongestion',
  'FailedTimeoutOnRecv',
  'FailedTimeoutOnSend',
  'FailedTestDoesntMatch',
  'FailedTestShouldntMatch',
  'FailedStrcmpDoesntMatch',
  'FailedStrcmpShouldntMatch',
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A call that failed, and why; `index` is the reason's place in FAILURE_REASONS, what stats count by. */
export interface FailedOutcome {
  readonly kind: 'failed';
  readonly reason: FailureReason;
  readonly index: number;
}

/** How a call ended. Calls still open when a run stops are dropped, counted as aborted, with no outcome. */
export type Outcome = { readonly kind: 'success' } | FailedOutcome;

/** Built once: ending a call allocates nothing. */
export const SUCCESS: Outcome = Object.freeze({ kind: 'success' });

/** The outcome of each failure reason, built once and frozen: `host.finish(call, Failure.FailedTimeoutOnRecv)`. */
export const Failure = Object.freeze(
  Object.fromEntries(FAILURE_REASONS.map((reason, index) => [reason, Object.freeze({ kind: 'failed', reason, index })])),
) as {
  readonly [K in FailureReason]: FailedOutcome & { readonly reason: K };
};

/** What a person reads in the summary next to each reason. */
export const FAILURE_HELP: Readonly<Record<FailureReason, string>> = {
  FailedCannotSendMessage: 'a message could not be sent',
  FailedMaxUDPRetrans: 'no answer after the last UDP retransmission (-max_retrans)',
  FailedTcpConnect: 'the connection could not be opened',
  FailedTcpClosed: 'the peer closed the connection',
  FailedUnexpectedMessage: 'a message the scenario did not expect arrived',
  FailedCallRejected: 'the call was rejected',
  FailedCmdNotSent: 'a 3PCC command could not be sent',
  FailedRegexpDoesntMatch: 'a regular expression did not match',
  FailedRegexpShouldntMatch: 'a regular expression matched but should not',
  FailedRegexpHdrNotFound: 'a header searched by a regular expression was absent',
  FailedOutboundCongestion: 'the transport was congested',
  FailedTimeoutOnRecv: 'an expected message did not arrive in time (timeout / -recv_timeout)',
  FailedTimeoutOnSend: 'a message could not be sent in time',
  FailedTestDoesntMatch: 'a test action failed',
  FailedTestShouldntMatch: 'a test action succeeded but should not',
  FailedStrcmpDoesntMatch: 'a string comparison failed',
  FailedStrcmpShouldntMatch: 'a string comparison succeeded but should not',
};
