/** RunConfig + compiled scenario → the engine's own configuration. */
import { InjectionStore } from '../data/injection.js';
import type { EngineConfig } from '../engine/config.js';
import { existsSync, readFileSync } from 'node:fs';
import type { NetConfig } from '../engine/run.js';
import { SiptsError } from '../errors.js';
import { shareOf, shareRange, type Share } from '../load/share.js';
import type { TlsFiles } from '../transport/stream.js';
import { StepKind, type CompiledScenario } from '../scenario/compile.js';
import type { RunConfig } from './config.js';
import { messageOf } from '../thrown.js';

/** RFC 3261 §16.6: timer C is greater than 3 minutes. */
const TIMER_C_MS = 181_000;

export function engineConfig(
  c: RunConfig,
  scenario: CompiledScenario,
  remote: EngineConfig['remote'],
  pid: number,
  injection: EngineConfig['injection'] = new InjectionStore([]),
): EngineConfig {
  return {
    scenario: withDefaultLoss(scenario, c.lostPercent),
    remote,
    pid,
    injection,
    tdm: c.tdm,
    // --segment: this process's shares (load/share.ts); -workers splits them again (workers-run.ts).
    load: {
      rate: c.rate,
      periodMs: c.ratePeriodMs,
      limit: shareOf(c.limit, c.segment),
      maxCalls: shareOf(c.maxCalls, c.segment),
      users: shareOf(c.users, c.segment),
      ramp: c.ramp,
      share: c.segment.of > 1 ? c.segment : undefined,
    },
    settings: {
      defaultPauseMs: c.defaultPauseMs,
      recvTimeoutMs: c.recvTimeoutMs,
      t2Ms: c.t2Ms,
      retransmissions: c.retransmissions,
      provisionalTimeoutMs: TIMER_C_MS,
      maxInviteRetrans: c.maxInviteRetrans,
      maxNonInviteRetrans: c.maxNonInviteRetrans,
      behaviors: c.behaviors,
      autoAnswer: c.autoAnswer,
      pauseMsgIgnore: c.pauseMsgIgnore,
      looseRetransCheck: c.looseRetransCheck,
      sendTimeoutMs: c.sendTimeoutMs,
    },
    baseCseq: c.baseCseq,
    deadcallWaitMs: c.deadcallWaitMs,
    globalTimeoutMs: c.timeoutMs,
    timerResolutionMs: c.timerResolutionMs,
    callIdHost: c.localIp.includes(':') ? `[${c.localIp}]` : c.localIp,
    ipField: c.ipField,
    extendedTwin: c.twin?.kind === 'extended',
    callIdFormat: c.callIdFormat,
    callIdType: c.callIdType,
    dynamicId: c.dynamicId,
    callIdSlashIgnore: c.callIdSlashIgnore,
    watchdog: c.watchdog,
    // --segment: its own slice of the RTP port range (segments of one run may share a host).
    media: { ip: c.mediaIp, mediaPort: c.mediaPort, ...c.media, ...mediaRange(c.media.minPort, c.media.maxPort, c.segment) },
  };
}

/** -lost: the loss of every <send> and <recv> without its own lost= (SIPp compat: lost= wins, even lost="0"). */
function withDefaultLoss(scenario: CompiledScenario, percent: number): CompiledScenario {
  if (percent <= 0) return scenario;
  return {
    ...scenario,
    steps: scenario.steps.map((s) =>
      s.lostPercent < 0 && (s.kind === StepKind.Send || s.kind === StepKind.Recv) ? { ...s, lostPercent: percent } : s,
    ),
  };
}

/**
 * RunConfig → the sockets of a run: -i, -p (or the ports given), -t, -buff_size, the reconnection options,
 * and for TLS the -tls_* files, read here. `serverMode`: the run answers calls, so it needs its own
 * certificate; a TLS client without one goes on without presenting any.
 */
export function netConfig(c: RunConfig, ports: readonly number[] = c.localPorts, serverMode = false): NetConfig {
  const secure = c.transport === 'TLS' || c.transport === 'WSS';
  return {
    transport: c.transport,
    bindAddress: c.bindAddress,
    ports,
    perCallSocket: c.perCallSocket,
    socketBufferBytes: c.socketBufferBytes,
    maxReconnect: c.maxReconnect,
    reconnectClose: c.reconnectClose,
    reconnectSleepMs: c.reconnectSleepMs,
    maxSocket: c.maxSocket,
    tls: secure ? readTlsFiles(c.tls, serverMode) : undefined,
  };
}

const MAKE_PAIR = 'openssl req -x509 -newkey rsa:2048 -nodes -keyout cakey.pem -out cacert.pem -days 365 -subj /CN=sipts';

function readTlsFiles(t: RunConfig['tls'], required: boolean): TlsFiles {
  const problems: string[] = [];
  const read = (option: string, path: string | undefined, needed: boolean): Buffer | undefined => {
    if (path === undefined) return undefined;
    if (!existsSync(path)) {
      if (needed) problems.push(`-${option} ${path}: no such file`);
      return undefined;
    }
    try {
      return readFileSync(path);
    } catch (e) {
      problems.push(`-${option} ${path}: ${messageOf(e)}`);
      return undefined;
    }
  };
  const cert = read('tls_cert', t.cert, required);
  const key = read('tls_key', t.key, required);
  const ca = read('tls_ca', t.ca, true);
  const crl = read('tls_crl', t.crl, true);
  if (problems.length > 0) {
    throw new SiptsError(
      'TLS_FILES',
      `TLS: ${problems.join('; ')}`,
      `give the certificate and key with -tls_cert and -tls_key, or make a self-signed pair here: ${MAKE_PAIR}`,
    );
  }
  return { cert, key, ca, crl, version: t.version === undefined ? undefined : (`TLSv${t.version}` as TlsFiles['version']) };
}

/**
 * The ports engine `share` of the run tries: -p + its part's index when -p was given (SIPp compat: the run's
 * first port is -p; the segments and workers of one run on one host must not collide), else any free port.
 */
export function sharePorts(c: RunConfig, index: number): readonly number[] {
  const first = c.localPorts[0];
  return c.localPorts.length === 1 && first !== undefined && first > 0 ? [first + index] : [0];
}

/** A part's slice of the RTP port range (load/share.ts), as the media config names it. */
export function mediaRange(min: number, max: number, share: Share): { minPort: number; maxPort: number } {
  const r = shareRange(min, max, share);
  return { minPort: r.min, maxPort: r.max };
}
