/**
 * Runs a command and reads the CPU time it used from the OS: bash's `times` builtin prints the user and
 * system time of the shell's finished children (from wait4's rusage), so nothing has to be installed.
 */
import { spawn } from 'node:child_process';

export interface Measured {
  readonly code: number;
  /** User + system CPU of the command, in microseconds. */
  readonly cpuUs: number;
  readonly wallMs: number;
  readonly stdout: string;
  readonly stderr: string;
}

const seconds = (t: string): number => {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  return m === null ? Number.NaN : Number(m[1]) * 60 + Number(m[2]);
};

export function measure(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<Measured> {
  const started = performance.now();
  // `times` goes to fd 3, so the command's own stdout stays apart.
  const child = spawn('bash', ['-c', '"$@"; rc=$?; times >&3; exit $rc', 'bash', command, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stdout = '',
    stderr = '',
    times = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => {
    times += d.toString();
  });
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      // Second line: the children's user and system time.
      const [user = '', sys = ''] = (times.trim().split('\n')[1] ?? '').trim().split(/\s+/);
      resolve({ code: code ?? -1, cpuUs: (seconds(user) + seconds(sys)) * 1e6, wallMs: performance.now() - started, stdout, stderr });
    });
  });
}

/** The median of the finite values (NaN when there are none): a run that measured nothing does not count. */
export function median(xs: readonly number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : ((s[(s.length - 1) >> 1] ?? 0) + (s[s.length >> 1] ?? 0)) / 2;
}

/** ns per call of `op`, run n times a round: the median of `rounds` rounds after one that warms the JIT up. */
export function nsPerOp(n: number, op: (i: number) => void, rounds = 7): number {
  const ns: number[] = [];
  for (let r = 0; r <= rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) op(i);
    if (r > 0) ns.push(((performance.now() - t0) * 1e6) / n);
  }
  return median(ns);
}
