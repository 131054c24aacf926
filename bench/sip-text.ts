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
