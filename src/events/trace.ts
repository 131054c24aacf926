/**
 * What the engine tells tracers (-trace_msg, -trace_err, -trace_rtt, -trace_calldebug, failed-call ladders).
 * Every method is optional: the engine looks each one up once, so a trace that is off costs one check of an
 * undefined field and formats nothing. Tracers get strings and plain data, never live calls.
 */

/** One message of a call, as it went: run time (ms since start), direction, the raw text. */
export interface HistoryEntry {
  readonly atMs: number;
  readonly out: boolean;
  readonly raw: string;
}

/** What is kept of a failed or aborted call: enough to draw its ladder. */
export interface CallEvidence {
  readonly callId: string;
  /** A FAILURE_REASONS name, or 'Aborted' for a call still open when the run was stopped. */
  readonly reason: string;
  /** The step the call was at when it ended. */
  readonly stepIndex: number;
  /** Run time (ms since start) when the call started and when it ended. */
  readonly startMs: number;
  readonly endMs: number;
  readonly local: string;
  readonly remote: string;
  readonly history: readonly HistoryEntry[];
}

export interface TraceSink {
  /** Every message sent or received, in or out of a call. */
  message?(out: boolean, raw: string, local: string, remote: string): void;
  /** Every 3PCC twin command sent or received (its text, without the ESC that ends it on the stream). */
  command?(out: boolean, text: string): void;
  /** Something that went wrong on the wire: an unexpected, dead-call or unparsable message, a timeout. */
  error?(text: string): void;
  /** The status code of every unexpected response a call got (-trace_error_codes). */
  unexpectedStatus?(status: number): void;
  /** Every response time measured: rtd index (from 0) and its value. */
  rtt?(rtd: number, ms: number): void;
  /** A call that failed or was aborted, with its history. Asking for it makes every call keep a history. */
  failedCall?(evidence: CallEvidence): void;
}

/** The trace methods a run turns on: the TraceSink's names, and <log> (-trace_logs). */
export type TraceMethod = keyof TraceSink | 'log';

/**
 * -workers: a trace event as a worker posts it to the main thread, which writes the run's trace files
 * (workers/trace-forward.ts, report/traces.ts): a TraceSink call, or a <log> action's text, with the wall-clock time
 * (ms since the epoch) it happened.
 */
export type TraceEvent =
  | {
      readonly k: 'message';
      readonly at: number;
      readonly out: boolean;
      readonly raw: string;
      readonly local: string;
      readonly remote: string;
    }
  | { readonly k: 'command'; readonly at: number; readonly out: boolean; readonly text: string }
  | { readonly k: 'error'; readonly at: number; readonly text: string }
  | { readonly k: 'unexpectedStatus'; readonly at: number; readonly status: number }
  | { readonly k: 'rtt'; readonly at: number; readonly rtd: number; readonly ms: number }
  /** `base`: when the worker's engine started (ms since the epoch): the evidence's times count from it. */
  | { readonly k: 'failedCall'; readonly at: number; readonly base: number; readonly evidence: CallEvidence }
  | { readonly k: 'log'; readonly at: number; readonly text: string };
