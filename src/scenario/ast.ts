/** Typed scenario steps, each with its source location. Produced by load.ts, consumed by compile.ts. */
import type { Distribution } from '../load/distributions.js';
import type { Action } from './action-ast.js';
import type { LabelRef, Loc, TemplateSource, VarRef } from './source-refs.js';

export type { LabelRef, Loc, TemplateSource, VarRef } from './source-refs.js';

interface StepCommon {
  readonly loc: Loc;
  readonly next: LabelRef | undefined;
  readonly startRtd: string | undefined;
  readonly rtd: string | undefined;
  /** Screen decoration (SIPp's crlf/display/hide/hiderest), read by the scenario screen. */
  readonly crlf: boolean;
  /** The step is left off the scenario screen (hide=, or a hiderest= before it). */
  readonly hide: boolean;
  /** display="…": the text a <nop> shows on the scenario screen. */
  readonly display: string | undefined;
  /** condexec="v": the step runs only when v is set (not set with condexecInverse); skipped otherwise. */
  readonly condexec: VarRef | undefined;
  readonly condexecInverse: boolean;
  readonly actions: readonly Action[];
  /** `next` is taken only when this variable is set (SIPp's test=). */
  readonly test: VarRef | undefined;
  /** Probability (0..1) that `next` is taken (SIPp's chance=). */
  readonly chance: number;
  /** counter="name": counted each time the step runs. */
  readonly counter: string | undefined;
  /** repeat_rtd="true": the response time is measured every time, not once per call. */
  readonly repeatRtd: boolean;
  /** start_txn on a send / response_txn on a receive: a named client transaction. */
  readonly startTxn: string | undefined;
  readonly responseTxn: string | undefined;
}

export interface SendStep extends StepCommon {
  readonly kind: 'send';
  readonly template: TemplateSource;
  /** First UDP retransmission interval (T1); undefined means no retransmission. */
  readonly retransMs: number | undefined;
  /** Percentage of sends to drop on purpose, to simulate loss; -1 when lost= is not given (-lost applies). */
  readonly lostPercent: number;
  /** timeout="ms": how long a send may wait for the transport (SIPp's send timeout); undefined: -send_timeout. */
  readonly timeoutMs: number | undefined;
}

export type RecvMatch =
  /** code -1 with a pattern: response="…" regexp_match="true" (SIPp after 3.6), matched against the status code's digits. */
  | { readonly type: 'response'; readonly code: number; readonly pattern?: RegExp | undefined; readonly source?: string }
  | { readonly type: 'request'; readonly method: string; readonly pattern?: RegExp | undefined };

export interface RecvStep extends StepCommon {
  readonly kind: 'recv';
  readonly match: RecvMatch;
  readonly optional: boolean;
  /** optional="global": also matched when the call is past it (SIPp, call.cpp process_incoming). */
  readonly optionalGlobal: boolean;
  readonly timeoutMs: number | undefined;
  readonly onTimeout: LabelRef | undefined;
  /** Record the route set and remote target from this message (RFC 3261 §12.1). */
  readonly rrs: boolean;
  /** As a send's: -1 when lost= is not given. */
  readonly lostPercent: number;
  /** advance_state="false" (optional receives only): a match runs its actions but the call stays where it was. */
  readonly advanceState: boolean;
  /** ignoresdp="true": the SDP of what this step takes does not say where the call's media goes. */
  readonly ignoreSdp: boolean;
}

export interface PauseStep extends StepCommon {
  readonly kind: 'pause';
  /** undefined: use -d. */
  readonly milliseconds: number | undefined;
  /** SIPp's <timewait>: a pause that keeps the call only to absorb retransmissions. */
  readonly timewait: boolean;
  /** distribution="…": a random length in ms for each call. */
  readonly distribution: Distribution | undefined;
  /** variable="v": the pause lasts as many ms as v holds, read when the call gets there. */
  readonly variable: VarRef | undefined;
}

export interface NopStep extends StepCommon {
  readonly kind: 'nop';
}

/** SIPp's <sendCmd>: a command to the 3PCC twin, rendered like a message. */
export interface SendCmdStep extends StepCommon {
  readonly kind: 'sendCmd';
  readonly template: TemplateSource;
  /** Extended 3PCC: the instance it goes to (dest=); undefined: the one twin. */
  readonly peer: string | undefined;
}

/** SIPp's <recvCmd>: wait for a command from the 3PCC twin. */
export interface RecvCmdStep extends StepCommon {
  readonly kind: 'recvCmd';
  readonly optional: boolean;
  /** Extended 3PCC: the instance it must come from (src=, checked against the command's From:). */
  readonly peer: string | undefined;
  /** Where a call goes when -recv_timeout passes first. */
  readonly onTimeout: LabelRef | undefined;
}

export interface LabelStep {
  readonly kind: 'label';
  readonly loc: Loc;
  readonly id: string;
}

export type Step = SendStep | RecvStep | PauseStep | NopStep | SendCmdStep | RecvCmdStep | LabelStep;

export interface ScenarioAst {
  readonly file: string;
  readonly name: string;
  readonly steps: readonly Step[];
  /** SIPp's <ResponseTimeRepartition> and <CallLengthRepartition> bucket edges, in ms. */
  readonly responseTimeRepartition: readonly number[];
  readonly callLengthRepartition: readonly number[];
  /** <init>: <nop>s and <label>s run once, before the first call (SIPp's run-once call); its own labels. */
  readonly initSteps: readonly (NopStep | LabelStep)[];
  /** <DefaultMessage id="bye|cancel|ack|ack2|200|3pcc_abort">: replaces a message default behaviours send. */
  readonly defaultMessages: readonly { readonly id: string; readonly loc: Loc; readonly template: TemplateSource }[];
  /** Variables declared by <Global>, <User> or <Reference>: they count as defined. */
  readonly declared: readonly { readonly ref: VarRef; readonly scope: 'global' | 'user' | 'reference' }[];
}
