/**
 * SIP over a byte stream (TCP, TLS): messages are cut by Content-Length, RFC 3261 §18.3. A read may hold
 * part of a message, or several; bytes are carried as a latin1 string so that Content-Length (in bytes)
 * is a string length.
 */

/** The longest header section taken before the stream is judged not SIP (a peer sending garbage). */
export const MAX_HEADER_BYTES = 65_536;
/**
 * The largest body a Content-Length may announce, as a WebSocket message's bound: a larger one is taken as a
 * broken or hostile stream (the connection is closed) rather than buffered until memory runs out.
 */
export const MAX_BODY_BYTES = 1 << 20;

/** Content-Length or its compact form l (RFC 3261 §7.3.3), at the start of a header line. */
const CONTENT_LENGTH = /\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i;

export class StreamFramer {
  private pending = '';
  /** Where to look for the end of headers again: a partial read is not searched twice. */
  private searchFrom = 0;

  /**
   * Takes the next bytes of the stream and hands each whole message to `emit`. Returns a reason when the
   * stream cannot be SIP (the connection should be closed), else undefined.
   */
  push(chunk: string, emit: (message: string) => void): string | undefined {
    const buf = this.pending.length === 0 ? chunk : this.pending + chunk;
    let start = 0;
    let from = this.searchFrom;
    for (;;) {
      // RFC 5626 §3.5.1: CRLF keep-alives between messages; a double CRLF ping is answered with one CRLF by
      // servers that take part, which we do not, so they are skipped.
      while (start < buf.length && (buf.charCodeAt(start) === 13 || buf.charCodeAt(start) === 10)) start++;
      if (from < start) from = start;
      const end = buf.indexOf('\r\n\r\n', from);
      if (end < 0) {
        if (buf.length - start > MAX_HEADER_BYTES) return `no end of headers in ${MAX_HEADER_BYTES} bytes`;
        // Keep the last 3 bytes in the search: the blank line may straddle two reads.
        this.searchFrom = Math.max(start, buf.length - 3) - start;
        break;
      }
      const headers = buf.slice(start, end + 2);
      const m = CONTENT_LENGTH.exec(headers);
      // §18.3: Content-Length is mandatory on streams; a message without one is taken as bodiless.
      const bodyLength = m === null ? 0 : Number(m[1]);
      if (bodyLength > MAX_BODY_BYTES) return `a Content-Length of ${m?.[1] ?? ''} bytes, over ${MAX_BODY_BYTES}`;
      const total = end + 4 + bodyLength;
      if (total > buf.length) {
        this.searchFrom = end - start;
        break;
      }
      emit(start === 0 && total === buf.length ? buf : buf.slice(start, total));
      start = total;
      from = start;
      this.searchFrom = 0;
    }
    this.pending = start >= buf.length ? '' : start === 0 ? buf : buf.slice(start);
    if (this.pending.length === 0) this.searchFrom = 0;
    return undefined;
  }

  /** Bytes held for a message not yet whole. */
  get buffered(): number {
    return this.pending.length;
  }
}
