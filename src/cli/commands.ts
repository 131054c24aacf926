/**
 * SIPp's control-port commands (socket.cpp: process_command, process_set, process_trace, process_dump,
 * process_reset): a datagram that starts with `c`, e.g. `cset rate 10`. Refusals are SIPp's warnings, word
 * for word; what sipts cannot do yet is answered as SIPp answers an unknown command.
 */
import { applyKey, type KeyTarget } from './keys.js';

/**
 * A control-port datagram. SIPp compat: one that starts with `c` is a command (`cset rate 10`); any other is a
 * key, its first character. Returns what to tell the user: SIPp's warnings, word for word, and dump output.
 */
export function applyCommand(t: KeyTarget, text: string): string[] {
  if (!text.startsWith('c')) {
    const key = text.charAt(0);
    if (key !== '') applyKey(t, key);
    return [];
  }
  const line = text.slice(1).trim();
  // sipts's own: cquit stops gracefully, as q does (SIPp answers it as a command with no argument).
  if (line === 'quit') {
    t.quit();
    return [];
  }
  const [command, rest] = splitFirst(line);
  if (rest === undefined) return [`The ${command} command requires at least one argument`];
  switch (command) {
    case 'set':
      return set(t, rest);
    case 'trace':
      return trace(t, rest);
    case 'dump':
      return dump(t, rest);
    case 'reset':
      if (rest === 'stats') {
        t.engine.resetStats();
        return [];
      }
      return [`Unknown reset type: ${rest}`];
    default:
      return [`Unrecognized command: "${command}"`];
  }
}

/** "set rate 10" → ["set", "rate 10"]; no second word → [word, undefined]. */
function splitFirst(text: string): [string, string | undefined] {
  const at = text.indexOf(' ');
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1).trim()];
}

/** strtod/strtol as SIPp reads a value: all of it must be a number. */
const asNumber = (v: string): number | undefined => (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v) ? Number(v) : undefined);
const asInteger = (v: string): number | undefined =>
  /^[+-]?\d+$/.test(v) ? Number(v) : /^0[xX][0-9a-fA-F]+$/.test(v) ? Number.parseInt(v, 16) : undefined;

function set(t: KeyTarget, what: string): string[] {
  const [attr, value] = splitFirst(what);
  if (value === undefined) return ['The set command requires two arguments (attribute and value)'];
  const s = t.engine.status();
  switch (attr) {
    case 'rate': {
      if (s.userMode) return ['Rates can not be set in a user-based benchmark.'];
      const n = asNumber(value);
      if (n === undefined) return [`Invalid rate value: "${value}"`];
      t.engine.setRate(Math.max(0, n));
      return [];
    }
    case 'rate-scale': {
      const n = asNumber(value);
      if (n === undefined) return [`Invalid rate-scale value: "${value}"`];
      t.state.rateScale = n;
      return [];
    }
    case 'users': {
      if (!s.userMode) return ['Users can not be changed at run time for a rate-based benchmark.'];
      const n = asInteger(value);
      if (n === undefined || n < 0) return [`Invalid users value: "${value}"`];
      t.engine.setUsers(n);
      return [];
    }
    case 'limit': {
      if (s.userMode) return ['Can not set call limit for a user-based benchmark.'];
      const n = asInteger(value);
      if (n === undefined || n < 0) return [`Invalid limit value: "${value}"`];
      t.engine.setLimit(n);
      return [];
    }
    case 'display':
      // main, ooc (-oocsf) or rx (-rxsf, SIPp 3.7); a scenario the run does not have is answered as unknown.
      return value === 'main' || t.setDisplay?.(value) === true ? [] : [`Unknown display scenario: ${value}`];
    default:
      // hide and index (SIPp's screen options) are not in sipts's screens yet: answered as unknown.
      return [`Unknown set attribute: ${attr}`];
  }
}

function trace(t: KeyTarget, what: string): string[] {
  const [log, value] = splitFirst(what);
  if (value === undefined) return ['The trace command requires two arguments (log and [on|off])'];
  const on = value === 'on' || value === 'true' ? true : value === 'off' || value === 'false' ? false : undefined;
  if (on === undefined) return ["The trace command's second argument must be on or off."];
  if ((log === 'error' || log === 'logs' || log === 'messages' || log === 'shortmessages') && t.setTrace?.(log, on) === true) return [];
  return [`Unknown log file: ${log}`];
}

function dump(t: KeyTarget, what: string): string[] {
  if (what === 'tasks') {
    const calls = t.engine.describeCalls();
    return [`---- ${calls.length} Active Tasks ----`, ...calls];
  }
  if (what === 'variables') return t.variableNames.flatMap((names, level) => [`${names.length} level ${level} variables:`, ...names]);
  return [`Unknown dump type: ${what}`];
}
