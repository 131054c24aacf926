/**
 * SIPp's trace files, fed by the engine's trace events: -trace_msg (every message), -trace_err (what went
 * wrong on the wire, with the ladder of the first failed calls of each reason), -trace_calldebug (every
 * failed call in full), -trace_rtt (every response time) and -trace_logs (the scenario's <log> actions).
 * Failed-call evidence is also kept in memory for the HTML, JSON and JUnit reports.
 */
import type { CallEvidence, TraceEvent, TraceSink } from '../events/trace.js';
import { sippDate, sippTime } from '../format.js';
import type { CompiledScenario } from '../scenario/compile.js';
import { renderLadder } from './ladder.js';
import { LogFile, type LogFileOptions } from './log-file.js';

/** The trace files that SIPp's -X_overwrite, -ringbuffer_* and -max_log_size apply to, by SIPp's name. */
export type TraceFileName = 'messages' | 'shortmessages' | 'errors' | 'calldebug' | 'logs';

export interface TraceOptions {
  readonly messages?: string | undefined;
  /** -trace_shortmsg: a line per message. */
  readonly shortmessages?: string | undefined;
  /** -callid_slash_ign: the short message trace shows a Call-ID whole, /// prefix and all. */
  readonly callIdSlashIgnore?: boolean | undefined;
  /** The transport that -trace_msg names in each message's heading: UDP (the default), TCP, TLS, WS, WSS. */
  readonly transportLabel?: string | undefined;
  /** -trace_error_codes: keep the status codes of unexpected responses for the error codes file. */
  readonly errorCodes?: boolean | undefined;
  readonly errors?: string | undefined;
  readonly calldebug?: string | undefined;
  readonly rtt?: string | undefined;
  /** -rtt_freq: the rtt file is written every this many values. */
  readonly rttFreq: number;
  readonly logs?: string | undefined;
  /** Keep failed calls' ladders for the reports (HTML, JSON, JUnit). */
  readonly keepEvidence: boolean;
  /** Ladders kept (and written to the error trace) per failure reason. */
  readonly laddersPerReason: number;
  /** How each trace file is opened, rotated and capped. */
  readonly fileOptions?: (name: TraceFileName) => LogFileOptions;
}

/** A kept ladder: the reason, the call and its rendered flow. */
export interface Ladder {
  readonly reason: string;
  readonly callId: string;
  readonly text: string;
}

export class Traces {
  readonly sink: TraceSink = {};
  private files: LogFile[] = [];
  private messages: LogFile | undefined;
  /** -trace_shortmsg: a line per message. */
  private short: LogFile | undefined;
  private errors: LogFile | undefined;
  private logs: LogFile | undefined;
  private readonly calldebug: LogFile | undefined;
  private readonly laddersPerReason: number;
  private readonly fileOptions: ((name: TraceFileName) => LogFileOptions) | undefined;
  private readonly callIdSlashIgnore: boolean | undefined;
  private readonly transportLabel: string;
  private readonly kept = new Map<string, Ladder[]>();
  private rttCount = 0;
  /** Status codes of unexpected responses since the last errorCodes() (-trace_error_codes). */
  private codes: number[] = [];
  /** When the engine started (ms since the epoch): call histories and the rtt file count from it. */
  private startEpochMs: number;

  constructor(
    options: TraceOptions,
    private readonly scenario: CompiledScenario,
    /** Wall-clock time now (ms since the epoch, with fractions). */
    private readonly epochMs: () => number,
  ) {
    this.startEpochMs = epochMs();
    this.fileOptions = options.fileOptions;
    this.callIdSlashIgnore = options.callIdSlashIgnore;
    this.transportLabel = options.transportLabel ?? 'UDP';
    const open = (
      path: string | undefined,
      name: TraceFileName | undefined,
      header = '',
      encoding: 'latin1' | 'utf8' = 'latin1',
    ): LogFile | undefined => (path === undefined ? undefined : this.open(path, name, header, encoding));
    if (options.shortmessages !== undefined) this.set('shortmessages', options.shortmessages);
    if (options.messages !== undefined) this.set('messages', options.messages);
    if (options.errors !== undefined) this.set('error', options.errors);
    if (options.errorCodes === true)
      this.sink.unexpectedStatus = (status) => {
        this.codes.push(status);
      };
    const rtt = open(options.rtt, undefined, 'Date_ms;response_time_ms;rtd_no\n');
    if (rtt !== undefined) {
      this.sink.rtt = (rtd, ms) => {
        rtt.write(`${(this.now() - this.startEpochMs).toFixed(3)};${ms.toFixed(3)};${rtd + 1}\n`);
        if (++this.rttCount % Math.max(1, options.rttFreq) === 0) rtt.flush();
      };
    }
    if (options.logs !== undefined) this.set('logs', options.logs);
    this.calldebug = open(options.calldebug, 'calldebug');
    this.laddersPerReason = options.laddersPerReason;
    if (this.calldebug !== undefined || this.errors !== undefined || options.keepEvidence) this.keepFailedCalls();
  }

