/**
 * Where a received message goes: to the call of its Call-ID; absorbed (and a request's retransmission answered
 * again) for a call that ended (-deadcall_wait); to the -oocsf or -rxsf scenario's engine; a new call in server
 * mode; SIPp's automatic answers (-aa); else counted as out of call. One module, so the engine's other roles
 * do not sit in the middle of its message handler.
 */
import type { Scheduler } from '../load/scheduler.js';
import type { CompiledScenario, CompiledStep } from '../scenario/compile.js';
import { detach, type SipMessage } from '../sip/message.js';
import { parseMessage } from '../sip/parser.js';
import { buildResponse } from '../sip/response.js';
import { Counter, StepCounter, type Stats } from '../stats/stats.js';
import type { Endpoint } from '../transport/transport.js';
import type { CallState } from './call.js';
import type { CallFactory } from './call-factory.js';
import { routingCallId } from './call-id.js';
import type { CallSettings } from './host.js';
import { AUTO_ANSWERED } from './interpreter.js';
import { isRetransmissionOf, matchesStep } from './matcher.js';
import { Tombstone, type CallRegistry } from './registry.js';
import { hostPort, type TraceTaps } from './trace-taps.js';

/** What the router needs of the engine that owns it. */
export interface RouterContext {
  readonly scenario: CompiledScenario;
  readonly settings: CallSettings;
  readonly stats: Stats;
  readonly registry: CallRegistry;
  readonly scheduler: Scheduler;
  readonly factory: CallFactory;
  readonly taps: TraceTaps;
  /** -callid_slash_ign: a Call-ID holding /// is matched whole. */
  readonly callIdSlashIgnore: boolean;
  /** Neither stopping nor ended: new calls may start. */
  accepting(): boolean;
  /** The run is over: nothing is answered any more. */
  ended(): boolean;
  /** Gives a message to its call (the interpreter). */
  receive(call: CallState, msg: SipMessage): void;
}

/** The engines of a run's other scenarios: -oocsf takes requests no call knows, -rxsf those its first <recv> takes. */
export interface SideRouters {
  readonly outOfCall?: Router | undefined;
  readonly receiver?: Router | undefined;
}

export class Router {
  constructor(
    private readonly ctx: RouterContext,
    private readonly sides: SideRouters = {},
  ) {}

  onMessage(raw: string, address: string, port: number, endpoint: Endpoint): void {
    const { stats, taps } = this.ctx;
    if (taps.message !== undefined) taps.message(false, raw, taps.endpointName(endpoint), hostPort(address, port));
    const parsed = parseMessage(raw);
    if (!parsed.ok) {
      stats.count(Counter.BadMessages);
      taps.error?.(`Discarding a message from ${hostPort(address, port)} that is not SIP (${parsed.reason}): '${raw}'`);
      return;
    }
    const msg = parsed.msg;
    if (this.deliver(msg, raw, endpoint)) return;
    const ooc = this.sides.outOfCall;
    if (ooc !== undefined && ooc.deliver(msg, raw, endpoint)) return;
    const rx = this.sides.receiver;
    if (rx !== undefined) {
      if (rx.deliver(msg, raw, endpoint)) return;
      // It takes new calls until the run stops or ends (the run ends once both sides have no call open and this
      // side has made all its calls).
      if (this.ctx.accepting() && rx.acceptsNewCall(msg)) {
        rx.startIncoming(msg, raw, address, port, endpoint);
        return;
      }
    }
    // takeIncoming: the -m calls may be shared with other workers; none left, and the request is out of call.
    if (this.acceptsNewCall(msg) && this.ctx.scheduler.takeIncoming()) {
      this.startIncoming(msg, raw, address, port, endpoint);
      return;
    }
    if (msg.status === 0 && !this.ctx.ended()) {
      // SIPp compat: a request of no known call goes to the out-of-call scenario (-oocsf) or, with -aa, an INFO,
      // NOTIFY, OPTIONS or UPDATE is answered 200 OK; both count as auto-answered (SIPp's AutoAnswered).
      if (ooc !== undefined) {
        stats.count(Counter.AutoAnswered);
        taps.error?.(`Received out-of-call ${msg.method} message, using the out-of-call scenario`);
        ooc.startIncoming(msg, raw, address, port, endpoint);
        return;
      }
      if (this.ctx.settings.autoAnswer && AUTO_ANSWERED.has(msg.method)) {
        const answer = buildResponse(msg, 200, 'OK', '');
        if (taps.message !== undefined) taps.message(true, answer, taps.endpointName(endpoint), hostPort(address, port));
        endpoint.send(answer, port, address);
        stats.count(Counter.AutoAnswered);
        return;
      }
    }
    stats.count(Counter.OutOfCallMsgs);
    taps.error?.(`Discarding message which can't be mapped to a known call (Call-ID ${msg.callId}): '${raw}'`);
  }

  /** Gives a message to the call of its Call-ID, or absorbs it for a call that ended; false when neither. */
  deliver(msg: SipMessage, raw: string, endpoint: Endpoint): boolean {
    const { registry, stats, taps } = this.ctx;
    const callId = this.routingId(msg);
    const entry = registry.entry(callId);
    if (entry === undefined) return false;
    if (!(entry instanceof Tombstone)) {
      taps.note(entry, false, raw);
      this.ctx.receive(entry, msg);
      return true;
    }
    stats.count(Counter.DeadCallMsgs);
    taps.error?.(`Dead call ${callId}, received '${raw}'`);
    const key = entry.key;
    if (key !== undefined && isRetransmissionOf(msg, key, this.ctx.settings.looseRetransCheck)) {
      if (taps.message !== undefined) taps.message(true, entry.answer, taps.endpointName(endpoint), hostPort(entry.address, entry.port));
      endpoint.send(entry.answer, entry.port, entry.address);
      stats.step(entry.answerIndex, StepCounter.retrans);
      stats.count(Counter.Retransmissions);
    }
    return true;
  }

  /** A request of an unknown Call-ID starts a call of this engine's scenario. */
  startIncoming(msg: SipMessage, raw: string, address: string, port: number, endpoint: Endpoint): void {
    // Detached: the registry keeps the Call-ID for the whole call and its tombstone, not the INVITE. Fresh: every
    // caller has just found no entry under it (deliver returned false).
    const call = this.ctx.factory.startCall(this.ctx.factory.nextNumber(), detach(this.routingId(msg)), true, endpoint, address, port);
    this.ctx.taps.note(call, false, raw);
    this.ctx.receive(call, msg);
  }

  /** Server mode: an unknown Call-ID carrying the scenario's first request starts a call. */
  acceptsNewCall(msg: SipMessage): boolean {
    const { scenario } = this.ctx;
    return (
      scenario.serverMode &&
      this.ctx.accepting() &&
      !this.ctx.scheduler.exhausted &&
      msg.status === 0 &&
      matchesStep(scenario.steps[0] as CompiledStep, msg, undefined)
    );
  }

  /** SIPp compat: what comes before /// in a Call-ID is a prefix the call does not know (-callid_slash_ign: not so). */
  private routingId(msg: SipMessage): string {
    return this.ctx.callIdSlashIgnore ? msg.callId : routingCallId(msg.callId);
  }
}
