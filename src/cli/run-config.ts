/**
 * What a run is configured to do: the one readonly RunConfig the command line becomes (config.ts builds it,
 * collecting every problem), and the parts it is made of.
 */
import type { CallIdType } from '../engine/call-id.js';
import type { WatchdogOptions } from '../engine/watchdog.js';
import type { Behaviors } from '../engine/host.js';
import type { TransportName } from '../engine/run.js';
import type { Share } from '../load/share.js';
import type { TdmMap } from '../load/tdm.js';
import type { Thresholds } from '../report/thresholds.js';
import type { TwinOptions } from './twin-options.js';

export type ScenarioSource = { readonly kind: 'builtin'; readonly name: string } | { readonly kind: 'file'; readonly path: string };

/** RTP media options. */
export interface MediaConfig {
  /** -rtp_echo: echo what arrives on -mp and -mp + 2. */
  readonly echo: boolean;
  /** -mb: the echo's buffer; longer datagrams are echoed cut to it. */
  readonly echoBufferBytes: number;
  /** -min_rtp_port / -max_rtp_port: the per-call media port range. */
  readonly minPort: number;
  readonly maxPort: number;
  /** -rtp_payload: an rtp_stream's payload type when it names none. */
  readonly rtpPayload: number;
  /** -rtp_buffsize: SO_RCVBUF/SO_SNDBUF of media sockets; undefined: the system's. */
  readonly socketBufferBytes: number | undefined;
}

