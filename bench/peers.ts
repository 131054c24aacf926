/** The processes of a macro benchmark: SIPp or sipts, as UAC or UAS, and what the OS says they used. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BIN as SIPTS, freePort, portTaken, loopbackUac } from '../test/helpers.js';

export { SIPTS };

/** `floor` is bench/floor-peer.ts: not a tool, the least a Node program spends on a call (CPU figures only). */
export type Tool = 'sipp' | 'sipts' | 'floor';

const FLOOR = fileURLToPath(new URL('./floor-peer.js', import.meta.url));

export const sippInstalled = (): boolean => spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined;

/** The same command line for both tools; sipts also gets `-cp 0` so parallel runs never share a control port. */
export function spawnTool(tool: Tool, args: readonly string[], cwd: string): ChildProcess {
  if (tool === 'sipp') return spawn('sipp', [...args, '-nostdin'], { cwd, stdio: 'ignore' });
  if (tool === 'floor') return spawn(process.execPath, [FLOOR, ...args], { cwd, stdio: 'ignore' });
  // As installed: bin/sipts.js run by its own #! line, with the Node options given there.
  return spawn(SIPTS, [...args, '-nostdin', '-cp', '0'], { cwd, stdio: 'ignore' });
}

export interface Peer {
  readonly port: number;
  readonly name: string;
  readonly process: ChildProcess;
  stop(): void;
}

/** Starts an answering peer on a free port and waits until it is bound. */
export async function startUas(tool: Tool, cwd: string, extra: readonly string[] = []): Promise<Peer> {
  const port = await freePort();
  const child = spawnTool(tool, ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(port), ...extra], cwd);
  // -t t1 and the like: the UAS listens on TCP and may bind no UDP socket.
  const tcp = /^[tlw]/.test(extra[extra.indexOf('-t') + 1] ?? '');
  for (let i = 0; i < 100; i++) {
    if (await portTaken(port, tcp)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    name: `${tool} -sn uas`,
    process: child,
    stop: () => {
      child.kill('SIGKILL');
    },
  };
}

/** The UAC's command line in every benchmark: the built-in uac placing `calls` calls at `rate` on a UAS here. */
export const uacArgs = (uasPort: number, rate: number, calls: number): string[] => [
  ...loopbackUac(uasPort),
  '-r',
  String(rate),
  '-m',
  String(calls),
];

/** User + system CPU of a live process in µs, from /proc/PID/stat (every thread, also those that ended). */
export function cpuUs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / CLOCK_TICKS);
  } catch {
    return Number.NaN;
  }
}

/** Peak resident memory of a live process in kB (VmHWM). */
export function peakRssKb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
