/**
 * Issue 5, done-when 4: memory stays flat on a long run. A sipts UAC engine in this process places calls at a
 * steady rate against a UAS (SIPp's when installed); every 10 s, after a full GC, the heap, the open calls
 * and the tombstones are sampled. The heap at the end must be within 10% of the heap at minute one.
 *   node --expose-gc dist/bench/soak.js [minutes=10] [rate=500]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from '../src/cli/config.js';
import { engineConfig, netConfig } from '../src/cli/engine-config.js';
import { loadScenario, templateEnv } from '../src/cli/scenario-input.js';
import { startEngine } from '../src/engine/run.js';
import { sippInstalled, startUas } from './peers.js';

export interface SoakResult {
  readonly minutes: number;
  readonly rate: number;
  readonly calls: number;
  readonly failed: number;
  readonly heapAtMinuteOneMb: number;
  readonly heapAtEndMb: number;
  readonly ratio: number;
  readonly samples: readonly { readonly s: number; readonly heapMb: number; readonly open: number; readonly dead: number }[];
}

export async function soak(minutes: number, rate: number, log: (s: string) => void): Promise<SoakResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const dir = mkdtempSync(join(tmpdir(), 'sipts-soak-'));
  const peer = await startUas(sippInstalled() ? 'sipp' : 'sipts', dir);
  const config = buildConfig({ sn: 'uac', i: '127.0.0.1', p: '0', r: String(rate) }, [`127.0.0.1:${peer.port}`]);
  const scenario = loadScenario(config, templateEnv(config, process.pid));
  const { engine } = await startEngine(
    engineConfig(config, scenario, { address: '127.0.0.1', port: peer.port }, process.pid),
    netConfig(config),
  );
  const samples: { s: number; heapMb: number; open: number; dead: number }[] = [];
  const started = Date.now();
  try {
    while (Date.now() - started < minutes * 60_000) {
      await new Promise((r) => setTimeout(r, 10_000));
      gc();
      const s = {
        s: Math.round((Date.now() - started) / 1000),
        heapMb: process.memoryUsage().heapUsed / 2 ** 20,
        open: engine.openCalls,
        dead: engine.deadCalls,
      };
      samples.push(s);
      const c = engine.snapshot().counters;
      log(
        `  ${String(s.s).padStart(4)} s  heap ${s.heapMb.toFixed(1)} MiB  open ${s.open}  tombstones ${s.dead}  calls ${c.CallsCreated}  failed ${c.FailedCalls}`,
      );
    }
  } finally {
    engine.stopGracefully();
    await engine.done;
    peer.stop();
  }
  const atOne = samples.find((x) => x.s >= 60) ?? samples[0];
  const last = samples[samples.length - 1];
  const c = engine.snapshot().counters;
  const heapAtMinuteOneMb = atOne?.heapMb ?? Number.NaN,
    heapAtEndMb = last?.heapMb ?? Number.NaN;
  return {
    minutes,
    rate,
    calls: c.CallsCreated,
    failed: c.FailedCalls,
    heapAtMinuteOneMb,
    heapAtEndMb,
    ratio: heapAtEndMb / heapAtMinuteOneMb,
    samples,
  };
}

if (process.argv[1]?.endsWith('soak.js') === true) {
  const minutes = Number(process.argv[2] ?? 10),
    rate = Number(process.argv[3] ?? 500);
  const log = (s: string): void => {
    process.stderr.write(`${s}\n`);
  };
  log(`Soak: sipts uac at ${rate} calls/s for ${minutes} min`);
  const r = await soak(minutes, rate, log);
  log(
    `heap at minute one ${r.heapAtMinuteOneMb.toFixed(1)} MiB, at the end ${r.heapAtEndMb.toFixed(1)} MiB: x${r.ratio.toFixed(3)} (${r.ratio <= 1.1 ? 'within' : 'NOT within'} 10%); ${r.calls} calls, ${r.failed} failed`,
  );
  process.stdout.write(`${JSON.stringify({ ...r, samples: undefined }, null, 2)}\n`);
  // The soak's claim is the bound: a heap that grew past it, or a failed call, fails the run.
  if (!(r.ratio <= 1.1) || r.failed > 0) process.exitCode = 1;
}