export interface RunConfig {
  readonly scenario: ScenarioSource | undefined;
  /** -oocsf / -oocsn: the out-of-call scenario. */
  readonly outOfCall: ScenarioSource | undefined;
  /** -rxsf / -rxsn: the receive scenario run beside the main one, and its -rxinf injection files. */
  readonly receive: ScenarioSource | undefined;
  readonly receiveInjectionFiles: readonly string[];
  /** SIPp's scenario_file: the scenario's file name without .xml, or the built-in's name; names the trace files. */
  readonly scenarioFileName: string;
  readonly remote: { readonly host: string; readonly port: number } | undefined;
  /** -rsa: where every message is sent instead (an outbound proxy); undefined: to the remote side. */
  readonly rsa: { readonly host: string; readonly port: number } | undefined;
  /** Address to bind; '' binds every interface. */
  readonly bindAddress: string;
  /** Address written into messages ([local_ip]). */
  readonly localIp: string;
  readonly localPorts: readonly number[];
  /** -t: the transport, and a socket or connection per call (un, tn, ln, wsn, wssn). */
  readonly transport: TransportName;
  readonly perCallSocket: boolean;
  /** -t ui: the injection field holding each call's source address (-ip_field); undefined otherwise. */
  readonly ipField: number | undefined;
  /** -tls_*: file paths, read when a TLS transport opens. */
  readonly tls: {
    readonly cert: string;
    readonly key: string;
    readonly ca: string | undefined;
    readonly crl: string | undefined;
    readonly version: string | undefined;
  };
  readonly maxReconnect: number;
  readonly reconnectClose: boolean;
  readonly reconnectSleepMs: number;
  readonly maxSocket: number;
  /** -buff_size: SO_RCVBUF and SO_SNDBUF of every socket. */
  readonly socketBufferBytes: number;
  readonly mediaIp: string;
  readonly mediaPort: number;
  /** RTP media: -rtp_echo, -mb, -min_rtp_port/-max_rtp_port, -rtp_payload, -rtp_buffsize. */
  readonly media: MediaConfig;
  readonly service: string;
  readonly rate: number;
  readonly ratePeriodMs: number;
  /** -rate_scale: the step of the + and - keys (* and / step ten times it). */
  readonly rateScale: number;
  /** -rate_increase, -rate_interval (default -fd), -rate_max, -no_rate_quit; undefined without -rate_increase. */
  readonly ramp: { readonly increase: number; readonly intervalMs: number; readonly max: number; readonly quitAtMax: boolean } | undefined;
  readonly limit: number;
  readonly maxCalls: number;
  readonly users: number;
  /** -workers: the run is split over this many worker threads (1: none, the engine runs in the main thread). */
  readonly workers: number;
  /** --segment I/N (or JOB_COMPLETION_INDEX with SIPTS_SEGMENTS): this process's part of a run split over processes. */
  readonly segment: Share;
  /** --start-at: epoch ms before which no socket opens and no call starts; undefined: at once. */
  readonly startAtMs: number | undefined;
  /** --hdr-log: the HdrHistogram interval log's path. */
  readonly hdrLogFile: string | undefined;
  readonly tdm: TdmMap | undefined;
  readonly defaultPauseMs: number;
  /** -lost: percentage of messages lost on purpose where a step does not say (0: none). */
  readonly lostPercent: number;
  /** -sleep: wait this long before starting. */
  readonly sleepMs: number;
  /** -rtcheck loose: a retransmission is told by its CSeq and Call-ID, not its top Via branch too. */
  readonly looseRetransCheck: boolean;
  readonly timeoutMs: number;
  /** -timeout_error: a run ended by -timeout exits 255. */
  readonly timeoutError: boolean;
  readonly recvTimeoutMs: number;
  /** -send_timeout: 0 for none. */
  readonly sendTimeoutMs: number;
  /** -nr turns UDP retransmissions off. */
  readonly retransmissions: boolean;
  readonly maxInviteRetrans: number;
  readonly maxNonInviteRetrans: number;
  readonly t2Ms: number;
  readonly deadcallWaitMs: number;
  /** -timer_resol: how often the timers are looked at. */
  readonly timerResolutionMs: number;
  readonly baseCseq: number;
  readonly screenPeriodMs: number;
  /** -trace_stat: the stat file's path (-stf, or <scenario>_<pid>_.csv), else undefined. */
  readonly statFile: string | undefined;
  readonly statPeriodMs: number;
  /** Trace files (undefined: off), named like SIPp's: <scenario>_<pid>_messages.log … */
  readonly traces: {
    readonly messages: string | undefined;
    readonly errors: string | undefined;
    readonly calldebug: string | undefined;
    readonly rtt: string | undefined;
    readonly rttFreq: number;
    readonly counts: string | undefined;
    readonly screen: string | undefined;
    readonly logs: string | undefined;
    /** -trace_shortmsg / -shortmessage_file */
    readonly shortmessages: string | undefined;
    /** -trace_error_codes: <scenario>_<pid>_error_codes.csv */
    readonly errorCodes: string | undefined;
    /** -X_overwrite false: these files are added to, not started afresh. */
    readonly append: {
      readonly messages: boolean;
      readonly shortmessages: boolean;
      readonly errors: boolean;
      readonly calldebug: boolean;
      readonly screen: boolean;
      readonly logs: boolean;
    };
    /** -ringbuffer_files, -ringbuffer_size, -max_log_size (0: off): rotation and caps of the message, short message, error, call debug and log files. */
    readonly ringbufferFiles: number;
    readonly ringbufferBytes: number;
    readonly maxLogBytes: number;
    /** SIPp's <scenario>_<pid>_ prefix, which names rotated files. */
    readonly prefix: string;
  };
  /** The files the control port's `trace messages|error|logs on` write: the named file, else SIPp's name. */
  readonly traceFiles: { readonly messages: string; readonly shortmessages: string; readonly error: string; readonly logs: string };
  /** Where SIGUSR2 (and the s key with -trace_screen) dumps the screens: -screen_file, else SIPp's default name. */
  readonly screenDumpFile: string;
  /** -stat_delimiter: the separator of the stat, counts and error codes files. */
  readonly statDelimiter: string;
  /** -periodic_rtd: the stat file's repartition columns count each period, not the whole run. */
  readonly periodicRtd: boolean;
  /** -cp: the UDP control port (0: none). */
  readonly controlPort: number;
  /** -ci: the control port's address; undefined: loopback, or -i. */
  readonly controlIp: string | undefined;
  readonly htmlFile: string | undefined;
  readonly prometheus: { readonly host: string; readonly port: number } | undefined;
  readonly jsonFile: string | undefined;
  readonly junitFile: string | undefined;
  readonly thresholds: Thresholds;
  readonly readKeys: boolean;
  readonly background: boolean;
  /** -inf files, in the order given. */
  readonly injectionFiles: readonly string[];
  /** -infindex FILE FIELD */
  readonly injectionIndexes: readonly { readonly file: string; readonly field: number }[];
  readonly behaviors: Behaviors;
  readonly autoAnswer: boolean;
  /** -pause_msg_ign: messages for a call in a <pause> are dropped. */
  readonly pauseMsgIgnore: boolean;
  readonly authUser: string;
  readonly authPassword: string;
  /** -auth_uri: the digest uri is sip:THIS; undefined: the Request-URI. */
  readonly authUri: string | undefined;
  /** -cid_str */
  readonly callIdFormat: string;
  /** -cid_type. */
  readonly callIdType: CallIdType;
  /** -dynamicStart, -dynamicMax, -dynamicStep */
  readonly dynamicId: { readonly start: number; readonly max: number; readonly step: number };
  /** -callid_slash_ign */
  readonly callIdSlashIgnore: boolean;
  /** -watchdog_*: SIPp's watchdog (an interval of 0: none). */
  readonly watchdog: WatchdogOptions;
  /** -key NAME VALUE */
  readonly keys: Readonly<Record<string, string>>;
  /** -set NAME VALUE */
  readonly globals: Readonly<Record<string, string>>;
  /** 3PCC: -3pcc (classic), or -master/-slave with -slave_cfg (extended); undefined: none. */
  readonly twin: TwinOptions | undefined;
  /** Things to tell the user that do not stop the run (options accepted and ignored …). */
  readonly warnings: readonly string[];
}
