/** String search on a SIP message, for the bench's bare peers (the floor, the in-memory registrar): no parser. */

/** The header line `name: …` of a message, without its CRLF ('' when missing). */
export function header(msg: string, name: string): string {
  const at = msg.indexOf(`\n${name}: `);
  return at < 0 ? '' : msg.slice(at + 1, msg.indexOf('\r', at));
}