  /** Failed calls are kept (and so every call keeps its history) only for a trace or report that wants them. */
  private keepFailedCalls(): void {
    if (this.sink.failedCall !== undefined) return;
    this.sink.failedCall = (e) => {
      const title = this.scenario.steps[e.stepIndex]?.title ?? 'end of scenario';
      this.calldebug?.write(this.callDebug(e, title));
      const list = this.kept.get(e.reason) ?? [];
      if (list.length >= this.laddersPerReason) return;
      const ladder = { reason: e.reason, callId: e.callId, text: renderLadder(e, title) };
      list.push(ladder);
      this.kept.set(e.reason, list);
      this.errors?.write(
        `${sippTime(this.now())}: failed call (${list.length} of the first ${this.laddersPerReason} ${e.reason}):\n${ladder.text}\n`,
      );
    };
  }

  private open(path: string, name: TraceFileName | undefined, header = '', encoding: 'latin1' | 'utf8' = 'latin1'): LogFile {
    const f = new LogFile(path, header, { ...(name === undefined ? {} : this.fileOptions?.(name)), encoding });
    this.files.push(f);
    return f;
  }

  /**
   * Turns the message, error or <log> trace on (into `path`, made anew, as SIPp does) or off, at the start or
   * from the control port (`trace messages on`); the engine then looks its trace methods up again.
   */
  set(which: 'messages' | 'shortmessages' | 'error' | 'logs', path: string | undefined): void {
    const old = which === 'messages' ? this.messages : which === 'shortmessages' ? this.short : which === 'error' ? this.errors : this.logs;
    if (old !== undefined) {
      old.close();
      this.files = this.files.filter((f) => f !== old);
    }
    if (which === 'messages' || which === 'shortmessages') {
      if (which === 'messages') this.messages = path === undefined ? undefined : this.open(path, 'messages');
      else this.short = path === undefined ? undefined : this.open(path, 'shortmessages');
      const messages = this.messages;
      const short = this.short;
      if (messages === undefined && short === undefined) {
        delete this.sink.message;
        delete this.sink.command;
        return;
      }
      this.sink.message = (out, raw) => {
        // SIPp compat: the -trace_msg layout, so tools that split SIPp's message log split ours; the heading
        // names the transport as SIPp's does (UDP, TCP, TLS; WS and WSS are ours).
        if (messages !== undefined) {
          const label = this.transportLabel;
          messages.write(`----------------------------------------------- ${sippDate(this.now())}\n`);
          messages.write(
            out
              ? `${label} message sent (${raw.length} bytes):\n\n${raw}\n`
              : `${label} message received [${raw.length}] bytes :\n\n${raw}\n`,
          );
        }
        if (short !== undefined) short.write(shortLine(sippTime(this.now()), out, raw, this.callIdSlashIgnore !== true));
      };
      if (messages === undefined) {
        delete this.sink.command;
        return;
      }
      // SIPp compat: twin commands are logged as TCP "control" messages, their length counting the ESC.
      this.sink.command = (out, text) => {
        messages.write(`----------------------------------------------- ${sippDate(this.now())}\n`);
        messages.write(
          out
            ? `TCP control message sent (${text.length + 1} bytes):\n\n${text}\n`
            : `TCP control message received [${text.length + 1}] bytes :\n\n${text}\n`,
        );
      };
    } else if (which === 'error') {
      const errors = path === undefined ? undefined : this.open(path, 'errors', 'The following events occurred:\n');
      this.errors = errors;
      if (errors === undefined) {
        delete this.sink.error;
        return;
      }
      this.sink.error = (text) => {
        errors.write(`${sippTime(this.now())}: ${text}\n`);
      };
      this.keepFailedCalls();
    } else {
      this.logs = path === undefined ? undefined : this.open(path, 'logs', '', 'utf8');
    }
  }

