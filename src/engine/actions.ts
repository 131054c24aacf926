/**
 * Runs a step's actions for a call. Expected trouble (a regexp that must match and does not) is a
 * failure reason returned as a value, never an exception.
 */
import { isIP } from 'node:net';
import { sample } from '../load/distributions.js';
import type { CompiledAction, CompiledOperand } from '../scenario/compile-actions.js';
import { renderText } from './render.js';
import { formatVar, type VarValue } from './var-value.js';
import { verifyAuthorization } from '../sip/digest.js';
import { headerValue } from '../sip/headers.js';
import { bodyOf } from '../sip/parser.js';
import type { CallState } from './call.js';
import { ereg } from './ereg.js';
import type { CallHost } from './host.js';
import { Failure, SUCCESS, type FailedOutcome } from '../events/outcome.js';
import { getVar, setVar } from './vars.js';

/** Returned when every action ran; otherwise the failed outcome, or ACTIONS_ENDED_CALL. */
export const ACTIONS_OK = 'ok';
/** An int_cmd ended the call (it is already finished). */
export const ACTIONS_ENDED_CALL = 'ended';
export type ActionsResult = typeof ACTIONS_OK | typeof ACTIONS_ENDED_CALL | FailedOutcome;

export { getVar, setVar } from './vars.js';

/** SIPp's test= semantics: a regexp or string variable is set once assigned; numbers as in C; booleans as they are. */
export function isSet(v: VarValue): boolean {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return true;
}

const num = (v: VarValue): number =>
  typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : v === undefined ? 0 : Number.parseFloat(v) || 0;
const operandNum = (call: CallState, o: CompiledOperand): number => (o.variable === undefined ? o.num : num(getVar(call, o.variable)));
const operandStr = (call: CallState, o: CompiledOperand): string =>
  o.variable === undefined ? o.str : formatVar(getVar(call, o.variable));

/**
 * `sent`: what SIPp's ereg reads instead of the last message received: on a <send>, the message it sent; on a
 * <recvCmd>, the twin's command.
 */
