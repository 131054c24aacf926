/**
 * `npm start`: a short loopback run with nothing to set up — a sipts UAS and a sipts UAC in one process,
 * over real UDP on 127.0.0.1, with live statistics and the summary.
 */
import { startEngine } from '../engine/run.js';
import { startLive, type LiveOutput } from '../report/live.js';
import { formatSummary } from '../report/summary.js';
import type { RunConfig } from './config.js';
import { engineConfig, netConfig } from './engine-config.js';
import { exitCodeFor } from './exit-codes.js';
import { liveSource } from './live-source.js';
import { loadScenario, templateEnv } from './scenario-input.js';

export async function runDemo(base: RunConfig, out: LiveOutput, pid: number): Promise<number> {
  const local = '127.0.0.1';
  const uasConfig: RunConfig = {
    ...base,
    scenario: { kind: 'builtin', name: 'uas' },
    localIp: local,
    mediaIp: local,
    bindAddress: local,
    maxCalls: 0,
    perCallSocket: false,
  };
  const uasScenario = loadScenario(uasConfig, templateEnv(uasConfig, pid));
  const uas = await startEngine(engineConfig(uasConfig, uasScenario, undefined, pid), netConfig(uasConfig, [0]));

  // Defaults for the demo unless the user set them: 500 calls at 100 calls/s, each held 1 s.
  const uacConfig: RunConfig = {
    ...base,
    scenario: base.scenario ?? { kind: 'builtin', name: 'uac' },
    localIp: local,
    mediaIp: local,
    bindAddress: local,
    maxCalls: base.maxCalls > 0 ? base.maxCalls : 500,
    rate: base.rate !== 10 ? base.rate : 100,
    defaultPauseMs: base.defaultPauseMs > 0 ? base.defaultPauseMs : 1000,
  };
  const uacScenario = loadScenario(uacConfig, templateEnv(uacConfig, pid));
  const uac = await startEngine(
    engineConfig(uacConfig, uacScenario, { address: local, port: uas.localPort }, pid),
    netConfig(uacConfig, [0]),
  );
  out.write(
    `sipts demo: ${uacConfig.maxCalls} calls at ${uacConfig.rate}/s from ${local}:${uac.localPort} to a sipts UAS on ${local}:${uas.localPort}\n`,
  );

  const live = startLive(
    liveSource(uac.engine, uacScenario, uacConfig.ratePeriodMs, `${local}:${uac.localPort}`, `${local}:${uas.localPort}`),
    out,
    1000,
  );
  await uac.engine.done;
  live.stop();
  const snap = uac.engine.snapshot();
  uas.engine.stopGracefully();
  await uas.engine.done;
  out.write(`${formatSummary(snap, uacScenario, 'sipts demo (UAC side)')}\n`);
  const u = uas.engine.snapshot().counters;
  out.write(`UAS side: ${u.CallsCreated} calls answered, ${u.SuccessfulCalls} successful, ${u.FailedCalls} failed.\n`);
  return exitCodeFor(snap, false);
}
