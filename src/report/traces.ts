/**
 * SIPp's trace files, fed by the engine's trace events: -trace_msg (every message), -trace_err (what went
 * wrong on the wire, with the ladder of the first failed calls of each reason), -trace_calldebug (every
 * failed call in full), -trace_rtt (every response time) and -trace_logs (the scenario's <log> actions).
 * Failed-call evidence is also kept in memory for the HTML, JSON and JUnit reports.
 */
import type { CallEvidence, TraceSink } from '../engine/trace.js';
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
  private readonly files: LogFile[] = [];
  private readonly errors: LogFile | undefined;
  private readonly logs: LogFile | undefined;
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
    const open = (path: string | undefined, name: TraceFileName | undefined, header = '', encoding: 'latin1' | 'utf8' = 'latin1'): LogFile | undefined => {
      if (path === undefined) return undefined;
      const f = new LogFile(path, header, { ...(name === undefined ? {} : options.fileOptions?.(name)), encoding });
      this.files.push(f);
      return f;
    };
    const messages = open(options.messages, 'messages');
    const short = open(options.shortmessages, 'shortmessages');
    if (messages !== undefined || short !== undefined) {
      this.sink.message = (out, raw) => {
        // SIPp compat: the -trace_msg layout, so tools that split SIPp's message log split ours.
        if (messages !== undefined) {
          messages.write(`----------------------------------------------- ${sippDate(this.epochMs())}\n`);
          messages.write(out ? `UDP message sent (${raw.length} bytes):\n\n${raw}\n` : `UDP message received [${raw.length}] bytes :\n\n${raw}\n`);
        }
        if (short !== undefined) short.write(shortLine(sippTime(this.epochMs()), out, raw, options.callIdSlashIgnore !== true));
      };
    }
    if (options.errorCodes === true) this.sink.unexpectedStatus = (status) => { this.codes.push(status); };
    this.errors = open(options.errors, 'errors', 'The following events occurred:\n');
    const errors = this.errors;
    if (errors !== undefined) this.sink.error = (text) => { errors.write(`${sippTime(this.epochMs())}: ${text}\n`); };
    const rtt = open(options.rtt, undefined, 'Date_ms;response_time_ms;rtd_no\n');
    if (rtt !== undefined) {
      this.sink.rtt = (rtd, ms) => {
        rtt.write(`${(this.epochMs() - this.startEpochMs).toFixed(3)};${ms.toFixed(3)};${rtd + 1}\n`);
        if (++this.rttCount % Math.max(1, options.rttFreq) === 0) rtt.flush();
      };
    }
    this.logs = open(options.logs, 'logs', '', 'utf8');
    const calldebug = open(options.calldebug, 'calldebug');
    if (calldebug !== undefined || errors !== undefined || options.keepEvidence) {
      this.sink.failedCall = (e) => {
        const title = this.scenario.steps[e.stepIndex]?.title ?? 'end of scenario';
        if (calldebug !== undefined) calldebug.write(this.callDebug(e, title));
        const list = this.kept.get(e.reason) ?? [];
        if (list.length >= options.laddersPerReason) return;
        const ladder = { reason: e.reason, callId: e.callId, text: renderLadder(e, title) };
        list.push(ladder);
        this.kept.set(e.reason, list);
        errors?.write(`${sippTime(this.epochMs())}: failed call (${list.length} of the first ${options.laddersPerReason} ${e.reason}):\n${ladder.text}\n`);
      };
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