export function runActions(host: CallHost, call: CallState, actions: readonly CompiledAction[], sent?: string): ActionsResult {
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i] as CompiledAction;
    switch (a.kind) {
      case 'ereg': {
        const r = ereg(call, a, sent ?? call.lastRecv?.raw);
        if (r !== undefined) return r;
        break;
      }
      case 'assign':
        setVar(call, a.to, operandNum(call, a.value));
        break;
      case 'assignstr':
        setVar(call, a.to, renderText(a.text, call));
        break;
      case 'arith': {
        const x = num(getVar(call, a.to));
        const y = operandNum(call, a.value);
        setVar(call, a.to, a.op === 'add' ? x + y : a.op === 'subtract' ? x - y : a.op === 'multiply' ? x * y : x / y);
        break;
      }
      case 'todouble':
        setVar(call, a.to, num(getVar(call, a.from)));
        break;
      case 'test': {
        const x = num(getVar(call, a.from));
        const y = operandNum(call, a.value);
        const c = a.compare;
        const value =
          c === 'equal'
            ? x === y
            : c === 'not_equal'
              ? x !== y
              : c === 'greater_than'
                ? x > y
                : c === 'less_than'
                  ? x < y
                  : c === 'greater_than_equal'
                    ? x >= y
                    : x <= y;
        // SIPp: check_it fails the call when the test is false, check_it_inverse when it is true (with a warning).
        if ((a.check === 'it' && !value) || (a.check === 'inverse' && value)) {
          host.hooks.log(
            'warning',
            `test "${x} ${c} ${y}" with check_it${a.check === 'it' ? '' : '_inverse'} failed (Call-ID ${call.callId})`,
          );
          return a.check === 'it' ? Failure.FailedTestDoesntMatch : Failure.FailedTestShouldntMatch;
        }
        if (a.to !== undefined) setVar(call, a.to, value);
        break;
      }
      case 'strcmp': {
        // SIPp compat: the result is a number, like C's strcmp: 0 when equal.
        const x = formatVar(getVar(call, a.from));
        const y = operandStr(call, a.value);
        const value = x === y ? 0 : x < y ? -1 : 1;
        if ((a.check === 'it' && value !== 0) || (a.check === 'inverse' && value === 0)) {
          host.hooks.log(
            'warning',
            `strcmp "${x}" and "${y}" with check_it${a.check === 'it' ? '' : '_inverse'} returned ${value} (Call-ID ${call.callId})`,
          );
          return a.check === 'it' ? Failure.FailedStrcmpDoesntMatch : Failure.FailedStrcmpShouldntMatch;
        }
        if (a.to !== undefined) setVar(call, a.to, value);
        break;
      }
      case 'closecon':
        host.closeConnection(call);
        break;
      case 'log':
        host.hooks.log(a.level, renderText(a.text, call));
        break;
      case 'exec':
        if (a.command !== undefined) host.hooks.exec(renderText(a.command, call));
        if (a.intCmd === 'stop_call') {
          host.finish(call, SUCCESS);
          return ACTIONS_ENDED_CALL;
        }
        if (a.intCmd !== undefined) host.hooks.stop(a.intCmd === 'stop_now' ? 'now' : 'gracefully');
        break;
      case 'media':
        host.media?.run(call, a.media, a.media.op === 'dtmf' ? renderText(a.media.digits, call) : '');
        break;
      case 'echoSwitch':
        host.media?.echo(call, operandNum(call, a.value) !== 0);
        break;
      case 'jump':
        call.jumpTo = Math.floor(operandNum(call, a.value));
        break;
      case 'pauserestore':
        call.restoredPauseAt = operandNum(call, a.value);
        break;
      case 'index':
        setVar(call, a.to, call.stepIndex);
        break;
      case 'gettimeofday': {
        const now = Date.now();
        const [sec, usec] = a.to;
        if (sec !== undefined) setVar(call, sec, Math.floor(now / 1000));
        if (usec !== undefined) setVar(call, usec, (now % 1000) * 1000);
        break;
      }
      case 'sample':
        setVar(call, a.to, sample(a.distribution, host.random));
        break;
      case 'lookup': {
        // The line whose -infindex field holds the key; -1 when none does.
        const store = call.injection;
        const field = store.indexedField(a.file);
        setVar(call, a.to, field === undefined ? -1 : store.lookup(a.file, field, renderText(a.key, call)));
        break;
      }
      case 'insert':
        call.injection.insert(a.file, renderText(a.value, call));
        break;
      case 'replace':
        call.injection.replace(a.file, Math.floor(Number(renderText(a.line, call))), renderText(a.value, call));
        break;
      case 'setdest': {
        const address = renderText(a.host, call).replace(/^\[(.*)\]$/, '$1');
        const port = Number(renderText(a.port, call));
        if (isIP(address) === 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
          host.hooks.log('warning', `setdest: "${address}:${port}" is not an IP address and port; the call keeps its destination`);
        } else if (a.protocol === 'UDP' && !host.reliable) {
          // SIPp compat: setdest also replaces -rsa's address for this call.
          call.remoteAddress = address;
          call.remotePort = port;
          call.sendAddress = address;
          call.sendPort = port;
        } else {
          // SIPp: the protocol must be the run's; over TCP the call's own connection (multisocket, one user)
          // is closed and opened again to the new destination. SIPp stops the run where this cannot be.
          const problem =
            a.protocol !== host.transportName
              ? `cannot switch protocols (${host.transportName} to ${a.protocol})`
              : a.protocol !== 'TCP'
                ? `changing destinations is not supported for ${a.protocol}`
                : host.redirect(call, address, port)
                  ? undefined
                  : "over TCP it needs a connection of the call's own that no other call uses (-t tn)";
          if (problem !== undefined) host.hooks.log('warning', `setdest: ${problem}; the call keeps its destination`);
          else {
            call.sendAddress = address;
            call.sendPort = port;
          }
        }
        break;
      }
      case 'verifyauth': {
        // The last received request's credentials, checked against the expected password (RFC 2617 §3.2.2).
        const msg = call.lastRecv;
        const auth = msg === undefined ? undefined : (headerValue(msg, 'authorization') ?? headerValue(msg, 'proxy-authorization'));
        setVar(
          call,
          a.to,
          msg !== undefined &&
            auth !== undefined &&
            verifyAuthorization(auth, renderText(a.username, call), renderText(a.password, call), msg.method, bodyOf(msg)),
        );
        break;
      }
      case 'strfn': {
        const s = formatVar(getVar(call, a.v));
        setVar(call, a.v, a.fn === 'trim' ? s.trim() : a.fn === 'urlencode' ? encodeURIComponent(s) : safeDecode(s));
        break;
      }
    }
  }
  return ACTIONS_OK;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
