/**
 * Feeds the saturation watch once a second: the event loop's delay (perf_hooks), the thread's CPU time, the
 * kernel's receive drops (proc-net.ts) and how far behind its schedule the engine is. One timer, a few reads a
 * second: nothing on the hot path. The readings are behind SaturationProbes, and the timer and clock behind
 * SampleClock, so tests can fake them.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { RunControl } from '../engine/run-control.js';
import { SaturationWatch, type SaturationKind, type SaturationReport, type SaturationThresholds } from '../stats/saturation.js';
import { dropCounter, parseThreadCpuMs, REAL_PROC, type DropCounter, type ProcFiles } from './proc-net.js';

export interface SaturationProbes {
  /** p99 of the event loop's delay since the previous call (ms); starts a new window. */
  loopDelayP99Ms(): number | undefined;
  /** CPU time the thread has used so far (ms). */
  cpuMs(): number | undefined;
  readonly drops: DropCounter;
  /** Stops what the probes started. */
  close(): void;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- NodeJS.Process is only reached through its namespace
  namespace NodeJS {
    interface Process {
      /** Node ≥ 23.9 (not in @types/node 20, which this project pins for Node 20): optional, as older Nodes lack it. */
      threadCpuUsage?: () => CpuUsage;
    }
  }
}

/**
 * The timer that measures the loop's delay wakes this often (ms): fine enough for a p99 per second that
 * means something, coarse enough to cost nothing (Node's default is 10 ms).
 */
const LOOP_RESOLUTION_MS = 20;

/**
 * This thread's CPU time (ms): process.threadCpuUsage (Node ≥ 23.9) counts this thread alone; before it, Linux's
 * /proc/thread-self/stat does (in ticks of 10 ms); elsewhere the whole process's, which Node's helper threads
 * (garbage collection, file system) can push past one core.
 */
export function threadCpuMs(proc: ProcFiles = REAL_PROC): () => number {
  const viaNode = process.threadCpuUsage;
  if (viaNode !== undefined)
    return () => {
      const u = viaNode.call(process);
      return (u.user + u.system) / 1000;
    };
  const read = (): number | undefined => {
    const t = proc.read('/proc/thread-self/stat');
    return t === undefined ? undefined : parseThreadCpuMs(t);
  };
  if (read() !== undefined) return () => read() ?? 0;
  return () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
}

export function systemProbes(drops: DropCounter): SaturationProbes {
  const h = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  h.enable();
  return {
    loopDelayP99Ms: () => {
      // The histogram holds the time between the timer's wake-ups (ns): the delay is what passes its resolution.
      const v = h.count === 0 ? 0 : h.percentile(99) / 1e6;
      h.reset();
      return Math.max(0, v - LOOP_RESOLUTION_MS);
    },
    cpuMs: threadCpuMs(),
    drops,
    close: () => {
      h.disable();
    },
  };
}

/** The sampling timer and the clock that measures each window. */
export interface SampleClock {
  /** Calls `fn` every `ms`; returns what stops it. */
  every(ms: number, fn: () => void): () => void;
  /** A monotonic time in ms. */
  now(): number;
}

const REAL_CLOCK: SampleClock = {
  every: (ms, fn) => {
    const t = setInterval(fn, ms);
    t.unref();
    return () => {
      clearInterval(t);
    };
  },
  now: () => performance.now(),
};

export interface SaturationRun {
  report(): SaturationReport;
  stop(): void;
}

const SAMPLE_MS = 1000;

/**
 * Samples every second until stop(). `behindMs` reads the engine's lateness (RunControl.behindScheduleMs),
 * `elapsedMs` the run's time; `onCross` hears of each signal as it first crosses its threshold.
 */
export function watchSaturation(
  probes: SaturationProbes,
  behindMs: () => number,
  elapsedMs: () => number,
  onCross: (report: SaturationReport, kinds: readonly SaturationKind[]) => void,
  thresholds?: SaturationThresholds,
  clock: SampleClock = REAL_CLOCK,
): SaturationRun {
  const watch = new SaturationWatch(probes.drops.scope, thresholds);
  let lastWall = clock.now();
  let lastCpu = probes.cpuMs();
  probes.loopDelayP99Ms();
  const stop = clock.every(SAMPLE_MS, () => {
    const wall = clock.now();
    const cpu = probes.cpuMs();
    const crossed = watch.sample({
      atMs: elapsedMs(),
      windowMs: wall - lastWall,
      loopDelayP99Ms: probes.loopDelayP99Ms(),
      behindMs: behindMs(),
      cpuMs: cpu === undefined || lastCpu === undefined ? undefined : cpu - lastCpu,
      drops: probes.drops.read(),
    });
    lastWall = wall;
    lastCpu = cpu;
    if (crossed.length > 0) onCross(watch.report(), crossed);
  });
  return {
    report: () => watch.report(),
    stop: () => {
      stop();
      probes.close();
    },
  };
}

/**
 * The watch over a running engine. Drops are counted where the kernel can have any: UDP. With a socket per call
 * (-t un) the sockets are not known in advance, so the count is the system's; over TCP, TLS and WebSocket the
 * kernel holds data back (flow control) instead of dropping it, and there is no count.
 */
export function watchEngine(
  engine: RunControl,
  udp: boolean,
  perCallSocket: boolean,
  localPort: number,
  onCross: (report: SaturationReport) => void,
): SaturationRun {
  const drops: DropCounter = !udp ? { scope: 'unavailable', read: () => undefined } : dropCounter(perCallSocket ? [] : [localPort]);
  const startMs = performance.now() - engine.snapshot().elapsedMs;
  return watchSaturation(
    systemProbes(drops),
    () => engine.behindScheduleMs(),
    () => performance.now() - startMs,
    (r) => {
      onCross(r);
    },
  );
}
