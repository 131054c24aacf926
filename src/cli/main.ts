/** Entry point: the only module that reads process.* and sets the exit code. */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { CommanderError } from 'commander';
import type { RunControl } from '../engine/run-control.js';
import type { StatsSnapshot } from '../stats/stats.js';
import type { CompiledScenario } from '../scenario/compile.js';
import type { SideRun } from '../report/json.js';
import { startEngine } from '../engine/run.js';
import { DiagnosticsError, formatDiagnostic, SiptsError } from '../errors.js';
import { VERSION } from '../version.js';
import { startLive } from '../report/live.js';
import { anyThreshold, judge } from '../report/thresholds.js';
import { formatSummary } from '../report/summary.js';
import { formatSaturation, saturationAlert } from '../report/saturation.js';
import { builtinNames, readBuiltin } from '../scenario/builtin.js';
import { ConnectError } from '../transport/stream.js';
import { BindError } from '../transport/transport.js';
import { TwinConnectError, type TwinPlan } from '../transport/twin.js';
import { rewriteArgv, userSpelling } from './argv.js';
import { buildConfig, ConfigErrors, type RawOptions, type RunConfig } from './config.js';
import { runDemo } from './demo.js';
import { EXIT, exitCodeFor, timeoutExitCode } from './exit-codes.js';
import { openControlPort } from './control-port.js';
import { startKeyboard } from './keyboard.js';
import type { KeyTarget } from './keys.js';
import { liveSource } from './live-source.js';
import { openTraces, RunReports } from './run-reports.js';
import { buildProgram } from './program.js';
import { engineConfig, netConfig, sharePorts } from './engine-config.js';
import { loadInjection, loadOutOfCall, loadReceive, loadScenario, scenarioSha256, templateEnv } from './scenario-input.js';
import { outlineOf, SEGMENT_FORMAT, type SegmentRecord, type SideRecord } from '../report/segment-record.js';
import { twinPlan } from './twin-plan.js';
import type { HandoffFigures } from '../workers/handoff.js';
import { startWorkers } from './workers-run.js';
import { methodsOn } from '../workers/trace-forward.js';
import { watchEngine } from './saturation-probe.js';
import { runMerge } from './merge-command.js';
import { k8sMain } from './k8s-command.js';
import { messageOf } from '../thrown.js';

const err = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
/** isTTY is undefined, not false, when the stream is a pipe or a file, though Node's types say boolean. */
const isTty = (stream: { readonly isTTY?: boolean }): boolean => stream.isTTY === true;

async function main(argv: readonly string[]): Promise<number> {
  // `sipts merge FILE...`: the segments' --json files into one run (merge-command.ts).
  if (argv[0] === 'merge') return runMerge(argv.slice(1), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
  // A command word first, as no SIPp option or host is spelled (a host named k8s: give its address).
  if (argv[0] === 'k8s') return k8sMain(argv.slice(1));
  const program = buildProgram(VERSION);
  program.configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined });
  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  } // SIPp compat: no arguments prints the usage
  try {
    program.parse(rewriteArgv(argv), { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      err(`sipts: ${commanderMessage(e)}`);
      return EXIT.FATAL;
    }
    throw e;
  }
  // Commander stores --max-failed as maxFailed: read every option back under its table name.
  const opts = program.opts<Record<string, string | boolean | string[] | undefined>>();
  const raw: RawOptions = Object.fromEntries(program.options.map((o) => [(o.long ?? '').replace(/^--/, ''), opts[o.attributeName()]]));
  if (raw['v'] === true) {
    process.stdout.write(`sipts v${VERSION} (SIPp-compatible command line)\n`);
    return 0;
  }
  if (typeof raw['sd'] === 'string') {
    const b = readBuiltin(raw['sd']);
    if (b === undefined) {
      err(`sipts: -sd ${raw['sd']}: no such built-in scenario (built-in scenarios: ${builtinNames().join(', ')})`);
      return EXIT.FATAL;
    }
    process.stdout.write(b.source);
    return 0;
  }
  let config: RunConfig;
  try {
    config = buildConfig(raw, program.args, process.pid, process.env);
  } catch (e) {
    if (e instanceof ConfigErrors) {
      for (const p of e.problems) err(`sipts: ${p}`);
      return EXIT.FATAL;
    }
    throw e;
  }
  for (const w of config.warnings) err(`sipts: warning: ${w}`);
  if (config.background) return background(argv);
  if (raw['demo'] === true) return runDemo(config, { isTTY: isTty(process.stdout), write: (s) => process.stdout.write(s) }, process.pid);
  return run(config);
}

