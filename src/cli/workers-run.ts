/**
 * -workers N: the run split over N worker threads (workers/pool.ts; each runs cli/worker-main.ts), shown to the
 * rest of the CLI as one RunControl. Each worker gets its share (load/share.ts) of -m, -l and -users, the run's
 * rate (its scheduler starts its stripe of the arrivals), its own local port and its own ids.
 */
import type { EngineConfig } from '../engine/config.js';
import { drainMs } from '../engine/drain.js';
import type { RunControl } from '../engine/run-control.js';
import { SiptsError } from '../errors.js';
import { nestShare, shareOf, type Share } from '../load/share.js';
import type { SchedulerOptions } from '../load/scheduler.js';
import type { CompiledScenario } from '../scenario/compile.js';
import { ConnectError } from '../transport/stream.js';
import { BindError } from '../transport/transport.js';
import type { TraceEvent, TraceMethod } from '../events/trace.js';
import { rtpTotalsOf } from '../engine/media-tally.js';
import { openEchoes } from '../engine/media-runtime.js';
import type { RtpEcho } from '../media/rtp-echo.js';
import { encodeHistogram, newHistogram } from '../stats/histogram.js';
import type { RtpExport } from '../stats/rtp.js';
import { UdpHandoff, type HandoffFigures } from '../workers/handoff.js';
import { startPool, WorkerStartError } from '../workers/pool.js';
import type { WorkerRings } from '../workers/ring-transport.js';
import type { RunConfig } from './config.js';
import { engineConfig, sharePorts } from './engine-config.js';
import { asError } from '../thrown.js';

/** What worker k is given (structured-cloned into its thread). */
export interface WorkerData {
  readonly config: RunConfig;
  readonly pid: number;
  readonly share: Share;
  /** Its shares of the load. */
  readonly load: Pick<SchedulerOptions, 'limit' | 'maxCalls' | 'users'>;
  readonly remote: EngineConfig['remote'];
  readonly sendTo: EngineConfig['sendTo'];
  readonly ports: readonly number[];
  /** An answering run: the worker's rings to the I/O thread, which owns the one socket (workers/handoff.ts). */
  readonly rings?: WorkerRings | undefined;
  /** An answering run: the count of calls created, shared by the workers (-m is the whole run's, see Scheduler). */
  readonly createdCount?: SharedArrayBuffer | undefined;
  /** The trace methods on at the start (the main thread writes the files: workers/trace-forward.ts). */
  readonly traces: readonly TraceMethod[];
}

/** The run's traces as the workers see them: what they trace is written here. */
export interface WorkerTraces {
  readonly replay: (events: readonly TraceEvent[]) => void;
  readonly on: () => TraceMethod[];
}

/** Why this run cannot be split over workers yet; undefined when it can. */
export function workersRefusal(config: RunConfig, scenario: CompiledScenario): string | undefined {
  if (scenario.serverMode) {
    const what = `-workers ${config.workers}: scenario "${scenario.name}" answers calls`;
    if (config.transport !== 'UDP' || config.perCallSocket)
      return `${what}: answering from several workers (datagrams handed over by Call-ID) works over UDP with one socket (-t u1) only`;
  }
  if (config.twin !== undefined || scenario.twin.commandCreatesCalls)
    return `-workers ${config.workers}: 3PCC scenarios (-3pcc, -master, -slave) are not supported with -workers yet`;
  return undefined;
}

export async function startWorkers(
  config: RunConfig,
  scenario: CompiledScenario,
  remote: EngineConfig['remote'],
  sendTo: EngineConfig['sendTo'],
  pid: number,
  log: (level: 'log' | 'warning' | 'error', text: string) => void,
  traces: WorkerTraces,
): Promise<{ engine: RunControl; localPort: number; localPorts: number[]; handoff?: () => HandoffFigures }> {
  const refusal = workersRefusal(config, scenario);
  if (refusal !== undefined) throw new SiptsError('WORKERS_NOT_SUPPORTED', refusal, 'run it with -workers 1 (or without -workers)');
  const settings = engineConfig(config, scenario, remote, pid).settings;
  // An answering run: one socket, here, whose datagrams go to the workers by Call-ID (BindError here: exit 254).
  const handoff = scenario.serverMode
    ? await UdpHandoff.open(config.bindAddress, config.localPorts, config.socketBufferBytes, config.workers)
    : undefined;
  const createdCount = handoff === undefined ? undefined : new SharedArrayBuffer(4);
  // -rtp_echo binds -mp and -mp + 2 once for the run: here, not in each worker (BindError: exit 254, as one engine).
  let echoes: RtpEcho[] = [];
  if (config.media.echo) {
    try {
      echoes = await openEchoes({ ip: config.mediaIp, mediaPort: config.mediaPort, ...config.media });
    } catch (e) {
      handoff?.close();
      throw new BindError(config.mediaIp, config.mediaPort, asError(e), 'UDP (RTP echo)');
    }
  }
  const workerConfig: RunConfig = echoes.length === 0 ? config : { ...config, media: { ...config.media, echo: false } };
  const closeEchoes = (): void => {
    for (const e of echoes) e.close();
  };
  try {
    const { control, localPorts } = await startPool({
      entry: new URL('./worker-main.js', import.meta.url),
      parts: config.workers,
      drainMs: drainMs(scenario, settings),
      log,
      traces,
      rtpTotals: rtpTotalsOf,
      mainRtp: echoes.length === 0 ? undefined : () => echoOnly(echoes.reduce((n, e) => n + e.packets, 0)),
      data: (worker): WorkerData => {
        // --segment: worker k of this segment is part I + kN of the whole run (load/share.ts: nestShare).
        const share = nestShare(config.segment, worker);
        return {
          config: workerConfig,
          pid,
          share,
          remote,
          sendTo,
          ports: sharePorts(config, share.index),
          rings: handoff?.rings[worker.index],
          createdCount,
          traces: traces.on(),
          load: {
            maxCalls: createdCount === undefined ? shareOf(config.maxCalls, share) : shareOf(config.maxCalls, config.segment),
            users: shareOf(config.users, share),
            limit: shareOf(config.limit, share),
          },
        };
      },
    });
    void control.done.then(closeEchoes);
    if (handoff === undefined) return { engine: control, localPort: localPorts[0] ?? 0, localPorts };
    void control.done.then(() => {
      handoff.close();
    });
    return { engine: control, localPort: handoff.localPort, localPorts: [], handoff: () => handoff.figures() };
  } catch (e) {
    handoff?.close();
    closeEchoes();
    if (!(e instanceof WorkerStartError)) throw e;
    const f = e.failure;
    if (f.kind === 'bind')
      throw new BindError(
        f.address ?? config.bindAddress,
        f.port ?? 0,
        new Error(f.message.replace(/^cannot bind [^:]+:\d+: /, '')),
        config.transport,
      );
    if (f.kind === 'connect') throw new ConnectError(remote?.address ?? '', remote?.port ?? 0, config.transport, f.message);
    throw new SiptsError('WORKER_FAILED', f.message, f.hint ?? 'run with -workers 1 to see the error of a single engine');
  }
}

/** The RTP figures of -rtp_echo's sockets alone: what they sent back. */
function echoOnly(echoed: number): RtpExport {
  const empty = encodeHistogram(newHistogram());
  return {
    packetsSent: 0,
    packetsReceived: 0,
    packetsExpected: 0,
    packetsLost: 0,
    echoed,
    errors: 0,
    srtpSent: 0,
    srtpAuthFailures: 0,
    jitter: empty,
    lateness: empty,
  };
}
