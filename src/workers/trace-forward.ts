/**
 * -workers: the traces written call by call (-trace_msg, -trace_shortmsg, -trace_err, -trace_calldebug, -trace_rtt,
 * -trace_logs, -trace_error_codes) stay one file each for the whole run, as without workers: each worker's engine
 * traces into a TraceForward, which gathers the events and posts them to the main thread once per event-loop turn
 * (or every BATCH events), never a message per event; the main thread writes them (report/traces.ts, replay). Each
 * event carries the wall-clock time it happened, so the files show when a message went, not when it was written.
 */
import { performance } from 'node:perf_hooks';
import type { TraceEvent, TraceMethod, TraceSink } from '../events/trace.js';

/** The TraceSink's methods. */
const SINK_METHODS: readonly (keyof TraceSink)[] = ['message', 'command', 'error', 'unexpectedStatus', 'rtt', 'failedCall'];

/** Events posted at once at most; more in one turn go in several messages. */
const BATCH = 512;

const epochMs = (): number => performance.timeOrigin + performance.now();

export class TraceForward {
  /** The engine's trace sink: only the methods on are defined (an engine tests for undefined, TraceTaps). */
  readonly sink: TraceSink = {};
  private events: TraceEvent[] = [];
  private pending: NodeJS.Immediate | undefined;
  private logOn = false;

  constructor(
    private readonly post: (events: TraceEvent[]) => void,
    on: readonly TraceMethod[],
  ) {
    this.set(on);
  }

  /** Every sink method, each posting its event; set() puts on the sink those a run turns on. */
  private readonly all: Required<TraceSink> = {
    message: (out, raw, local, remote) => {
      this.push({ k: 'message', at: epochMs(), out, raw, local, remote });
    },
    command: (out, text) => {
      this.push({ k: 'command', at: epochMs(), out, text });
    },
    error: (text) => {
      this.push({ k: 'error', at: epochMs(), text });
    },
    unexpectedStatus: (status) => {
      this.push({ k: 'unexpectedStatus', at: epochMs(), status });
    },
    rtt: (rtd, ms) => {
      this.push({ k: 'rtt', at: epochMs(), rtd, ms });
    },
    failedCall: (evidence) => {
      const at = epochMs();
      // The call ended now, endMs after the engine started.
      this.push({ k: 'failedCall', at, base: at - evidence.endMs, evidence });
    },
  };

  /** Turns the methods named on and every other off (at the start, and from the control port). */
  set(on: readonly TraceMethod[]): void {
    for (const m of SINK_METHODS) Reflect.deleteProperty(this.sink, m);
    Object.assign(this.sink, Object.fromEntries(SINK_METHODS.filter((m) => on.includes(m)).map((m) => [m, this.all[m]])));
    this.logOn = on.includes('log');
  }

  /** A <log> action's text (-trace_logs); dropped when that trace is off, as in SIPp. */
  log(text: string): void {
    if (this.logOn) this.push({ k: 'log', at: epochMs(), text });
  }

  /** Posts what waits (at the end of the run too). */
  flush(): void {
    if (this.pending !== undefined) clearImmediate(this.pending);
    this.pending = undefined;
    if (this.events.length === 0) return;
    const e = this.events;
    this.events = [];
    this.post(e);
  }

  private push(e: TraceEvent): void {
    this.events.push(e);
    if (this.events.length >= BATCH) this.flush();
    else
      this.pending ??= setImmediate(() => {
        this.pending = undefined;
        this.flush();
      });
  }
}

/** The methods of a sink that are on (what a worker's TraceForward must turn on to feed it). */
export function methodsOn(sink: TraceSink, logOn: boolean): TraceMethod[] {
  return [...SINK_METHODS.filter((n) => sink[n] !== undefined), ...(logOn ? (['log'] as const) : [])];
}