async function run(config: RunConfig): Promise<number> {
  const scenario = loadScenario(config, templateEnv(config, process.pid));
  // Warnings name what the file holds only for SIPp's sake; the run goes on.
  for (const w of scenario.warnings) err(formatDiagnostic(w));
  const outOfCall = loadOutOfCall(config, templateEnv(config, process.pid), scenario);
  const receive = loadReceive(config, templateEnv(config, process.pid), scenario);
  if (receive !== undefined && outOfCall !== undefined)
    err(
      'sipts: warning: -oocsf/-oocsn with -rxsf/-rxsn: every request of an unknown Call-ID goes to the receive scenario, so the out-of-call one never runs (SIPp does the same)',
    );
  const injection = loadInjection(config, scenario);
  let remote: { address: string; port: number } | undefined;
  if (config.remote !== undefined) {
    remote = { address: await resolveHost(config.remote.host, 'remote host'), port: config.remote.port };
  }
  const sendTo = config.rsa === undefined ? undefined : { address: await resolveHost(config.rsa.host, '-rsa'), port: config.rsa.port };
  if (!scenario.serverMode && remote === undefined) {
    throw new SiptsError(
      'NO_REMOTE',
      `scenario "${scenario.name}" places calls but no remote host was given`,
      'add the remote host: sipts 127.0.0.1:5060 -sn uac',
    );
  }
  const twin = twinPlan(config.twin, scenario);
  // -sleep: SIPp waits once its options and scenario are read, before its sockets open.
  if (config.sleepMs > 0) await sleep(config.sleepMs);
  // --start-at: the segments of one run, started apart, place their first calls together.
  if (config.startAtMs !== undefined) {
    const waitMs = config.startAtMs - Date.now();
    const at = new Date(config.startAtMs).toISOString();
    if (waitMs > 0) {
      err(`sipts: waiting until ${at} (--start-at), ${(waitMs / 1000).toFixed(1)} s from now`);
      await sleep(waitMs);
    } else err(`sipts: warning: --start-at ${at} is ${(-waitMs / 1000).toFixed(1)} s past: starting now`);
  }
  const traces = openTraces(config, scenario);
  let engine: RunControl;
  let localPort: number;
  let workerPorts: number[] = [];
  let handoff: (() => HandoffFigures) | undefined;
  try {
    if (config.workers > 1)
      ({
        engine,
        localPort,
        localPorts: workerPorts,
        handoff,
      } = await startWorkers(config, scenario, remote, sendTo, process.pid, workerLog(traces), {
        replay: (events) => {
          traces.replay(events);
        },
        on: () => methodsOn(traces.sink, traces.isOn('logs')),
      }));
    else
      ({ engine, localPort } = await startEngine(
        { ...engineConfig(config, scenario, remote, process.pid, injection), outOfCall, receive, sendTo },
        netConfig(config, config.segment.of > 1 ? sharePorts(config, config.segment.index) : config.localPorts, scenario.serverMode),
        {
          trace: traces.sink,
          // <log> goes to -trace_logs; <warning> and <error> are shown, and traced with -trace_err.
          log: (level, text) => {
            if (level === 'log') {
              traces.log(text);
              return;
            }
            err(`sipts: ${level}: ${text}`);
            traces.logError(`${level}: ${text}`);
          },
          exec: (command) => {
            spawn('/bin/sh', ['-c', command], { stdio: 'ignore', detached: true }).unref();
          },
        },
        twin,
      ));
  } catch (e) {
    traces.close();
    if (e instanceof BindError) {
      err(`sipts: ${e.message}`);
      return EXIT.CANNOT_BIND;
    }
    if (e instanceof TwinConnectError) {
      err(
        `sipts: ${e.message}\n  hint: start the instances this one connects to first (with -3pcc: the twin whose first command is <recvCmd>; with -slave_cfg: the slaves, then the master)`,
      );
      return EXIT.FATAL;
    }
    if (e instanceof ConnectError) {
      err(`sipts: ${e.message}\n  hint: is the peer listening there on ${config.transport}? -t must name the peer's transport`);
      return EXIT.FATAL;
    }
    throw e;
  }
  const isTTY = isTty(process.stdout);
  const local = `${config.localIp.includes(':') ? `[${config.localIp}]` : config.localIp}:${localPort}`;
  const remoteName = remote === undefined ? undefined : `${remote.address}:${remote.port}`;
  err(
    `sipts: ${scenario.serverMode ? `answering on ${local}` : `calling ${remoteName ?? ''} from ${local}`}${sendTo === undefined ? '' : ` through ${sendTo.address}:${sendTo.port} (-rsa)`} with scenario "${scenario.name}"${twin === undefined ? '' : `, ${twinText(twin)}`}`,
  );
  if (config.segment.of > 1)
    err(
      `sipts: segment ${config.segment.index} of ${config.segment.of} (counted from 0): its share of -m, -l, -users, the rate and the injection lines`,
    );
  if (workerPorts.length > 1) err(`sipts: ${workerPorts.length} worker threads (-workers), on local ports ${workerPorts.join(', ')}`);
  if (handoff !== undefined)
    err(`sipts: ${config.workers} worker threads (-workers), each given the datagrams of its Call-IDs from this one socket`);
  // When sipts itself becomes the bottleneck, the screen or progress line says so at once (saturation-probe.ts).
  const saturation = watchEngine(engine, config.transport === 'UDP', config.perCallSocket, localPort, () => {
    live.refresh();
  });
  const screens = liveSource(engine, scenario, config.ratePeriodMs, local, remoteName, { ooc: outOfCall, rx: receive?.scenario }, () =>
    saturationAlert(saturation.report()),
  );
  const live = startLive(
    screens,
    isTTY ? { isTTY, write: (s) => process.stdout.write(s) } : { isTTY: false, write: (s) => process.stderr.write(s) },
    config.screenPeriodMs,
  );
  const reports = new RunReports(config, scenario, engine, traces, screens, () => saturation.report());
  try {
    const url = await reports.serveMetrics();
    if (url !== undefined) err(`sipts: Prometheus metrics on ${url}`);
  } catch (e) {
    err(
      `sipts: --prometheus ${config.prometheus?.host ?? ''}:${config.prometheus?.port ?? ''}: ${messageOf(e)} (no metrics served; the run goes on)`,
    );
  }
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals === 1) {
      const waitMs = engine.stopGracefully();
      err(`sipts: stopping: no new calls; open calls may end for ${waitMs / 1000} s, then are hung up (signal again to stop now)`);
    } else engine.stopNow();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // SIPp compat: USR1 is the q key (a soft stop; a second one stops now), USR2 dumps the screens to the screen
  // file. bin/sipts.js holds both from the start, so that Node neither opens its inspector nor dies on them.
  const onDump = (): void => {
    try {
      reports.dumpScreens();
    } catch (e) {
      err(`sipts: screen dump: ${messageOf(e)}`);
    }
  };
  process.on('SIGUSR1', onSignal);
  process.on('SIGUSR2', onDump);
  const keys: KeyTarget = {
    engine,
    selectScreen: (n: number) => live.select(n),
    quit: onSignal,
    dumpScreens: config.traces.screen === undefined ? undefined : onDump,
    state: { rateScale: config.rateScale },
    setDisplay: (which) => screens.display(which),
    variableNames: [
      scenario.varNames.filter((_n, i) => scenario.varGlobal[i] === true),
      scenario.varNames.filter((_n, i) => scenario.varUser[i] === true),
      scenario.varNames.filter((_n, i) => scenario.varGlobal[i] !== true && scenario.varUser[i] !== true),
    ],
    setTrace: (name, on) => {
      // SIPp compat: a trace already as asked is left as it is (its file is not made anew).
      if (traces.isOn(name) === on) return true;
      traces.set(name, on ? config.traceFiles[name] : undefined);
      engine.retrace();
      return true;
    },
  };
  const stopKeys = config.readKeys ? startKeyboard(keys, onSignal) : () => undefined;
  const control =
    config.controlPort > 0
      ? await openControlPort(config.controlIp ?? controlAddress(config.bindAddress), config.controlPort, keys, (t) => {
          err(`sipts: ${t}`);
          traces.logError(t);
        })
      : undefined;
  if (control !== undefined)
    err(
      `sipts: control port ${config.controlIp ?? controlAddress(config.bindAddress)}:${control.port} (udp: keys + - * / p s q Q 1-9, and SIPp's commands: cset rate|rate-scale|users|limit N, ctrace error|logs|messages on|off, cdump tasks|variables, creset stats)`,
    );
  const reason = await engine.done;
  saturation.stop();
  if (handoff !== undefined) err(handoffLine(handoff()));
  control?.close();
  stopKeys();
  live.stop();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGUSR1', onSignal);
  process.off('SIGUSR2', onDump);
  // The end-of-run screens are the main scenario's, whatever `set display` chose.
  screens.display('main');
  const snap = engine.snapshot();
  process.stdout.write(`${formatSummary(snap, scenario, `sipts ${reason === 'calls-done' ? 'finished' : reason}`)}\n`);
  const rxSnap = engine.receiveSnapshot();
  if (rxSnap !== undefined && receive !== undefined)
    process.stdout.write(`${formatSummary(rxSnap, receive.scenario, `receive scenario "${receive.scenario.name}" (-rxsf)`)}\n`);
  const saturated = saturation.report();
  process.stdout.write(`${formatSaturation(saturated)}\n`);
  const verdicts = judge(config.thresholds, snap);
  for (const v of verdicts) process.stdout.write(`threshold ${v.name}: ${v.value} (limit ${v.limit}) ${v.ok ? 'passed' : 'FAILED'}\n`);
  // SIPp compat: an overload the watchdog caught is a fatal error.
  const exitCode =
    reason === 'overload'
      ? EXIT.FATAL
      : anyThreshold(config.thresholds)
        ? verdicts.every((v) => v.ok)
          ? EXIT.ALL_SUCCEEDED
          : EXIT.THRESHOLD_FAILED
        : engine.stoppedByCommand
          ? EXIT.INTERNAL_COMMAND
          : receiveFailed(reason === 'timeout' ? timeoutExitCode(snap, config.timeoutError) : exitCodeFor(snap, false), rxSnap);
  // SIPp compat: its message when -timeout_error makes the timeout an error.
  if (reason === 'timeout' && config.timeoutError)
    err(`sipts: ${config.scenarioFileName} timed out after '${(config.timeoutMs / 1000).toFixed(3)}' seconds`);
  reports.close(
    snap,
    {
      version: VERSION,
      endReason: reason,
      exitCode,
      sides: sideRuns(engine, outOfCall, receive?.scenario),
      saturation: saturated,
      segment:
        config.jsonFile === undefined
          ? undefined
          : segmentRecord(config, engine, scenario, outOfCall, receive?.scenario, screens.startEpochMs),
      parameters: {
        remote: remoteName,
        rate: config.rate,
        ratePeriodMs: config.ratePeriodMs,
        limit: engine.status().limit,
        maxCalls: config.maxCalls,
        users: engine.status().users,
        durationMs: config.defaultPauseMs,
      },
    },
    verdicts,
  );
  return exitCode;
}

