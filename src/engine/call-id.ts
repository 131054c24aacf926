/** Call-IDs: the ones this side makes (-cid_str, -cid_type), and the part of a received one that names the call. */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';

/** SIPp's -cid_type (after 3.7): -cid_str's format, or a Call-ID made of random or time parts. */
export type CallIdType = 'format' | 'uuid' | 'uuid-compact' | 'random' | 'timestamp';

/** -cid_type's values and SIPp's aliases for them. */
export const CALL_ID_TYPES: Readonly<Record<string, CallIdType>> = {
  default: 'format',
  format: 'format',
  legacy: 'format',
  uuid: 'uuid',
  'uuid-compact': 'uuid-compact',
  uuidcompact: 'uuid-compact',
  uuid32: 'uuid-compact',
  random: 'random',
  'random-hex': 'random',
  timestamp: 'timestamp',
  time: 'timestamp',
};

/**
 * SIPp compat (-cid_type, call.cpp CallIdBuilder): uuid is an RFC 4122 version-4 UUID, uuid-compact the same
 * without dashes, random the call number, '-' and 32 hex digits, timestamp the time in µs, the call number and
 * the process id (here the engine's tag: its pid, with its worker's number under -workers); each then '@' and the
 * local IP. Other modes than format ignore -cid_str, as in SIPp.
 */
export function callIdMaker(type: CallIdType, format: string, tag: number | string, localIp: string): (callNumber: number) => string {
  switch (type) {
    case 'uuid':
      return () => `${randomUUID()}@${localIp}`;
    case 'uuid-compact':
      return () => `${randomUUID().replaceAll('-', '')}@${localIp}`;
    case 'random':
      return (n) => `${n}-${randomBytes(16).toString('hex')}@${localIp}`;
    case 'timestamp':
      return (n) => `${Math.floor((performance.timeOrigin + performance.now()) * 1000)}-${n}-${tag}@${localIp}`;
    case 'format':
      return callIdFormatter(format, tag, localIp);
  }
}

/** Where a generated Call-ID takes the call number (%u) and a random number (%r). */
const CALL_NUMBER = 0;
const RANDOM = 1;

/**
 * -cid_str compiled into parts: literal text, and where the call number (%u) and a random number (%r) go.
 * SIPp compat (call::add_call): %u is the call number, %p the process id, %s the local IP, %r a random number
 * (SIPp after 3.7: its rand(), 0 to 2³¹ − 1), %% a %; SIPp reads any other %x, and a % at the end, as a %.
 */
function formatParts(format: string, pid: number | string, localIp: string): (string | number)[] {
  const parts: (string | number)[] = [];
  let text = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== '%') {
      text += c;
      continue;
    }
    const k = format[++i];
    if (k === 'u' || k === 'r') {
      parts.push(text, k === 'u' ? CALL_NUMBER : RANDOM);
      text = '';
    } else if (k === 'p') text += String(pid);
    else if (k === 's') text += localIp;
    else text += '%';
  }
  parts.push(text);
  return parts;
}

/** -cid_str's Call-IDs, compiled once into parts (formatParts), so a call only joins strings. */
export function callIdFormatter(format: string, pid: number | string, localIp: string): (callNumber: number) => string {
  const parts = formatParts(format, pid, localIp);
  if (parts.length === 1) {
    const text = String(parts[0]);
    return () => text;
  }
  return (n) => {
    let s = '';
    for (const p of parts) s += typeof p === 'string' ? p : p === CALL_NUMBER ? String(n) : String(Math.floor(Math.random() * 0x80000000));
    return s;
  };
}

/**
 * Whether two calls of one engine can never be given the same Call-ID: every mode but format has the call number
 * or 122 random bits in it; a format has when it holds %u and no %r (the number in one place, the rest fixed:
 * two numbers give two strings; a %r beside it could make "1"+"23" and "12"+"3" alike). The call registry then
 * adds a placed call without first looking for another under its Call-ID.
 */
export function callIdsUnique(type: CallIdType, format: string): boolean {
  if (type !== 'format') return true;
  const parts = formatParts(format, '', '');
  return parts.includes(CALL_NUMBER) && !parts.includes(RANDOM);
}

/**
 * SIPp compat (socket.cpp get_trimmed_call_id): a Call-ID like `ABC///1-42@host` belongs to the call whose
 * Call-ID is what follows the first ///, so a scenario may prefix [call_id] with its own text.
 */
export function routingCallId(callId: string): string {
  const at = callId.indexOf('///');
  return at < 0 ? callId : callId.slice(at + 3);
}
