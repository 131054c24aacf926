/**
 * A worker thread of a -workers run (started by workers/pool.ts): it compiles the scenario and reads the
 * injection files itself (a compiled scenario holds functions, which cannot cross threads), opens its own
 * socket and runs its share of the run (load/share.ts) until the main thread stops it or its calls are done.
 */
import { spawn } from 'node:child_process';
import * as workerThreads from 'node:worker_threads';
import { parentPort } from 'node:worker_threads';
import { startEngine, startEngineOn } from '../engine/run.js';
import { SiptsError } from '../errors.js';
import { ConnectError } from '../transport/stream.js';
import { BindError } from '../transport/transport.js';
import type { FromWorker, Port, ToWorker } from '../workers/protocol.js';
import { RingTransport } from '../workers/ring-transport.js';
import { serveRun } from '../workers/serve.js';
import { TraceForward } from '../workers/trace-forward.js';
import type { WorkerData } from './workers-run.js';
import { engineConfig, mediaRange, netConfig } from './engine-config.js';
import { loadInjection, loadOutOfCall, loadReceive, loadScenario, templateEnv } from './scenario-input.js';

async function work(port: Port<ToWorker, FromWorker>, d: WorkerData): Promise<void> {
  const { config, pid, share } = d;
  try {
    const env = templateEnv(config, pid);
    const scenario = loadScenario(config, env);
    const outOfCall = loadOutOfCall(config, env, scenario);
    const receive = loadReceive(config, env, scenario);
    const injection = loadInjection(config, scenario);
    const base = engineConfig(config, scenario, d.remote, pid, injection);
    const sharedCreated = d.createdCount === undefined ? undefined : new Int32Array(d.createdCount);
    // Its own slice of the media port range (its part of the segment's, load/share.ts), as its own SIP port.
    const media =
      base.media === undefined ? undefined : { ...base.media, ...mediaRange(config.media.minPort, config.media.maxPort, share) };
    const engineConf = { ...base, media, load: { ...base.load, ...d.load, share, sharedCreated }, outOfCall, receive, sendTo: d.sendTo };
    // The traces on in the main thread, which writes their files: events go there in batches (trace-forward.ts).
    const traces = new TraceForward((events) => {
      port.postMessage({ type: 'traces', events });
    }, d.traces);
    const hooks = {
      trace: traces.sink,
      // <log> goes to -trace_logs (dropped here when it is off); <warning> and <error> are shown by the main thread.
      log: (level: 'log' | 'warning' | 'error', text: string) => {
        if (level === 'log') traces.log(text);
        else port.postMessage({ type: 'log', level, text });
      },
      exec: (command: string) => {
        spawn('/bin/sh', ['-c', command], { stdio: 'ignore', detached: true }).unref();
      },
      stop: (how: 'gracefully' | 'now') => {
        port.postMessage({ type: 'stop', how });
      },
    };
    // An answering run: no socket here, the I/O thread's rings (workers/handoff.ts).
    const rings = d.rings;
    const { engine, localPort } =
      rings === undefined
        ? await startEngine(engineConf, netConfig(config, d.ports, false), hooks)
        : startEngineOn(engineConf, (handler) => new RingTransport(rings, handler), hooks);
    serveRun(engine, localPort, port, traces);
  } catch (e) {
    if (e instanceof BindError)
      port.postMessage({ type: 'failed', failure: { kind: 'bind', message: e.message, address: e.address, port: e.port } });
    else if (e instanceof ConnectError) port.postMessage({ type: 'failed', failure: { kind: 'connect', message: e.message } });
    else if (e instanceof SiptsError) port.postMessage({ type: 'failed', failure: { kind: 'other', message: e.message, hint: e.hint } });
    else port.postMessage({ type: 'failed', failure: { kind: 'other', message: e instanceof Error ? (e.stack ?? e.message) : String(e) } });
  }
}

/** What workers-run.ts gives each worker, told from anything else (workerData arrives untyped). */
function isWorkerData(d: unknown): d is WorkerData {
  return typeof d === 'object' && d !== null && 'config' in d && 'share' in d && 'pid' in d && typeof d.pid === 'number';
}

/** workerData as what it is here: unknown until isWorkerData narrows it (Node's declarations leave it untyped). */
const threads: { readonly workerData: unknown } = workerThreads;

if (parentPort !== null) {
  const data = threads.workerData;
  if (isWorkerData(data)) void work(parentPort, data);
  else parentPort.postMessage({ type: 'failed', failure: { kind: 'other', message: 'worker started without its run (workerData)' } });
}