/** What `sipts merge` reads of this run (report/segment-record.ts), for the --json file. */
function segmentRecord(
  config: RunConfig,
  engine: RunControl,
  scenario: CompiledScenario,
  outOfCall: CompiledScenario | undefined,
  receive: CompiledScenario | undefined,
  startedAtMs: number,
): SegmentRecord {
  const stats = engine.statsExports();
  const sides: SideRecord[] = [];
  if (outOfCall !== undefined && stats.outOfCall !== undefined)
    sides.push({ role: 'outOfCall', outline: outlineOf(outOfCall), stats: stats.outOfCall });
  if (receive !== undefined && stats.receive !== undefined)
    sides.push({ role: 'receive', outline: outlineOf(receive), stats: stats.receive });
  return {
    format: SEGMENT_FORMAT,
    index: config.segment.index,
    of: config.segment.of,
    scenarioSha256: scenarioSha256(config),
    startedAtMs: Math.round(startedAtMs),
    endedAtMs: Date.now(),
    outline: outlineOf(scenario),
    stats: stats.main,
    sides,
    ...(stats.rtp === undefined ? {} : { rtp: stats.rtp }),
  };
}

/** What the I/O thread of a -workers answering run handed to each worker, and what it lost. */
function handoffLine(f: HandoffFigures): string {
  const lost = f.inboundDrops + f.outboundDrops + f.sendErrors;
  return `sipts: ${lost > 0 ? 'warning: ' : ''}datagrams handed to the workers: ${f.handed.join(', ')}; lost: ${f.inboundDrops} (a worker's ring full), ${f.outboundDrops} (sends, the I/O thread behind), ${f.sendErrors} (send errors)`;
}

