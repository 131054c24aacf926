/**
 * The trace methods of an engine that are on, looked up once (and again when a trace is turned on or off), so a
 * trace that is off costs a test of undefined and formats nothing; with how traces name the two ends and a
 * call's history (-trace_fail's evidence).
 */
import type { TraceSink } from '../events/trace.js';
import type { CompiledScenario } from '../scenario/compile.js';
import type { Endpoint } from '../transport/transport.js';
import type { CallState } from './call.js';
import { awaitedAt } from './step-search.js';

export const hostPort = (address: string, port: number): string => (address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`);

export class TraceTaps {
  message: TraceSink['message'];
  command: TraceSink['command'];
  error: TraceSink['error'];
  rtt: TraceSink['rtt'];
  unexpectedStatus: TraceSink['unexpectedStatus'];
  failedCall: TraceSink['failedCall'];

  /** `localHost`: the address put in messages (-i), named for an endpoint bound to every interface. */
  constructor(
    private readonly sink: TraceSink,
    private readonly localHost: string,
    private readonly scenario: CompiledScenario,
    private readonly startMs: number,
    private readonly clock: () => number,
  ) {
    this.retrace();
  }

  /** Looks the trace methods up again: a trace was turned on or off during the run (the control port). */
  retrace(): void {
    const t = this.sink;
    this.message = t.message?.bind(t);
    this.command = t.command?.bind(t);
    this.error = t.error?.bind(t);
    this.rtt = t.rtt?.bind(t);
    this.unexpectedStatus = t.unexpectedStatus?.bind(t);
    this.failedCall = t.failedCall?.bind(t);
  }

  /** How the local side is named in traces: the address put in messages when bound to every interface. */
  endpointName(ep: Endpoint): string {
    const wildcard = ep.localAddress === '0.0.0.0' || ep.localAddress === '::' || ep.localAddress === '';
    return hostPort(wildcard ? this.localHost.replace(/^\[|\]$/g, '') : ep.localAddress, ep.localPort);
  }

  /** A message or twin command a call sent or received, kept while -trace_fail may need it. */
  note(call: CallState, out: boolean, raw: string): void {
    if (call.history !== undefined) call.history.push({ atMs: this.clock() - this.startMs, out, raw });
  }

  /** -trace_fail: a call that failed or was aborted, with the step it waited at and all it exchanged. */
  failed(call: CallState, reason: string, now: number): void {
    if (this.failedCall === undefined) return;
    this.failedCall({
      callId: call.callId,
      reason,
      stepIndex: awaitedAt(this.scenario.steps, call.stepIndex),
      startMs: call.startMs - this.startMs,
      endMs: now - this.startMs,
      local: this.endpointName(call.endpoint),
      remote: hostPort(call.remoteAddress, call.remotePort),
      history: call.history ?? [],
    });
  }
}
