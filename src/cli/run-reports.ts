/**
 * Every reporter of one run, fed by one timer: traces, the stat and counts files every -fd, the timeline
 * for the HTML report, the --hdr-log intervals, Prometheus; and at the end the screen file, JSON, JUnit and HTML.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { RunControl } from '../engine/run-control.js';
import { CountsFile } from '../report/counts-file.js';
import { htmlReport } from '../report/html.js';
import { jsonReport, type RunFacts } from '../report/json.js';
import { junitReport } from '../report/junit.js';
import { renderMetrics, serveMetrics } from '../report/prometheus.js';
import { allScreens } from '../report/screens.js';
import type { LiveSource } from '../report/live.js';
import { ErrorCodesFile } from '../report/error-codes-file.js';
import { StatFile } from '../report/stat-file.js';
import type { ThresholdResult } from '../report/thresholds.js';
import { Timeline } from '../report/timeline.js';
import { HdrLog } from '../report/hdr-log.js';
import { VERSION } from '../version.js';
import { Traces } from '../report/traces.js';
import type { CompiledScenario } from '../scenario/compile.js';
import type { SaturationReport } from '../stats/saturation.js';
import type { StatsSnapshot } from '../stats/stats.js';
import type { RunConfig } from './config.js';
import { epochMs } from './live-source.js';

/** Failed calls whose ladder is kept, per failure reason. */
const LADDERS_PER_REASON = 3;
const TICK_MS = 1000;

/** The traces exist before the engine: it is given their sink when it is built. */
export function openTraces(config: RunConfig, scenario: CompiledScenario): Traces {
  const t = config.traces;
  return new Traces(
    {
      ...t,
      errorCodes: t.errorCodes !== undefined,
      callIdSlashIgnore: config.callIdSlashIgnore,
      transportLabel: config.transport,
      fileOptions: (name) => ({
        append: t.append[name],
        rotateBytes: t.ringbufferBytes,
        keepFiles: t.ringbufferFiles,
        maxBytes: t.maxLogBytes,
        rotatedPrefix: `${t.prefix}${name}`,
      }),
      keepEvidence: config.htmlFile !== undefined || config.jsonFile !== undefined || config.junitFile !== undefined,
      laddersPerReason: LADDERS_PER_REASON,
    },
    scenario,
    epochMs,
  );
}

export class RunReports {
  private readonly statFile: StatFile | undefined;
  private readonly countsFile: CountsFile | undefined;
  private readonly errorCodesFile: ErrorCodesFile | undefined;
  private readonly timeline: Timeline | undefined;
  private readonly hdrLog: HdrLog | undefined;
  private readonly timer: NodeJS.Timeout;
  /** The next stat-file row: one timer a row, armed for its time (undefined without a row file, or once closed). */
  private rowTimer: NodeJS.Timeout | undefined;
  private nextStatMs: number;
  private server: Server | undefined;
  /** The screen file was written by a dump during the run: the end-of-run screens are added to it. */
  private screensDumped = false;

  constructor(
    private readonly config: RunConfig,
    private readonly scenario: CompiledScenario,
    private readonly engine: RunControl,
    readonly traces: Traces,
    private readonly screens: LiveSource,
    private readonly saturation?: () => SaturationReport,
  ) {
    const start = screens.startEpochMs;
    traces.setStart(start);
    this.statFile =
      config.statFile === undefined
        ? undefined
        : new StatFile(config.statFile, scenario, start, () => engine.status().rate, config.statDelimiter, config.periodicRtd);
    this.countsFile =
      config.traces.counts === undefined ? undefined : new CountsFile(config.traces.counts, scenario, start, config.statDelimiter);
    this.errorCodesFile =
      config.traces.errorCodes === undefined ? undefined : new ErrorCodesFile(config.traces.errorCodes, start, config.statDelimiter);
    this.timeline = config.htmlFile === undefined ? undefined : new Timeline();
    this.hdrLog = config.hdrLogFile === undefined ? undefined : new HdrLog(config.hdrLogFile, start, VERSION);
    if (this.timeline !== undefined) engine.trackWindows();
    this.nextStatMs = Date.now() + Math.max(100, config.statPeriodMs);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    // Each row has a timer of its own, armed for its time: rows are not late by a tick, and the process does not
    // wake between rows for them.
    if (this.statFile !== undefined || this.countsFile !== undefined || this.errorCodesFile !== undefined) this.armRow();
  }