/** A worker's <warning> and <error> are shown, as a single engine's are (its traces are refused with -workers). */
function workerLog(traces: ReturnType<typeof openTraces>): (level: 'log' | 'warning' | 'error', text: string) => void {
  return (level, text) => {
    if (level !== 'log') {
      err(`sipts: ${level}: ${text}`);
      traces.logError(`${level}: ${text}`);
    }
  };
}

/** The -oocsf and -rxsf scenarios' statistics, for the JSON report. */
function sideRuns(engine: RunControl, outOfCall: CompiledScenario | undefined, receive: CompiledScenario | undefined): SideRun[] {
  const runs: SideRun[] = [];
  const ooc = engine.outOfCallSnapshot();
  if (outOfCall !== undefined && ooc !== undefined) runs.push({ role: 'outOfCall', scenario: outOfCall, snapshot: ooc });
  const rx = engine.receiveSnapshot();
  if (receive !== undefined && rx !== undefined) runs.push({ role: 'receive', scenario: receive, snapshot: rx });
  return runs;
}

/** A run whose own calls all succeeded still fails when calls of its receive scenario (-rxsf) did not. */
function receiveFailed(code: number, rx: StatsSnapshot | undefined): number {
  if (code !== EXIT.ALL_SUCCEEDED || rx === undefined) return code;
  return rx.counters.FailedCalls > 0 || rx.counters.AbortedCalls > 0 ? EXIT.SOME_FAILED : code;
}

