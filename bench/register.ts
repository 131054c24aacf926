/**
 * The registration workload (issue 21): REGISTER, 401, REGISTER with a digest answer, 200, one registration
 * per call of bench/injection-register.xml, users taken in order from a generated injection file, against one
 * Kamailio (bench/kamailio-register.cfg) started for the whole part. sipts, SIPp and the floor
 * (bench/floor-peer.ts with -inf) run the same command line in turn at each rate. CPU is read from /proc at
 * a third of the run and a second before its end (seconds 3 and 8 of 9-s runs) and divided by the
 * registrations the tool's own stat file (-trace_stat -fd 1) says it started in that window, so start-up
 * and the file's loading are left out.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvRows, freePort, waitForUdpBound } from '../test/helpers.js';
import { median } from './measure.js';
import { cpuUs, spawnTool, type Tool } from './peers.js';
import { achievedRate, createdAt, readStatRows } from './stat-rows.js';

/** The registration workload's scenario (bench/register-loop.ts runs it too). */
export const REGISTER_SCENARIO = fileURLToPath(new URL('../../bench/injection-register.xml', import.meta.url));
const CONFIG = fileURLToPath(new URL('../../bench/kamailio-register.cfg', import.meta.url));

export const kamailioInstalled = (): boolean => spawnSync('kamailio', ['-v'], { stdio: 'ignore' }).error === undefined;

export interface RegisterRun {
  readonly tool: Tool;
  readonly rate: number;
  readonly registrations: number;
  /** The tool's CPU (user + system) over the window, per registration started in it. */
  readonly usPerRegistration: number;
  readonly successful: number;
  readonly failed: number;
  readonly achievedRate: number;
  /** Retransmissions the tool counted (Retransmissions(C)); NaN for the floor, which never retransmits. */
  readonly retransmissions: number;
  /** Kamailio's CPU over the window, in cores (1 = one core busy the whole window): how close it is to its limit. */
  readonly kamailioCores: number;
  /**
   * Every registration succeeded, they were started within 1% of the rate, and the tool retransmitted at most
   * 1% of its requests: a retransmission means an answer came 500 ms late or was lost (the tool fell behind,
   * or the busy machine starved it), and its cost lands in the figure.
   */
  readonly clean: boolean;
}

export interface RegisterFigure {
  readonly tool: Tool;
  readonly rate: number;
  /** Median over the rounds. */
  readonly usPerRegistration: number;
  readonly kamailioCores: number;
  /** Rounds with a failed registration or the rate not held; their CPU figures still count. */
  readonly unclean: number;
  readonly runs: readonly RegisterRun[];
}

/** `user0000001;[authentication username=user0000001 password=pw-user0000001];`: the password the cfg derives. */
export function writeUsers(path: string, lines: number): void {
  const out: string[] = ['SEQUENTIAL'];
  for (let i = 1; i <= lines; i++) {
    const user = `user${String(i).padStart(7, '0')}`;
    out.push(`${user};[authentication username=${user} password=pw-${user}];`);
  }
  writeFileSync(path, `${out.join('\n')}\n`);
}

interface Registrar {
  readonly port: number;
  readonly child: ChildProcess;
  stop(): void;
}

