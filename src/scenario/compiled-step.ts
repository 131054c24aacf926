/**
 * The compiled form of one scenario step: what the interpreter runs and the reports name. Apart from
 * compile.ts so that the analyses of compiled steps (last-use.ts) need not import the compiler.
 */
import type { Distribution } from '../load/distributions.js';
import type { CompiledAction, VarSlot } from './compile-actions.js';
import type { Loc } from './source-refs.js';
import type { CompiledTemplate } from './template.js';

export const StepKind = { Send: 0, Recv: 1, Pause: 2, Nop: 3, SendCmd: 4, RecvCmd: 5 } as const;
export type StepKindValue = (typeof StepKind)[keyof typeof StepKind];

/** One shape for every step keeps the interpreter's loop monomorphic; fields not used by a kind are neutral. */
export interface CompiledStep {
  readonly kind: StepKindValue;
  readonly loc: Loc;
  /** Short description for screens and reports, e.g. `INVITE ->`, `200 <-`, `Pause [1000ms]`. */
  readonly title: string;
  /** Step to go to after this one; -1 for the next in order. */
  readonly nextIndex: number;
  readonly startRtd: number;
  readonly rtd: number;
  readonly template: CompiledTemplate | undefined;
  /** 0: no retransmission. */
  readonly retransMs: number;
  /** Percentage of messages lost on purpose; -1 (as 0) when lost= is not given, so -lost can fill it in. */
  readonly lostPercent: number;
  /** recv: status code to match, 0 for a request, -1 for a pattern (responsePattern). */
  readonly responseCode: number;
  /** recv: request method to match, '' for a response. */
  readonly requestMethod: string;
  /** recv regexp_match="true": the method matches this pattern (requestMethod is its source). */
  readonly requestPattern: RegExp | undefined;
  /** recv response="…" regexp_match="true": the status code's digits match this pattern. */
  readonly responsePattern: RegExp | undefined;
  readonly optional: boolean;
  /** recv: optional="global", matched from any later point of the scenario too (SIPp). */
  readonly optionalGlobal: boolean;
  /** recv: 0 uses -recv_timeout. */
  readonly timeoutMs: number;
  readonly onTimeoutIndex: number;
  readonly rrs: boolean;
  /** pause: -1 uses -d. */
  readonly pauseMs: number;
  /** pause: a random length for each call; undefined uses pauseMs. */
  readonly pauseDistribution: Distribution | undefined;
  readonly timewait: boolean;
  /** Run when the step is done: after a send, after a matching receive, when a nop or pause runs. */
  readonly actions: readonly CompiledAction[];
  /** `next` is taken only when this variable is set; undefined: always. */
  readonly test: VarSlot | undefined;
  /** Probability that `next` is taken. */
  readonly chance: number;
  /** Index into counterNames, or -1. */
  readonly counter: number;
  readonly repeatRtd: boolean;
  /** Index into txnNames: a send starts that transaction; a receive takes only its responses. -1: none. */
  readonly startTxn: number;
  readonly responseTxn: number;
  /** condexec: the step runs only when this variable is set (not set, with condexecInverse); undefined: always. */
  readonly condexec: VarSlot | undefined;
  readonly condexecInverse: boolean;
  /** Scenario screen: left off (hide), text of a <nop> (display, '' for none), a blank line after (crlf). */
  readonly hide: boolean;
  readonly display: string;
  readonly crlf: boolean;
  /** send: how long a send may wait for the transport, ms; 0 uses -send_timeout. */
  readonly sendTimeoutMs: number;
  /** recv: false with advance_state="false": a match runs the actions and the call stays where it was. */
  readonly advanceState: boolean;
  /** recv: ignoresdp="true": its message's SDP does not say where the call's media goes (SIPp compat). */
  readonly ignoreSdp: boolean;
  /** pause variable="v": the length in ms is v's value when the call gets there. */
  readonly pauseVar: VarSlot | undefined;
  /** sendCmd / recvCmd in extended 3PCC: the instance the command goes to or must come from; '' for the one twin. */
  readonly peer: string;
}
