/** Responses built straight from a request, for messages no scenario step handles. */
import { findHeaders } from './headers.js';
import type { SipMessage } from './message.js';

/**
 * RFC 3261 §8.2.6.2: copy Via (all, in order), From, To, Call-ID and CSeq; add a To tag when the request
 * had none. Returns a latin1 byte string.
 */
export function buildResponse(req: SipMessage, code: number, reason: string, toTag: string): string {
  let s = `SIP/2.0 ${code} ${reason}\r\n`;
  const copy = (name: string, extra = ''): void => {
    for (const h of findHeaders(req, name)) s += `${req.raw.slice(h.start, h.end)}${extra}\r\n`;
  };
  copy('via');
  copy('from');
  copy('to', req.toTag === '' && toTag !== '' ? `;tag=${toTag}` : '');
  copy('call-id');
  copy('cseq');
  s += 'Server: sipts\r\nContent-Length: 0\r\n\r\n';
  return s;
}