  /** Whether the message, error or <log> trace is on now. */
  isOn(which: 'messages' | 'shortmessages' | 'error' | 'logs'): boolean {
    return (
      (which === 'messages' ? this.messages : which === 'shortmessages' ? this.short : which === 'error' ? this.errors : this.logs) !==
      undefined
    );
  }

  /** While replay() writes a worker's event: when it happened (ms since the epoch). */
  private replayAt: number | undefined;

  /** Wall-clock time now, or when the event being replayed happened. */
  private now(): number {
    return this.replayAt ?? this.epochMs();
  }

  /**
   * -workers: the events a worker traced (workers/trace-forward.ts), written as if they had happened here, at
   * their time. A failed call's times are moved from the worker's engine start to this run's start.
   */
  replay(events: readonly TraceEvent[]): void {
    const s = this.sink;
    try {
      for (const e of events) {
        this.replayAt = e.at;
        switch (e.k) {
          case 'message':
            s.message?.(e.out, e.raw, e.local, e.remote);
            break;
          case 'command':
            s.command?.(e.out, e.text);
            break;
          case 'error':
            s.error?.(e.text);
            break;
          case 'unexpectedStatus':
            s.unexpectedStatus?.(e.status);
            break;
          case 'rtt':
            s.rtt?.(e.rtd, e.ms);
            break;
          case 'failedCall': {
            const shift = e.base - this.startEpochMs;
            const v = e.evidence;
            s.failedCall?.({
              ...v,
              startMs: v.startMs + shift,
              endMs: v.endMs + shift,
              history: v.history.map((h) => ({ ...h, atMs: h.atMs + shift })),
            });
            break;
          }
          case 'log':
            this.log(e.text);
            break;
        }
      }
    } finally {
      this.replayAt = undefined;
    }
  }

  /** The traces exist before the engine, which is given their sink: this sets the engine's real start. */
  setStart(epochMs: number): void {
    this.startEpochMs = epochMs;
  }

  /** The <log> action's text (-trace_logs); dropped without it, as in SIPp. */
  log(text: string): void {
    this.logs?.write(`${text}\n`);
  }

  /** Warnings and errors of <warning>/<error> actions also go to the error trace. */
  logError(text: string): void {
    this.sink.error?.(text);
  }

  /** The status codes of unexpected responses since the last call, and forgets them (-trace_error_codes). */
  takeErrorCodes(): number[] {
    const c = this.codes;
    this.codes = [];
    return c;
  }

  /** The first failed calls of each reason, in the order the reasons first occurred. */
  ladders(): Ladder[] {
    return [...this.kept.values()].flat();
  }

  flush(): void {
    for (const f of this.files) f.flush();
  }

  close(): void {
    for (const f of this.files) f.close();
  }

  private callDebug(e: CallEvidence, title: string): string {
    const at = (runMs: number): string => sippTime(this.startEpochMs + runMs);
    const parts = [
      '-------------------------------------------------------------------------------\n',
      `Call debugging information for call ${e.callId} (${e.reason} at index ${e.stepIndex}, ${title.trim()}):\n`,
      `${at(e.startMs)} Starting call ${e.callId} (${e.local} <-> ${e.remote})\n`,
    ];
    for (const h of e.history) parts.push(`${at(h.atMs)} ${h.out ? 'Sent' : 'Received'} ${h.raw.length} bytes:\n${h.raw}\n`);
    parts.push(`${at(e.endMs)} Call ${e.callId} ended: ${e.reason}\n\n`);
    return parts.join('');
  }
}

/**
 * SIPp compat (-trace_shortmsg, socket.cpp): time, S or R, the Call-ID (what follows a /// prefix), the
 * CSeq value and the start line, tab-separated.
 */
export function shortLine(time: string, out: boolean, raw: string, trimPrefix = true): string {
  const eol = raw.indexOf('\r\n');
  const first = eol < 0 ? raw : raw.slice(0, eol);
  const callId = headerValue(raw, /^(?:Call-ID|i)[ \t]*:[ \t]*(.*?)[ \t]*\r?$/im);
  const slashes = trimPrefix ? callId.indexOf('///') : -1;
  return `${time}\t${out ? 'S' : 'R'}\t${slashes < 0 ? callId : callId.slice(slashes + 3)}\tCSeq:${headerValue(raw, /^CSeq[ \t]*:[ \t]*(.*?)[ \t]*\r?$/im)}\t${first}\n`;
}

function headerValue(raw: string, re: RegExp): string {
  return re.exec(raw)?.[1] ?? '';
}
