/** String search on a SIP message, for the bench's bare peers (the floor, the in-memory registrar): no parser. */

/** The header line `name: …` of a message, without its CRLF ('' when missing). */
export function header(msg: string, name: string): string {
  const at = msg.indexOf(`\n${name}: `);
  return at < 0 ? '' : msg.slice(at + 1, msg.indexOf('\r', at));
}

/**
 * RFC 3261 §8.2.6.2: a response's start line and the headers it copies from its request (Via, From, To with the
 * `toTag` parameter appended, Call-ID, CSeq), each line ended; the caller adds the rest.
 */
export function responseHead(request: string, status: string, toTag: string): string {
  return `SIP/2.0 ${status}\r\n${header(request, 'Via')}\r\n${header(request, 'From')}\r\n${header(request, 'To')}${toTag}\r\n${header(request, 'Call-ID')}\r\n${header(request, 'CSeq')}\r\n`;
}

/** The end of a message with no body. */
export const NO_BODY = 'Content-Length: 0\r\n\r\n';

/**
 * A UAS as SIPp's built-in one, contacted at `me` (host:port): 180 and 200 to an INVITE (RFC 3261 §13.3.1) with a new
 * To tag, the 200 ending with `inviteOk` (a body with its headers, or NO_BODY); 200 to a BYE (§15.1.2); nothing to
 * anything else (an ACK). The answerer pushes its responses to a request on `out`.
 */
export function uasAnswerer(me: string, inviteOk: string): (request: string, out: string[]) => void {
  let tag = 0;
  const contact = `Contact: <sip:${me};transport=UDP>\r\n`;
  return (request, out) => {
    if (request.startsWith('INVITE')) {
      const toTag = `;tag=${++tag}`;
      out.push(`${responseHead(request, '180 Ringing', toTag)}${contact}${NO_BODY}`);
      out.push(`${responseHead(request, '200 OK', toTag)}${contact}${inviteOk}`);
    } else if (request.startsWith('BYE')) out.push(`${responseHead(request, '200 OK', '')}${contact}${NO_BODY}`);
  };
}

/**
 * The requests of a UAC as SIPp's built-in one at `me` (host:port) calling service@`target` (RFC 3261 §8.1.1): call
 * `n`'s request `method` with CSeq `cseq`, the To tag of its dialog once it has one (`;tag=…`, else ''), and `body`
 * (a body with its headers, or NO_BODY). The Call-ID is `n-floor@` the host of `me`.
 */
export function uacRequester(
  me: string,
  target: string,
): (method: string, n: number | string, cseq: number, toTag: string, body: string) => string {
  const callIdHost = me.slice(0, me.lastIndexOf(':'));
  return (method, n, cseq, toTag, body) =>
    `${method} sip:service@${target} SIP/2.0\r\nVia: SIP/2.0/UDP ${me};branch=z9hG4bK-${n}-${cseq}-${method}\r\nFrom: sipp <sip:sipp@${me}>;tag=${n}\r\nTo: service <sip:service@${target}>${toTag}\r\nCall-ID: ${n}-floor@${callIdHost}\r\nCSeq: ${cseq} ${method}\r\nContact: <sip:sipp@${me}>\r\nMax-Forwards: 70\r\n${body}`;
}

/** The `;tag=…` of a message's To header ('' when it has none). */
export function toTagOf(msg: string): string {
  const to = header(msg, 'To');
  const at = to.indexOf(';tag=');
  return at < 0 ? '' : to.slice(at);
}