  /** --prometheus: listens until close(). */
  async serveMetrics(): Promise<string | undefined> {
    const p = this.config.prometheus;
    if (p === undefined) return undefined;
    this.server = await serveMetrics(p.host, p.port, () =>
      renderMetrics(this.engine.snapshot(), this.scenario, this.engine.status().rate, this.saturation?.()),
    );
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? `http://${p.host.includes(':') ? `[${p.host}]` : p.host}:${a.port}/metrics` : undefined;
  }

  /**
   * SIPp compat (SIGUSR2, and the s key with -trace_screen): every screen as it is now, added to the screen
   * file (made if -trace_screen did not), and the traces written out.
   */
  dumpScreens(): void {
    // The scenario the screens show now (set display), with its own statistics.
    appendFileSync(this.config.screenDumpFile, allScreens(this.screens.snapshot(), this.screens, Date.now()));
    this.screensDumped = true;
    this.traces.flush();
  }

  private tick(): void {
    this.traces.flush();
    this.hdrLog?.write(this.engine.statsExports().main, Date.now());
    if (this.timeline === undefined) return;
    this.timeline.add(this.engine.snapshot(), this.engine.takeWindow());
  }

  /** Rows on a fixed schedule (start + n × -fd), as SIPp's, so a late timer does not shift every later row. */
  private armRow(): void {
    this.rowTimer = setTimeout(
      () => {
        const now = Date.now();
        this.writeRows(this.engine.snapshot(), now);
        const period = Math.max(100, this.config.statPeriodMs);
        this.nextStatMs += period;
        if (this.nextStatMs <= now) this.nextStatMs = now + period;
        this.armRow();
      },
      Math.max(0, this.nextStatMs - Date.now()),
    );
    this.rowTimer.unref();
  }

  private writeRows(snap: StatsSnapshot, now: number): void {
    this.statFile?.write(snap, now);
    this.countsFile?.write(snap, now);
    this.errorCodesFile?.write(this.traces.takeErrorCodes(), now);
  }

  /** The last rows and the end-of-run files. */
  close(snap: StatsSnapshot, facts: RunFacts, verdicts: readonly ThresholdResult[]): void {
    clearInterval(this.timer);
    clearTimeout(this.rowTimer);
    this.rowTimer = undefined;
    this.server?.close();
    const now = Date.now();
    this.writeRows(snap, now);
    this.timeline?.add(snap, this.engine.takeWindow());
    this.hdrLog?.close(this.engine.statsExports().main, now);
    const ladders = this.traces.ladders();
    const screenFile = this.config.traces.screen;
    if (screenFile !== undefined)
      ((this.screensDumped && screenFile === this.config.screenDumpFile) || this.config.traces.append.screen
        ? appendFileSync
        : writeFileSync)(screenFile, allScreens(snap, this.screens, now));
    if (this.config.jsonFile !== undefined) writeFileSync(this.config.jsonFile, jsonReport(snap, this.scenario, facts, verdicts, ladders));
    if (this.config.junitFile !== undefined)
      writeFileSync(this.config.junitFile, junitReport(snap, this.scenario, verdicts, ladders, facts.saturation));
    if (this.config.htmlFile !== undefined) {
      writeFileSync(
        this.config.htmlFile,
        htmlReport({
          title: `sipts report: ${this.scenario.name}`,
          scenario: this.scenario,
          snapshot: snap,
          timeline: this.timeline?.all ?? [],
          ladders,
          verdicts,
          facts,
        }),
      );
    }
    this.traces.close();
  }
}
