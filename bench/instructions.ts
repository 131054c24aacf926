/**
 * `npm run bench -- perf`: where the CPU time of a call goes, from Linux `perf stat` on one side of a pair.
 * CPU time per call is noisy on a shared machine; instructions per call are not, so this is the figure for
 * an A/B of a change. Cycles and task-clock together show the time the cycle counter does not see (on a
 * virtual machine: sleeping and waking), and context switches how often a process sleeps per call.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './measure.js';
import { spawnTool, startUas, uacArgs, type Tool } from './peers.js';

export interface PerfFigure {
  readonly side: 'UAC' | 'UAS';
  readonly tool: Tool;
  readonly peer: Tool;
  readonly rate: number;
  /** Per call, over the window. */
  readonly userInstructions: number;
  readonly kernelInstructions: number;
  readonly cycles: number;
  readonly taskClockUs: number;
  readonly contextSwitches: number;
}

const EVENTS = ['instructions:u', 'instructions:k', 'cycles', 'task-clock', 'context-switches'];

export const perfInstalled = (): boolean => spawnSync('perf', ['stat', '-e', 'instructions:u', 'true'], { stdio: 'ignore' }).status === 0;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One pair at `rate`: `perf stat` follows the measured side from second 3 for 5 s (the calls placed then). */
export async function perfPair(side: 'UAC' | 'UAS', tool: Tool, peer: Tool, rate: number): Promise<PerfFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-perf-'));
  const [uacTool, uasTool] = side === 'UAC' ? [tool, peer] : [peer, tool];
  const uas = await startUas(uasTool, dir);
  const uac = spawnTool(uacTool, uacArgs(uas.port, rate, rate * 9), dir);
  await sleep(3000);
  const seconds = 5;
  const pid = side === 'UAC' ? uac.pid : uas.process.pid;
  const r = spawnSync('perf', ['stat', '-x', ',', '-e', EVENTS.join(','), '-p', String(pid), '--', 'sleep', String(seconds)], {
    encoding: 'utf8',
  });
  uac.kill('SIGKILL');
  uas.stop();
  rmSync(dir, { recursive: true, force: true });
  // CSV lines: value,unit,event,...
  const value = new Map(
    r.stderr
      .trim()
      .split('\n')
      .map((l) => l.split(','))
      .map((f) => [f[2] ?? '', Number(f[0])]),
  );
  const calls = rate * seconds;
  const per = (event: string): number => (value.get(event) ?? Number.NaN) / calls;
  return {
    side,
    tool,
    peer,
    rate,
    userInstructions: per('instructions:u'),
    kernelInstructions: per('instructions:k'),
    cycles: per('cycles'),
    taskClockUs: per('task-clock') * 1000,
    contextSwitches: per('context-switches'),
  };
}

/** Each tool and the floor on each side against SIPp, `rounds` times in turn; the median of each figure. */
export async function perfFigures(rate: number, rounds: number, log: (s: string) => void): Promise<PerfFigure[]> {
  const cases: [PerfFigure['side'], Tool][] = [
    ['UAC', 'sipp'],
    ['UAC', 'sipts'],
    ['UAC', 'floor'],
    ['UAS', 'sipp'],
    ['UAS', 'sipts'],
    ['UAS', 'floor'],
  ];
  const results = new Map<string, PerfFigure[]>();
  for (let round = 1; round <= rounds; round++) {
    for (const [side, tool] of cases) {
      const f = await perfPair(side, tool, 'sipp', rate);
      log(
        `  round ${round} ${side} ${tool.padEnd(6)} at ${rate}/s: ${(f.userInstructions / 1000).toFixed(1)}k user + ${(f.kernelInstructions / 1000).toFixed(1)}k kernel instructions, ${(f.cycles / 1000).toFixed(1)}k cycles, ${f.taskClockUs.toFixed(1)} µs, ${f.contextSwitches.toFixed(2)} context switches per call`,
      );
      const key = `${side} ${tool}`;
      results.set(key, [...(results.get(key) ?? []), f]);
    }
  }
  return [...results.values()].map((fs) => {
    const f = fs[0] as PerfFigure;
    return {
      ...f,
      userInstructions: median(fs.map((x) => x.userInstructions)),
      kernelInstructions: median(fs.map((x) => x.kernelInstructions)),
      cycles: median(fs.map((x) => x.cycles)),
      taskClockUs: median(fs.map((x) => x.taskClockUs)),
      contextSwitches: median(fs.map((x) => x.contextSwitches)),
    };
  });
}
