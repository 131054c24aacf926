/** UDP retransmission schedule, as SIPp applies it to a `<send retrans="T1">`. */
import type { CallSettings } from './host.js';

/**
 * The interval after `currentMs`: INVITE requests double without bound (RFC 3261 §17.1.1.2, timer A);
 * every other message doubles up to T2 (§17.1.2.2 timer E, §13.3.1.4 for 2xx responses).
 */
export function nextRetransInterval(currentMs: number, isInvite: boolean, t2Ms: number): number {
  const doubled = currentMs * 2;
  return isInvite ? doubled : Math.min(doubled, Math.max(t2Ms, currentMs));
}

/** SIPp compat: -max_retrans sets both limits; INVITE transactions default to 5, others to 7. */
export function maxRetrans(isInvite: boolean, s: CallSettings): number {
  return isInvite ? s.maxInviteRetrans : s.maxNonInviteRetrans;
}
