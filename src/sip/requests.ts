/** Requests built from a dialog's INVITE, for aborting calls (SIPp's "bye" default behaviour). */
import { findHeaders } from './headers.js';
import type { SipMessage } from './message.js';

const copy = (m: SipMessage, name: string, suffix = ''): string =>
  findHeaders(m, name)
    .map((h) => `${m.raw.slice(h.start, h.end)}${suffix}\r\n`)
    .join('');

/** RFC 3261 §9.1: same Request-URI, top Via, From, To, Call-ID, CSeq number and Route as the INVITE. */
export function buildCancel(invite: SipMessage): string {
  const requestLine = invite.raw.slice(0, invite.raw.indexOf('\r\n')).replace(/^INVITE /, 'CANCEL ');
  const via = findHeaders(invite, 'via')[0];
  return (
    `${requestLine}\r\n${via === undefined ? '' : `${invite.raw.slice(via.start, via.end)}\r\n`}Max-Forwards: 70\r\n` +
    `${copy(invite, 'from')}${copy(invite, 'to')}${copy(invite, 'call-id')}CSeq: ${invite.cseq} CANCEL\r\n${copy(invite, 'route')}Content-Length: 0\r\n\r\n`
  );
}

/**
 * RFC 3261 §15.1.1: a BYE within the dialog the INVITE created: to the remote target with the route set,
 * the peer's tag on To, the next CSeq, and a new branch. `invite` is that INVITE or the ACK of its 2xx,
 * which carries the same From, Call-ID and Via, and To with the peer's tag already (§13.2.2.4).
 */
export function buildBye(
  invite: SipMessage,
  d: { peerTagParam: string; cseq: number; branch: string; remoteTarget: string; routes: string },
): string {
  const ruri = d.remoteTarget !== '' ? d.remoteTarget : invite.raw.slice(invite.raw.indexOf(' ') + 1, invite.raw.indexOf(' SIP/2.0'));
  const via = findHeaders(invite, 'via')[0];
  const viaLine =
    via === undefined ? '' : `${invite.raw.slice(via.start, via.end).replace(/;branch=[^;,\s]*/i, `;branch=${d.branch}`)}\r\n`;
  return (
    `BYE ${ruri} SIP/2.0\r\n${d.routes === '' ? '' : `${d.routes}\r\n`}${viaLine}Max-Forwards: 70\r\n` +
    `${copy(invite, 'from')}${copy(invite, 'to', invite.toTag === '' ? d.peerTagParam : '')}${copy(invite, 'call-id')}CSeq: ${d.cseq} BYE\r\nContent-Length: 0\r\n\r\n`
  );
}

/**
 * RFC 3261 §17.1.1.3: the ACK of a non-2xx final response to an INVITE, within its transaction: the INVITE's
 * Request-URI, top Via (the same branch), From, Call-ID, CSeq number and Route, and the response's To (with
 * the tag the UAS added).
 */
export function buildAckOfError(invite: SipMessage, response: SipMessage): string {
  const requestLine = invite.raw.slice(0, invite.raw.indexOf('\r\n')).replace(/^INVITE /, 'ACK ');
  const via = findHeaders(invite, 'via')[0];
  return (
    `${requestLine}\r\n${via === undefined ? '' : `${invite.raw.slice(via.start, via.end)}\r\n`}Max-Forwards: 70\r\n` +
    `${copy(invite, 'from')}${copy(response, 'to')}${copy(invite, 'call-id')}CSeq: ${invite.cseq} ACK\r\n${copy(invite, 'route')}Content-Length: 0\r\n\r\n`
  );
}
