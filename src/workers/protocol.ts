/**
 * The messages between the main thread of a -workers run (pool.ts) and each worker (serve.ts): control one
 * way, the worker's statistics as exports that add up the other way, once a second and at its end. Plain
 * data only: what crosses is structured-cloned.
 */
import type { EndReason, LoadStatus, RunExports } from '../engine/run-control.js';
import type { TraceEvent, TraceMethod } from '../events/trace.js';
import type { HistogramExport } from '../stats/histogram.js';

/** Main thread → worker. */
export type ToWorker =
  | { readonly type: 'rate'; readonly rate: number }
  | { readonly type: 'users'; readonly users: number }
  | { readonly type: 'limit'; readonly limit: number }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'stop'; readonly how: 'gracefully' | 'now' }
  | { readonly type: 'reset-stats' }
  | { readonly type: 'track-windows' }
  /** The trace methods on now (a trace turned on or off from the control port). */
  | { readonly type: 'traces'; readonly on: readonly TraceMethod[] };

/** A worker's figures: what the main thread merges into the run's. */
export interface WorkerReport {
  readonly exports: RunExports;
  readonly status: LoadStatus;
  readonly stoppedByCommand: boolean;
  readonly globals: readonly [string, string][];
  /** The most the worker was behind its schedule (ms) since its previous report (the saturation watch). */
  readonly behindMs: number;
  /** After track-windows: response times since the previous report, by rtd. */
  readonly window: readonly HistogramExport[] | undefined;
}

/** Why a worker could not start: enough to make the main thread's error again (a bind error exits 254). */
export interface StartFailure {
  readonly kind: 'bind' | 'connect' | 'other';
  readonly message: string;
  readonly hint?: string | undefined;
  readonly address?: string | undefined;
  readonly port?: number | undefined;
  readonly transport?: string | undefined;
}

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: 'ready'; readonly localPort: number; readonly report: WorkerReport }
  | { readonly type: 'failed'; readonly failure: StartFailure }
  | { readonly type: 'report'; readonly report: WorkerReport }
  | { readonly type: 'log'; readonly level: 'log' | 'warning' | 'error'; readonly text: string }
  /** What the worker traced since its last such message (trace-forward.ts): the main thread writes the files. */
  | { readonly type: 'traces'; readonly events: readonly TraceEvent[] }
  /** The scenario's <exec int_cmd> stopped this worker: the run stops, as SIPp's does. */
  | { readonly type: 'stop'; readonly how: 'gracefully' | 'now' }
  | { readonly type: 'done'; readonly reason: EndReason; readonly report: WorkerReport };

const FROM_WORKER_TYPES: ReadonlySet<string> = new Set(['ready', 'failed', 'report', 'log', 'traces', 'stop', 'done']);

/** A worker's message, told by its type: what crosses a thread arrives untyped (structured-cloned data). */
export function isFromWorker(m: unknown): m is FromWorker {
  return typeof m === 'object' && m !== null && 'type' in m && typeof m.type === 'string' && FROM_WORKER_TYPES.has(m.type);
}

/** The side of a MessagePort (worker_threads' parentPort, or a Worker) each end uses. */
export interface Port<In, Out> {
  postMessage(message: Out): void;
  on(event: 'message', listener: (message: In) => void): unknown;
}
