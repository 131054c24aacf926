/** What the interpreter needs from the engine that runs it: one object, passed explicitly, no globals. */
import type { CompiledScenario } from '../scenario/compile.js';
import type { Stats } from '../stats/stats.js';
import type { CallState, CallTimer } from './call.js';
import type { TimerWheel } from './timer-wheel.js';
import type { TraceSink } from '../events/trace.js';
import type { Outcome } from '../events/outcome.js';
import type { MediaHost } from './media.js';

export interface CallSettings {
  /** -d: length of a <pause> without milliseconds. */
  readonly defaultPauseMs: number;
  /** -recv_timeout: 0 for none. */
  readonly recvTimeoutMs: number;
  /**
   * How long an INVITE that has had a provisional response waits for its final one when no timeout is
   * set (RFC 3261 §16.6 timer C, > 3 min): without it a peer that dies after 180 would hang the run.
   */
  readonly provisionalTimeoutMs: number;
  /** false with -nr: messages are sent once, whatever their retrans attribute says. */
  readonly retransmissions: boolean;
  readonly maxInviteRetrans: number;
  readonly maxNonInviteRetrans: number;
  /** -T2: the cap on doubling retransmission intervals (RFC 3261 §17.1.2.2). */
  readonly t2Ms: number;
  /** SIPp's -default_behaviors (-nd turns them all off). */
  readonly behaviors: Behaviors;
  /** -aa: answer unexpected INFO, NOTIFY, OPTIONS and UPDATE with 200 OK and go on. */
  readonly autoAnswer: boolean;
  /** -pause_msg_ign: a message for a call in a <pause> is dropped, unseen (SIPp, call.cpp process_incoming). */
  readonly pauseMsgIgnore?: boolean;
  /** -rtcheck loose: a retransmitted request is told without its top Via branch (see matcher.ts). */
  readonly looseRetransCheck?: boolean;
  /** -send_timeout: how long a send may wait for a congested connection (ms); 0: for ever. */
  readonly sendTimeoutMs?: number;
}

export interface Behaviors {
  /** An aborted call sends BYE (dialog confirmed) or CANCEL (INVITE with a provisional response). */
  readonly bye: boolean;
  /** An unexpected message aborts the call; off, it is counted and ignored. */
  readonly abortunexp: boolean;
  /** An unexpected PING is answered with 200 OK and the call goes on. */
  readonly pingreply: boolean;
}

export const ALL_BEHAVIORS: Behaviors = { bye: true, abortunexp: true, pingreply: true };

/** What actions may ask of the world outside the engine; the CLI provides them. */
export interface EngineHooks {
  readonly log: (level: 'log' | 'warning' | 'error', text: string) => void;
  /** <exec command>: run a shell command, without waiting for it. */
  readonly exec: (command: string) => void;
  /** <exec int_cmd="stop_gracefully|stop_now">. */
  stop(how: 'gracefully' | 'now'): void;
  /** Traces; {} when none is on. */
  readonly trace: TraceSink;
  /** The engine's tickers: the real setInterval by default; tests give fakes to drive it in virtual time. */
  readonly timers?: EngineTimers;
  /** RTP media (engine/media-runtime.ts), when the run has media: media actions, -rtp_echo. */
  readonly media?: MediaHost;
}

/** What the engine arms its tickers with (its tick, the watchdog). */
export interface EngineTimers<Handle = unknown> {
  setInterval(fn: () => void, ms: number): Handle;
  /** Takes only a handle setInterval gave (a method: an EngineTimers<H> serves where EngineTimers is asked for). */
  clearInterval(handle: Handle): void;
}

/**
 * The engine as the interpreter (and its actions) sees it: engine/call-host.ts builds it from the engine's
 * parts; nothing here lets a call reach the scheduler, the registry or other calls.
 */
export interface CallHost {
  /** <log>, <exec command> and <exec int_cmd>; the traces are reached through the trace members below. */
  readonly hooks: Pick<EngineHooks, 'log' | 'exec' | 'stop'>;
  readonly scenario: CompiledScenario;
  readonly stats: Stats;
  readonly wheel: TimerWheel<CallTimer>;
  readonly settings: CallSettings;
  /** True over TCP/TLS/WS: no retransmissions (RFC 3261 §17.1.1.2). */
  readonly reliable: boolean;
  /** The error and rtt traces, undefined when off: call them as traceError?.(…), which formats nothing then. */
  readonly traceError: TraceSink['error'];
  readonly traceRtt: TraceSink['rtt'];
  readonly traceUnexpectedStatus: TraceSink['unexpectedStatus'];
  now(): number;
  /** Ends a call, successful or failed for a reason. */
  finish(call: CallState, outcome: Outcome): void;
  /** Sends on the call's endpoint; false when it failed. */
  send(call: CallState, raw: string): boolean;
  /** <closecon>: closes the call's own connection; its next message opens a new one. */
  closeConnection(call: CallState): void;
  /** <setdest> over TCP: the call's own connection is closed and one to address:port opened; false when it has none of its own. */
  redirect(call: CallState, address: string, port: number): boolean;
  /** The run's transport, as SIPp names protocols in setdest: UDP, TCP, TLS, WS, WSS. */
  readonly transportName: string;
  readonly random: () => number;
  /** Sends a 3PCC command to the twin (`peer`: the instance named by dest=, '' for the one twin); false when it failed. */
  sendCommand(call: CallState, peer: string, text: string): boolean;
  /** SIPp compat: classic 3PCC tells the twin that this call was aborted (its `3pcc_abort` message); else nothing. */
  abortTwin(call: CallState): void;
  /** Extended 3PCC (-master/-slave): a <recvCmd src> takes commands only from that instance. */
  readonly extendedTwin: boolean;
  /** The run's media; undefined when it has none. */
  readonly media: MediaHost | undefined;
}
