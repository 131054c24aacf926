/**
 * A parsed SIP message. Only the fields needed to route and match a message are extracted eagerly;
 * everything else stays in `raw` and is looked up on demand (see headers.ts).
 *
 * `raw` is a "byte string": the datagram decoded as latin1, so that every char is one byte and
 * lengths and offsets are byte counts. Templates are compiled to the same form (scenario/template.ts) and
 * rendered to it (engine/render.ts).
 */
export interface SipMessage {
  readonly raw: string;
  /** Request method, or '' for a response. '' with status 0: a 3PCC twin command, which has no start line. */
  readonly method: string;
  /** Status code, or 0 for a request. */
  readonly status: number;
  readonly callId: string;
  readonly cseq: number;
  readonly cseqMethod: string;
  /** branch parameter of the top Via, '' if absent. */
  readonly branch: string;
  readonly fromTag: string;
  readonly toTag: string;
  /** The message has a To header (RFC 3261 §8.1.1.2: every request and response must). */
  readonly hasTo: boolean;
  /** Offset of the first body byte (just past the blank line). */
  readonly bodyStart: number;
  /** Body length in bytes, from Content-Length when present, else the rest of the datagram. */
  readonly bodyLength: number;
}

export type ParseFailure = { readonly ok: false; readonly reason: string };
export type ParseResult = { readonly ok: true; readonly msg: SipMessage } | ParseFailure;

/**
 * A copy of a field that holds no reference to its message. The parser's fields are slices of `raw`
 * (V8 sliced strings), and a slice kept for long — a Call-ID in the call registry, a branch in a
 * retransmission key — keeps the whole message alive with it. A field shorter than V8's shortest slice
 * (13 characters) is a copy already. A longer one is rebuilt as a concatenation of its first character and the
 * rest, and a character read from it: reading a concatenation that is not flat flattens it in place into one new
 * string and drops its parts, the slice of the message among them; the young collector then usually replaces the
 * concatenation by that string wherever it is kept, so it costs about what a copy costs. The read is compared with
 * the field's own last character, which no compiler can know, so that it is never dropped as unused (a compare
 * with 0 would be: a character code is never negative). About three times as fast as the round trip through a
 * Buffer it replaces, which called into C++ twice and allocated a Buffer view per field. test/unit/detach.test.ts
 * checks both properties on every Node the CI runs, in optimized code.
 */
export function detach(field: string): string {
  if (field.length < 13) return field;
  const copy = field.slice(0, 1) + field.slice(1);
  const last = field.length - 1;
  return copy.charCodeAt(last) === field.charCodeAt(last) ? copy : field;
}
