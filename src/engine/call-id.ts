/** Call-IDs: the ones this side makes (-cid_str), and the part of a received one that names the call. */

/**
 * SIPp compat (call::add_call): %u is the call number, %p the process id, %s the local IP, %% a %; SIPp
 * reads any other %x, and a % at the end, as a %. Compiled once into parts, so a call only joins strings.
 */
export function callIdFormatter(format: string, pid: number | string, localIp: string): (callNumber: number) => string {
  const parts: (string | null)[] = [];
  let text = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      text += c;
      continue;
    }
    const k = format[++i];
    if (k === 'u') {
      parts.push(text, null);
      text = '';
    } else if (k === 'p') text += String(pid);
    else if (k === 's') text += localIp;
    else text += '%';
  }
  parts.push(text);
  if (parts.length === 1) return () => text;
  return (n) => {
    let s = '';
    for (const p of parts) s += p ?? String(n);
    return s;
  };
}

/**
 * SIPp compat (socket.cpp get_trimmed_call_id): a Call-ID like `ABC///1-42@host` belongs to the call whose
 * Call-ID is what follows the first ///, so a scenario may prefix [call_id] with its own text.
 */
export function routingCallId(callId: string): string {
  const at = callId.indexOf('///');
  return at < 0 ? callId : callId.slice(at + 3);
}
