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

/** Index of a reason in FAILURE_REASONS: the hot path counts by index. */
export const Failure = Object.fromEntries(FAILURE_REASONS.map((r, i) => [r, i])) as { readonly [K in FailureReason]: number };

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
