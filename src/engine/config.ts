/** What one engine is given to run: its scenario, its load, where its calls go, and how its ids look. */
import type { CallIdType } from './call-id.js';
import type { InjectionStore } from '../data/injection.js';
import type { SchedulerOptions } from '../load/scheduler.js';
import type { TdmMap } from '../load/tdm.js';
import type { CompiledScenario } from '../scenario/compile.js';
import type { CallSettings } from './host.js';
import type { WatchdogOptions } from './watchdog.js';

export interface EngineConfig {
  readonly scenario: CompiledScenario;
  /** Where calls go (client mode). Server-mode calls answer whoever called. */
  readonly remote: { readonly address: string; readonly port: number } | undefined;
  readonly load: SchedulerOptions;
  readonly settings: CallSettings;
  readonly baseCseq: number;
  /** -deadcall_wait: how long an ended call's Call-ID keeps absorbing messages. */
  readonly deadcallWaitMs: number;
  /** -timeout: 0 for none. */
  readonly globalTimeoutMs: number;
  /** -timer_resol: the longest the engine sleeps between two looks at its timers (ms). */
  readonly timerResolutionMs: number;
  /** Host part of generated Call-IDs. */
  readonly callIdHost: string;
  readonly pid: number;
  /** -inf files, in the order given, with their -infindex indexes. */
  readonly injection: InjectionStore;
  /** -tdmmap: calls need a free circuit. */
  readonly tdm: TdmMap | undefined;
  /** -t ui: the field of the first injection file that holds each call's source address (-ip_field). */
  readonly ipField?: number | undefined;
  /** Extended 3PCC (-master/-slave): commands name their sender, and a <recvCmd src> checks it. */
  readonly extendedTwin?: boolean;
  /**
   * -rsa: every call's messages are sent here (an outbound proxy), while [remote_ip]/[remote_port] still name
   * the remote side. SIPp compat: server-mode calls answer there too.
   */
  readonly sendTo?: { readonly address: string; readonly port: number } | undefined;
  /** -cid_str: the Call-ID of the calls this side places (%u call number, %p pid, %s local IP, %% a %). */
  readonly callIdFormat?: string | undefined;
  /** -cid_type (format: -cid_str). */
  readonly callIdType?: CallIdType | undefined;
  /** -dynamicStart, -dynamicMax, -dynamicStep: [dynamic_id]. */
  readonly dynamicId?: { readonly start: number; readonly max: number; readonly step: number } | undefined;
  /** SIPp's watchdog (-watchdog_*); undefined or an interval of 0: none. */
  readonly watchdog?: WatchdogOptions | undefined;
  /** -callid_slash_ign: a Call-ID holding /// is matched whole, not by what follows the ///. */
  readonly callIdSlashIgnore?: boolean | undefined;
  /**
   * -oocsf / -oocsn: the scenario a client-mode run gives each request of an unknown Call-ID. It runs in an
   * engine of its own (its own calls, steps and statistics, as SIPp keeps the out-of-call scenario's apart)
   * over this engine's transport and clock.
   */
  readonly outOfCall?: CompiledScenario | undefined;
  /**
   * -rxsf / -rxsn (SIPp 3.7's mixed mode): a server scenario run beside this client one; a request of an
   * unknown Call-ID that its first <recv> takes starts one of its calls, with the -rxinf injection files. It
   * too runs in an engine of its own over this engine's transport, with its own statistics.
   */
  readonly receive?: { readonly scenario: CompiledScenario; readonly injection: InjectionStore } | undefined;
  /** RTP media (-mi, -mp, -rtp_echo, -mb, -min_rtp_port/-max_rtp_port, -rtp_buffsize): opened when the scenario has media or -rtp_echo is on. */
  readonly media?: MediaConfig | undefined;
}

export interface MediaConfig {
  readonly ip: string;
  readonly mediaPort: number;
  readonly echo: boolean;
  readonly echoBufferBytes: number;
  readonly minPort: number;
  readonly maxPort: number;
  readonly socketBufferBytes: number | undefined;
}

/** A side engine's config: no load of its own; no injection lines for out-of-call calls (SIPp: automatic calls read none). */
export function sideConfig(main: EngineConfig, scenario: CompiledScenario, injection: InjectionStore): EngineConfig {
  return {
    ...main,
    scenario,
    outOfCall: undefined,
    receive: undefined,
    media: undefined,
    globalTimeoutMs: 0,
    tdm: undefined,
    ipField: undefined,
    injection,
    load: { ...main.load, maxCalls: 0, users: 0, rate: 0, limit: 0 },
  };
}
