/**
 * SIPp's 3PCC twin commands: pure text, no sockets. A command is a block of `Name: value` lines (a SIP
 * message without its start line) rendered from a <sendCmd>; transport/twin-framing.ts cuts them out of
 * the twin stream.
 */
import { equalsIgnoreCase, lineEnd as lineEndOf, nameEndOf } from './headers.js';
import type { SipMessage } from './message.js';

export interface TwinCommand {
  /** The command's text, its trailing CRLFs removed (SIPp compat: the actions see it so). */
  readonly text: string;
  /** The Call-ID that says which call the command is for; '' when it has none. */
  readonly callId: string;
  /** Extended 3PCC: the first word of the From: line, the sender's instance name; '' when absent. */
  readonly from: string;
  /** `internal-cmd:` (SIPp's `abort_call`); '' when absent. */
  readonly internal: string;
}

/** One command's text (without its ESC) → its fields. Never throws. */
export function parseCommand(raw: string): TwinCommand {
  // SIPp compat: trailing CRLF pairs were only there for transport (call.cpp process_twinSippCom).
  let text = raw;
  while (text.endsWith('\r\n')) text = text.slice(0, -2);
  let callId = '';
  let from = '';
  let internal = '';
  let pos = 0;
  while (pos < text.length) {
    let eol = text.indexOf('\n', pos);
    if (eol < 0) eol = text.length;
    const lineEnd = lineEndOf(text, pos, eol);
    const colon = text.indexOf(':', pos);
    if (colon > pos && colon < lineEnd) {
      let nameStart = pos;
      while (nameStart < colon && (text.charCodeAt(nameStart) === 32 || text.charCodeAt(nameStart) === 9)) nameStart++;
      const nameEnd = nameEndOf(text, nameStart, colon);
      const value = text.slice(colon + 1, lineEnd).trim();
      // RFC 3261 §7.3.3: `i` is Call-ID's compact form; SIPp's get_call_id takes it too.
      if (callId === '' && (equalsIgnoreCase(text, nameStart, nameEnd, 'call-id') || equalsIgnoreCase(text, nameStart, nameEnd, 'i')))
        callId = value;
      else if (from === '' && equalsIgnoreCase(text, nameStart, nameEnd, 'from')) from = value.split(/[ \t]/, 1)[0] ?? '';
      else if (internal === '' && equalsIgnoreCase(text, nameStart, nameEnd, 'internal-cmd')) internal = value.split(/[ \t]/, 1)[0] ?? '';
    }
    pos = eol + 1;
  }
  return { text, callId, from, internal };
}

/**
 * SIPp compat: what SIPp sends its twin when a call it shares with it is aborted (its default message
 * `3pcc_abort`); the twin fails its side of the call.
 */
export function abortCommand(callId: string): string {
  return `call-id: ${callId}\r\ninternal-cmd: abort_call\r\n\r\n`;
}

/**
 * A command as a message the actions of a <recvCmd> can read: `ereg search_in="msg"` sees the whole text,
 * `search_in="hdr"` its lines, `search_in="body"` what follows its first empty line. It has no start
 * line: status 0 and method '' (see sip/message.ts).
 */
export function commandAsMessage(cmd: TwinCommand): SipMessage {
  // Like a message's, the body is what follows the first empty line (an SDP the command carries).
  const crlf = cmd.text.indexOf('\r\n\r\n');
  const lf = cmd.text.indexOf('\n\n');
  const bodyStart = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : cmd.text.length;
  return {
    raw: cmd.text,
    method: '',
    status: 0,
    callId: cmd.callId,
    cseq: -1,
    cseqMethod: '',
    branch: '',
    fromTag: '',
    toTag: '',
    hasTo: false,
    bodyStart,
    bodyLength: cmd.text.length - bodyStart,
  };
}