/** Where the 3PCC twin channel is, for the start-up line. */
function twinText(t: TwinPlan): string {
  const at = (a: { host: string; port: number }): string => `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
  if (t.kind === 'connect') return `3PCC twin at ${at(t.twin)}`;
  if (t.kind === 'listen') return `3PCC twin socket listening on ${at(t.twin)}`;
  return `3PCC instance listening on ${at(t.self)}${t.peers.size > 0 ? `, sending to ${[...t.peers.keys()].join(', ')}` : ''}`;
}

async function resolveHost(host: string, what: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch {
    throw new SiptsError('UNRESOLVED', `${what} "${host}" cannot be resolved`, 'give an IP address or a name this machine resolves');
  }
}

/** The control port listens on loopback unless -i named an address. */
function controlAddress(bind: string): string {
  return bind === '' || bind === '0.0.0.0' ? '127.0.0.1' : bind === '::' ? '::1' : bind;
}

/**
 * SIPp compat: -bg detaches and prints the background PID, and the command returns SIPp 3.6.1's EXIT_OTHER (99),
 * as SIPp's parent process does once it has forked.
 */
function background(argv: readonly string[]): number {
  const script = new URL('../../../bin/sipts.js', import.meta.url).pathname;
  // With the Node flags of this process (bin/sipts.js's #! line), so the background run is the same program.
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv.filter((a) => a !== '-bg' && a !== '--bg')], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  process.stdout.write(`Background mode - PID=[${child.pid ?? '?'}]\n`);
  return EXIT.OTHER;
}

function commanderMessage(e: CommanderError): string {
  const m = e.message.replace(/^error: /, '');
  const unknown = /unknown option '([^']+)'/.exec(m);
  if (unknown !== null) return `unknown option ${userSpelling(unknown[1] ?? '')} (sipts -h lists the options)`;
  const missing = /option '--([^ ']+) <([^>]+)>' argument missing/.exec(m);
  if (missing !== null) return `option -${missing[1]} needs a value: -${missing[1]} <${missing[2]}>`;
  return m.replace(/'--([a-zA-Z_0-9]+)/g, "'-$1");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof DiagnosticsError) err(e.message);
    else if (e instanceof SiptsError) err(`sipts: ${e.message}${e.hint === undefined ? '' : `\n  hint: ${e.hint}`}`);
    else err(`sipts: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = EXIT.FATAL;
  },
);
