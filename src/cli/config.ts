/**
 * Raw options → one readonly RunConfig. Every bad value is collected, so a user sees all of them at once.
 */
import { CALL_ID_TYPES, type CallIdType } from '../engine/call-id.js';
import { isIP } from 'node:net';
import type { TransportName } from '../engine/run.js';
import { chooseWorkers } from './workers-option.js';
import { chooseSegment, parseStartAt } from './segment-option.js';
import { shareOf } from '../load/share.js';
import { OPTIONS, type OptionName, type OptionSpec } from './options.js';
import { parseHostPort } from './host-port.js';
import { defaultLocalIp, parseBehaviors, parseBool, parseTime, tdmOption } from './option-values.js';
import type { RunConfig } from './run-config.js';
import { twinOptions } from './twin-options.js';
import { isArray } from '../json.js';

export { parseHostPort } from './host-port.js';
export type { HostPortOption, TwinOptions } from './twin-options.js';
export type { MediaConfig, RunConfig, ScenarioSource } from './run-config.js';
export { parseBool, parseTime } from './option-values.js';

export type RawOptions = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

export class ConfigErrors extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigErrors';
  }
}

const SPEC: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((o) => [o.name, o]));

/** -t's letters → the transport. */
const TRANSPORTS: Readonly<Record<string, TransportName>> = { u: 'UDP', ui: 'UDP', t: 'TCP', l: 'TLS', ws: 'WS', wss: 'WSS' };