/** Kamailio on a free loopback port, in its own process group so that stopping it stops its children too. */
async function startRegistrar(dir: string): Promise<Registrar> {
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const cfg = join(dir, `kamailio-${port}.cfg`);
    writeFileSync(cfg, readFileSync(CONFIG, 'utf8').replaceAll('__PORT__', String(port)));
    const child = spawn('kamailio', ['-DD', '-E', '-f', cfg, '-w', dir, '-m', '128'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    const state = { exited: false };
    child.stderr.on('data', (d: Buffer) => {
      last = (last + d.toString()).slice(-2000);
    });
    child.once('exit', () => {
      state.exited = true;
    });
    const stop = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    try {
      await waitForUdpBound(port, 10_000, () => state.exited);
      return { port, child, stop };
    } catch {
      stop();
    }
  }
  throw new Error(`kamailio did not start: ${last}`);
}

/** User + system CPU in µs of every process of a process group (Kamailio's main process and its children). */
function groupCpuUs(pgid: number | undefined): number {
  if (pgid === undefined) return Number.NaN;
  let sum = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      continue;
    }
    // Fields after the command name: state, ppid, pgrp, …
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) sum += cpuUs(Number(pid));
  }
  return sum;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function runOne(tool: Tool, rate: number, seconds: number, registrar: Registrar, users: string, dir: string): Promise<RegisterRun> {
  const registrations = Math.round(rate * seconds);
  const stat = join(dir, `${tool}-${rate}.csv`);
  rmSync(stat, { force: true });
  // A free port rather than -p 0: SIPp's 0 means "the first free of 5060 to 5119", ports others may use.
  const localPort = await freePort();
  const started = Date.now();
  const child = spawnTool(
    tool,
    [
      '-sf',
      REGISTER_SCENARIO,
      `127.0.0.1:${registrar.port}`,
      '-inf',
      users,
      '-r',
      String(rate),
      '-m',
      String(registrations),
      '-i',
      '127.0.0.1',
      '-p',
      String(localPort),
      '-trace_stat',
      '-stf',
      stat,
      '-fd',
      '1',
    ],
    dir,
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const sampleAt = async (s: number): Promise<{ t: number; tool: number; kamailio: number }> => {
    await sleep(started + s * 1000 - Date.now());
    return { t: Date.now() / 1000, tool: cpuUs(child.pid), kamailio: groupCpuUs(registrar.child.pid) };
  };
  const a = await sampleAt(seconds / 3);
  const b = await sampleAt(seconds - 1);
  const giveUp = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000 - (Date.now() - started));
  await exited;
  clearTimeout(giveUp);
  const rows = readStatRows(stat);
  const inWindow = createdAt(rows, b.t) - createdAt(rows, a.t);
  const last = rows.at(-1);
  const successful = last?.successful ?? 0,
    failed = last?.failed ?? 0;
  const achieved = achievedRate(rows, registrations);
  const retransmissions = rows.length === 0 ? Number.NaN : Number(csvRows(stat).at(-1)?.['Retransmissions(C)']);
  return {
    tool,
    rate,
    registrations,
    usPerRegistration: (b.tool - a.tool) / inWindow,
    successful,
    failed,
    achievedRate: achieved,
    retransmissions,
    kamailioCores: (b.kamailio - a.kamailio) / 1e6 / (b.t - a.t),
    clean: successful === registrations && failed === 0 && achieved >= rate * 0.99 && !(retransmissions > registrations * 2 * 0.01),
  };
}

/**
 * Each round runs every tool at every rate, the tools in turn. The users file has a user per registration of
 * the longest run, so within a run no user registers twice (later runs refresh the same bindings).
 */
export async function registerBench(
  rates: readonly number[],
  tools: readonly Tool[],
  rounds: number,
  seconds: number,
  log: (s: string) => void,
): Promise<RegisterFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-register-'));
  const users = join(dir, 'users.csv');
  writeUsers(users, Math.ceil(Math.max(...rates) * seconds));
  const registrar = await startRegistrar(dir);
  const runs: RegisterRun[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const rate of rates) {
        for (const tool of tools) {
          const r = await runOne(tool, rate, seconds, registrar, users, dir);
          log(
            `  round ${round} ${tool.padEnd(6)} ${String(rate).padStart(5)}/s: ${r.usPerRegistration.toFixed(1)} µs/registration, Kamailio ${r.kamailioCores.toFixed(2)} cores${Number.isNaN(r.retransmissions) ? '' : `, ${r.retransmissions} retransmissions`}${r.clean ? '' : ` (not clean: ${r.successful}/${r.registrations} ok, ${r.failed} failed, ${r.achievedRate.toFixed(0)}/s)`}`,
          );
          runs.push(r);
        }
      }
    }
  } finally {
    registrar.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return rates.flatMap((rate) =>
    tools.map((tool) => {
      const rs = runs.filter((r) => r.tool === tool && r.rate === rate);
      return {
        tool,
        rate,
        usPerRegistration: median(rs.map((r) => r.usPerRegistration)),
        kamailioCores: median(rs.map((r) => r.kamailioCores)),
        unclean: rs.filter((r) => !r.clean).length,
        runs: rs,
      };
    }),
  );
}
