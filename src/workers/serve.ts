/**
 * The worker's end of a -workers run: its engine, driven by the main thread's messages, reporting its
 * statistics once a second (off the hot path: an export, not an event per call) and once more at its end.
 */
import type { RunControl } from '../engine/run-control.js';
import type { FromWorker, Port, ToWorker, WorkerReport } from './protocol.js';
import type { TraceForward } from './trace-forward.js';

const REPORT_MS = 1000;

export function serveRun(run: RunControl, localPort: number, port: Port<ToWorker, FromWorker>, traces: TraceForward): void {
  let windows = false;
  const report = (): WorkerReport => ({
    exports: run.statsExports(),
    status: run.status(),
    stoppedByCommand: run.stoppedByCommand,
    globals: run.globalValues(),
    behindMs: run.behindScheduleMs(),
    window: windows ? run.takeWindowExport() : undefined,
  });
  port.on('message', (m) => {
    switch (m.type) {
      case 'rate':
        run.setRate(m.rate);
        break;
      case 'users':
        run.setUsers(m.users);
        break;
      case 'limit':
        run.setLimit(m.limit);
        break;
      case 'pause':
        run.pause();
        break;
      case 'resume':
        run.resume();
        break;
      case 'stop':
        if (m.how === 'now') run.stopNow();
        else run.stopGracefully();
        break;
      case 'reset-stats':
        run.resetStats();
        break;
      case 'track-windows':
        run.trackWindows();
        windows = true;
        break;
      case 'traces':
        traces.set(m.on);
        run.retrace();
        break;
    }
  });
  port.postMessage({ type: 'ready', localPort, report: report() });
  const timer = setInterval(() => {
    port.postMessage({ type: 'report', report: report() });
  }, REPORT_MS);
  // The engine keeps the thread alive while it runs; the reports must not once it has ended.
  timer.unref();
  void run.done.then((reason) => {
    clearInterval(timer);
    // The last calls' traces (those aborted at the end) reach the files before the run is over.
    traces.flush();
    port.postMessage({ type: 'done', reason, report: report() });
  });
}