/** `env`: the process environment, read for a segment's JOB_COMPLETION_INDEX and SIPTS_SEGMENTS. */
export function buildConfig(
  raw: RawOptions,
  positional: readonly string[],
  pid = 0,
  env: Readonly<Record<string, string | undefined>> = {},
): RunConfig {
  const problems: string[] = [];
  const str = (name: OptionName): string | undefined => {
    const v = raw[name];
    if (typeof v === 'string') return v;
    const d = SPEC.get(name)?.default;
    return d;
  };
  const bad = (name: string, value: string, expected: string): void => {
    problems.push(`-${name} ${value}: expected ${expected}`);
  };
  const int = (name: OptionName, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
    const v = str(name);
    if (v === undefined) return 0;
    if (!/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max) {
      bad(name, v, max === Number.MAX_SAFE_INTEGER ? `a whole number ≥ ${min}` : `a whole number from ${min} to ${max}`);
      return 0;
    }
    return Number(v);
  };
  const num = (name: OptionName): number => {
    const v = str(name);
    if (v === undefined) return 0;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) {
      bad(name, v, 'a number ≥ 0, e.g. 10 or 0.5');
      return 0;
    }
    return n;
  };
  const time = (name: OptionName): number => {
    const spec = SPEC.get(name);
    const v = str(name);
    if (v === undefined || spec === undefined) return 0;
    const t = parseTime(v, spec.unit ?? 'ms');
    if (t === undefined) {
      bad(name, v, `a time: a number of ${spec.unit === 's' ? 'seconds' : 'milliseconds'}, or with a unit (500ms, 2s, 1m)`);
      return 0;
    }
    return t;
  };
  const flag = (name: OptionName): boolean => raw[name] === true;
  /** The values of an option given more than once (-inf, -infindex, -rxinf). */
  const list = (name: OptionName): string[] => {
    const v = raw[name];
    return isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  };
  /** SIPp's two-value options, in the order given (argv.ts joined each pair as NAME=VALUE). */
  const pairs = (name: OptionName): [string, string][] => {
    const out: [string, string][] = [];
    for (const p of list(name)) {
      const eq = p.indexOf('=');
      if (eq <= 0 || (name !== 'infindex' && !/^[A-Za-z0-9_.-]+$/.test(p.slice(0, eq))))
        problems.push(`-${name} ${p.replace('=', ' ')}: expected -${name} NAME VALUE, NAME of letters, digits, '_', '-' or '.'`);
      else out.push([p.slice(0, eq), p.slice(eq + 1)]);
    }
    return out;
  };

  const bool = (name: OptionName): boolean => parseBool(str(name) ?? 'false') ?? false;
  const warnings: string[] = [];
  for (const o of OPTIONS as readonly OptionSpec[]) {
    const given = raw[o.name] !== undefined && raw[o.name] !== false;
    if (given && o.refused !== undefined) problems.push(`-${o.name}: refused: ${o.refused}`);
    else if (given && o.ignored !== undefined) warnings.push(`-${o.name}: accepted for SIPp compatibility and ignored: ${o.ignored}`);
    if (o.kind === 'bool' && typeof raw[o.name] === 'string' && parseBool(raw[o.name] as string) === undefined)
      bad(o.name, raw[o.name] as string, 'true or false (or a number: 0 is false)');
  }
  for (const o of OPTIONS) {
    if (o.kind === 'choice' && typeof raw[o.name] === 'string' && !(o.choices as readonly string[]).includes(raw[o.name] as string)) {
      bad(o.name, raw[o.name] as string, `one of ${o.choices.join(', ')}`);
    }
  }

  const sn = str('sn');
  const sf = str('sf');
  if (sn !== undefined && sf !== undefined) problems.push('-sn and -sf both given: choose one scenario');
  // SIPp compat: with a remote host and no scenario, the uac scenario runs.
  const scenario =
    sf !== undefined
      ? { kind: 'file' as const, path: sf }
      : sn !== undefined
        ? { kind: 'builtin' as const, name: sn }
        : positional.length > 0
          ? { kind: 'builtin' as const, name: 'uac' }
          : undefined;

  const oocsn = str('oocsn');
  const oocsf = str('oocsf');
  if (oocsn !== undefined && oocsf !== undefined) problems.push('-oocsn and -oocsf both given: choose one out-of-call scenario');
  const outOfCall =
    oocsf !== undefined
      ? { kind: 'file' as const, path: oocsf }
      : oocsn !== undefined
        ? { kind: 'builtin' as const, name: oocsn }
        : undefined;

  const rxsn = str('rxsn');
  const rxsf = str('rxsf');
  if (rxsn !== undefined && rxsf !== undefined) problems.push('-rxsn and -rxsf both given: choose one receive scenario');
  const receive =
    rxsf !== undefined ? { kind: 'file' as const, path: rxsf } : rxsn !== undefined ? { kind: 'builtin' as const, name: rxsn } : undefined;
  const rxinf = list('rxinf');
  if (rxinf.length > 0 && receive === undefined)
    problems.push("-rxinf given without -rxsf or -rxsn: it is the receive scenario's injection file");

  let remote: RunConfig['remote'];
  if (positional.length > 1) problems.push(`more than one remote host given (${positional.join(' ')}): give one remote_host[:port]`);
  if (positional[0] !== undefined) {
    remote = parseHostPort(positional[0], 5060);
    if (remote === undefined) problems.push(`remote host "${positional[0]}": expected host, host:port, or [ipv6]:port`);
  }

  const i = str('i');
  if (i !== undefined && isIP(i) === 0) bad('i', i, 'an IPv4 or IPv6 address, e.g. 127.0.0.1');
  const localIp = i ?? defaultLocalIp(remote?.host);
  const ci = str('ci');
  if (ci !== undefined && isIP(ci) === 0) bad('ci', ci, 'an IPv4 or IPv6 address, e.g. 127.0.0.1');
  const mi = str('mi');
  if (mi !== undefined && isIP(mi) === 0) bad('mi', mi, 'an IPv4 or IPv6 address');
  const p = raw['p'];
  const port = typeof p === 'string' ? int('p', 0, 65535) : undefined;
  // SIPp compat (call.cpp): a transaction may retransmit min(-max_invite_retrans or -max_non_invite_retrans,
  // -max_retrans) times; -max_retrans defaults to the larger of the two defaults (9), so it caps only when given.
  const maxRetrans = int('max_retrans');
  const noRetrans = flag('nr');

  // SIPp compat: trace files are named after the scenario's file name, in the current folder.
  const scenarioFileName = (scenario?.kind === 'file' ? scenario.path : (scenario?.name ?? 'uac'))
    .replace(/^.*\//, '')
    .replace(/\.xml$/i, '');
  const base = `${scenarioFileName}_${pid}_`;
  const trace = (on: OptionName, file: OptionName | undefined, suffix: string): string | undefined => {
    const named = file === undefined ? undefined : str(file);
    return named ?? (flag(on) ? `${base}${suffix}` : undefined);
  };
  const rsaText = str('rsa');
  const rsa = rsaText === undefined ? undefined : parseHostPort(rsaText, 5060);
  if (rsaText !== undefined && rsa === undefined)
    bad('rsa', rsaText, 'host:port of the address to send to, e.g. 10.0.0.1:5060 (the port defaults to 5060)');
  const prom = str('prometheus');
  const prometheus = prom === undefined ? undefined : parseHostPort(prom, 9464);
  if (prom !== undefined && prometheus === undefined) bad('prometheus', prom, 'host:port to listen on, e.g. 127.0.0.1:9464');

  const segment = chooseSegment(str('segment'), env);
  problems.push(...segment.problems);
  const startAtText = str('start-at');
  const startAtMs = startAtText === undefined ? undefined : parseStartAt(startAtText);
  if (startAtText !== undefined && startAtMs === undefined)
    bad('start-at', startAtText, 'an ISO 8601 time, e.g. 2026-01-01T12:00:00Z, or epoch milliseconds, e.g. 1767268800000');
  const config: RunConfig = {
    scenario,
    outOfCall,
    receive,
    receiveInjectionFiles: rxinf,
    scenarioFileName,
    remote,
    rsa,
    bindAddress: i ?? (isIP(remote?.host ?? '') === 6 ? '::' : '0.0.0.0'),
    localIp,
    // SIPp compat: without -p, take 5060 when it is free, else any free port.
    localPorts: port !== undefined ? [port] : [5060, 0],
    transport: TRANSPORTS[(str('t') ?? 'u1').replace(/[1n]$/, '')] ?? 'UDP',
    perCallSocket: (str('t') ?? '').endsWith('n'),
    ipField: str('t') === 'ui' ? int('ip_field') : undefined,
    tls: {
      cert: str('tls_cert') ?? 'cacert.pem',
      key: str('tls_key') ?? 'cakey.pem',
      ca: str('tls_ca'),
      crl: str('tls_crl'),
      version: str('tls_version'),
    },
    maxReconnect: int('max_reconnect'),
    reconnectClose: str('reconnect_close') !== 'false',
    reconnectSleepMs: time('reconnect_sleep'),
    maxSocket: int('max_socket', 1),
    socketBufferBytes: int('buff_size', 1024),
    mediaIp: mi ?? localIp,
    mediaPort: int('mp', 0, 65535),
    media: {
      echo: flag('rtp_echo'),
      echoBufferBytes: int('mb', 1, 65535),
      // SIPp compat (3.7: -mp "sets -min_rtp_port for backwards compatibility"): the calls' ports start at -mp
      // when only -mp is given.
      minPort: rtpRangeStart(raw['min_rtp_port'], raw['mp']) ?? int('min_rtp_port', 1, 65535),
      maxPort: int('max_rtp_port', 1, 65535),
      rtpPayload: int('rtp_payload', 0, 127),
      socketBufferBytes: typeof raw['rtp_buffsize'] === 'string' ? int('rtp_buffsize', 1) : undefined,
    },
    service: str('s') ?? 'service',
    rate: num('r'),
    ratePeriodMs: time('rp'),
    rateScale: num('rate_scale'),
    ramp:
      int('rate_increase') > 0
        ? {
            increase: int('rate_increase'),
            intervalMs: typeof raw['rate_interval'] === 'string' ? time('rate_interval') : time('fd'),
            max: int('rate_max'),
            quitAtMax: !flag('no_rate_quit'),
          }
        : undefined,
    limit: int('l'),
    maxCalls: int('m'),
    users: int('users'),
    workers: 1,
    segment: segment.segment,
    startAtMs,
    hdrLogFile: str('hdr-log'),
    tdm: tdmOption(str('tdmmap'), problems),
    defaultPauseMs: time('d'),
    lostPercent: num('lost'),
    sleepMs: time('sleep'),
    looseRetransCheck: str('rtcheck') === 'loose',
    timeoutMs: time('timeout'),
    timeoutError: flag('timeout_error'),
    recvTimeoutMs: time('recv_timeout'),
    sendTimeoutMs: time('send_timeout'),
    retransmissions: !noRetrans,
    maxInviteRetrans: Math.min(maxRetrans, int('max_invite_retrans')),
    maxNonInviteRetrans: Math.min(maxRetrans, int('max_non_invite_retrans')),
    t2Ms: time('T2'),
    deadcallWaitMs: time('deadcall_wait'),
    timerResolutionMs: time('timer_resol'),
    baseCseq: int('base_cseq'),
    screenPeriodMs: time('f'),
    // SIPp compat: the stat file is named after the scenario's file name, in the current folder.
    statFile: trace('trace_stat', 'stf', '.csv'),
    statPeriodMs: time('fd'),
    traces: {
      messages: trace('trace_msg', 'message_file', 'messages.log'),
      errors: trace('trace_err', 'error_file', 'errors.log'),
      calldebug: trace('trace_calldebug', 'calldebug_file', 'calldebug.log'),
      rtt: trace('trace_rtt', undefined, 'rtt.csv'),
      rttFreq: int('rtt_freq', 1),
      counts: trace('trace_counts', undefined, 'counts.csv'),
      screen: trace('trace_screen', 'screen_file', 'screen.log'),
      logs: trace('trace_logs', 'log_file', 'logs.log'),
      shortmessages: trace('trace_shortmsg', 'shortmessage_file', 'shortmessages.log'),
      errorCodes: trace('trace_error_codes', undefined, 'error_codes.csv'),
      append: {
        messages: !bool('message_overwrite'),
        shortmessages: !bool('shortmessage_overwrite'),
        errors: !bool('error_overwrite'),
        calldebug: !bool('calldebug_overwrite'),
        screen: !bool('screen_overwrite'),
        logs: !bool('log_overwrite'),
      },
      ringbufferFiles: int('ringbuffer_files'),
      ringbufferBytes: int('ringbuffer_size'),
      maxLogBytes: int('max_log_size'),
      prefix: base,
    },
    screenDumpFile: str('screen_file') ?? `${base}screen.log`,
    traceFiles: {
      messages: str('message_file') ?? `${base}messages.log`,
      shortmessages: str('shortmessage_file') ?? `${base}shortmessages.log`,
      error: str('error_file') ?? `${base}errors.log`,
      logs: str('log_file') ?? `${base}logs.log`,
    },
    statDelimiter: str('stat_delimiter') ?? ';',
    periodicRtd: flag('periodic_rtd'),
    controlPort: int('cp', 0, 65535),
    controlIp: str('ci'),
    htmlFile: str('html'),
    prometheus,
    jsonFile: str('json'),
    junitFile: str('junit'),
    thresholds: {
      maxFailed: typeof raw['max-failed'] === 'string' ? int('max-failed') : undefined,
      maxRtdP99Ms: typeof raw['max-rtd-p99'] === 'string' ? time('max-rtd-p99') : undefined,
      minSuccessRatePercent: typeof raw['min-success-rate'] === 'string' ? num('min-success-rate') : undefined,
      maxRtpLossPercent: typeof raw['max-rtp-loss'] === 'string' ? num('max-rtp-loss') : undefined,
      maxJitterMs: typeof raw['max-jitter'] === 'string' ? time('max-jitter') : undefined,
    },
    readKeys: !flag('nostdin'),
    background: flag('bg'),
    injectionFiles: list('inf'),
    injectionIndexes: pairs('infindex').map(([file, field]) => {
      if (!/^\d+$/.test(field)) problems.push(`-infindex ${file} ${field}: expected -infindex FILE FIELD, FIELD a number from 0`);
      return { file, field: Number(field) };
    }),
    behaviors: flag('nd')
      ? { bye: false, abortunexp: false, pingreply: false }
      : parseBehaviors(str('default_behaviors') ?? 'all', problems),
    autoAnswer: flag('aa'),
    pauseMsgIgnore: flag('pause_msg_ign'),
    authUser: str('au') ?? str('s') ?? 'service',
    authPassword: str('ap') ?? 'password',
    authUri: str('auth_uri'),
    callIdFormat: str('cid_str') ?? '%u-%p@%s',
    callIdType: callIdType(str('cid_type'), problems),
    dynamicId: { start: int('dynamicStart'), max: int('dynamicMax'), step: int('dynamicStep') },
    callIdSlashIgnore: flag('callid_slash_ign'),
    watchdog: {
      intervalMs: time('watchdog_interval'),
      resetMs: time('watchdog_reset'),
      minorMs: time('watchdog_minor_threshold'),
      majorMs: time('watchdog_major_threshold'),
      minorMax: int('watchdog_minor_maxtriggers'),
      majorMax: int('watchdog_major_maxtriggers'),
    },
    keys: Object.fromEntries(pairs('key')),
    globals: Object.fromEntries(pairs('set')),
    twin: twinOptions(str('3pcc'), str('master'), str('slave'), str('slave_cfg'), problems),
    warnings,
  };
  if (config.tls.crl !== undefined && config.tls.ca === undefined)
    problems.push(`-tls_crl ${config.tls.crl}: a revocation list is only read when the peer's certificate is checked: add -tls_ca CA.pem`);
  // SIPp compat: SIPp refuses the two together.
  if (config.traces.ringbufferBytes > 0 && config.traces.maxLogBytes > 0)
    problems.push('-ringbuffer_size and -max_log_size both given: rotate the files or cap them, not both');
  if (config.statDelimiter === '') bad('stat_delimiter', '', 'one or more characters');
  if (config.lostPercent > 100) bad('lost', str('lost') ?? '', 'a percentage from 0 to 100');
  if (config.media.minPort > config.media.maxPort)
    problems.push(
      `-min_rtp_port ${config.media.minPort} -max_rtp_port ${config.media.maxPort}: the range is empty: make -max_rtp_port at least -min_rtp_port + 1 (RTP and RTCP take a pair of ports)`,
    );
  if (config.ratePeriodMs <= 0 && problems.length === 0) bad('rp', str('rp') ?? '', 'a period greater than 0');
  if (config.ipField !== undefined && config.injectionFiles.length === 0) {
    problems.push(
      '-t ui: each call sends from the address in a field of the injection file: add -inf FILE (and -ip_field N when it is not field 0)',
    );
  }
  // 0 of -m, -users or -l means "no end", "rate mode", "no cap": a segment must get some of each that was given.
  for (const [name, total] of [
    ['m', config.maxCalls],
    ['users', config.users],
    ['l', config.limit],
  ] as const) {
    if (total > 0 && shareOf(total, config.segment) === 0)
      problems.push(
        `-${name} ${total} over ${config.segment.of} segments: segment ${config.segment.index} would get none of it; split the run into at most ${total} segments`,
      );
  }
  // A segment's workers share the segment's part of the run.
  const split = chooseWorkers(str('workers'), {
    maxCalls: shareOf(config.maxCalls, config.segment),
    users: shareOf(config.users, config.segment),
    limit: shareOf(config.limit, config.segment),
  });
  problems.push(...split.problems);
  warnings.push(...split.warnings);
  if (problems.length > 0) throw new ConfigErrors(problems);
  return split.workers === 1 ? config : { ...config, workers: split.workers };
}

/** -cid_type: SIPp's modes and aliases; an unknown one is a problem naming them all. */
function callIdType(value: string | undefined, problems: string[]): CallIdType {
  if (value === undefined) return 'format';
  const k = value.trim().toLowerCase();
  // Own keys only: `constructor` or `toString` are not modes.
  const t = Object.hasOwn(CALL_ID_TYPES, k) ? CALL_ID_TYPES[k] : undefined;
  if (t !== undefined) return t;
  problems.push(`-cid_type ${value}: expected one of ${Object.keys(CALL_ID_TYPES).join(', ')}`);
  return 'format';
}

/** SIPp compat (3.7): -mp alone (a valid port, not 0) sets -min_rtp_port; undefined: -min_rtp_port's own value. */
function rtpRangeStart(min: unknown, mp: unknown): number | undefined {
  if (min !== undefined || typeof mp !== 'string' || !/^\d+$/.test(mp.trim())) return undefined;
  const port = Number(mp);
  return port >= 1 && port <= 65535 ? port : undefined;
}
