/**
 * Injection files at scale (issue 21): a generated file of N users, `userNNNNNNN;[authentication username=…
 * password=…];`, read by bench/injection-register.xml with `-m 1`. For sipts and SIPp, the same command line:
 * the peak resident memory (VmHWM, read until the first REGISTER has come) and the time from spawning the tool
 * to its first REGISTER on a UDP socket of this process. Nothing answers, so the run is ended then.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { spawnTool, type Tool } from './peers.js';

const SCENARIO = fileURLToPath(new URL('../../bench/injection-register.xml', import.meta.url));

export interface InjectionFigure {
  readonly tool: Tool;
  readonly lines: number;
  /** With `-infindex FILE 0` (an index of every line's user, for <lookup>); SIPp finds the file by its base name only. */
  readonly indexed: boolean;
  readonly fileBytes: number;
  /** Peak resident memory while loading, up to the first REGISTER (KiB). */
  readonly peakRssKb: number;
  /** From spawn to the first REGISTER received (ms); NaN when none came within the limit. */
  readonly firstRegisterMs: number;
}

/** Writes the file in chunks: a million lines is 67 MB, more than is worth holding here at once. */
async function writeUsers(path: string, lines: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  const put = async (s: string): Promise<void> => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  };
  await put('SEQUENTIAL\n');
  let chunk = '';
  for (let i = 1; i <= lines; i++) {
    const n = String(i).padStart(7, '0');
    chunk += `user${n};[authentication username=user${n} password=pw${n}];\n`;
    if (chunk.length > 1 << 16) {
      await put(chunk);
      chunk = '';
    }
  }
  await put(chunk);
  out.end();
  await once(out, 'close');
  return bytes;
}

function vmHwmKb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m === null ? Number.NaN : Number(m[1]);
  } catch {
    return Number.NaN;
  }
}

async function one(
  tool: Tool,
  file: string,
  lines: number,
  indexed: boolean,
  fileBytes: number,
  dir: string,
  limitMs: number,
): Promise<InjectionFigure> {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const port = socket.address().port;
  let firstAt = Number.NaN;
  socket.on('message', (m) => {
    if (Number.isNaN(firstAt) && m.subarray(0, 9).toString('latin1') === 'REGISTER ') firstAt = performance.now();
  });
  const start = performance.now();
  const child = spawnTool(
    tool,
    [
      '-sf',
      SCENARIO,
      `127.0.0.1:${port}`,
      '-inf',
      file,
      ...(indexed ? ['-infindex', basename(file), '0'] : []),
      '-m',
      '1',
      '-i',
      '127.0.0.1',
      '-p',
      '0',
    ],
    dir,
  );
  let peak = 0;
  // An object, not a let: the exit handler sets it, which narrowing of a local would not see.
  const state = { exited: false };
  child.once('exit', () => {
    state.exited = true;
  });
  // Polled: VmHWM is the process's own high-water mark, so polling only has to catch it before it exits.
  while (Number.isNaN(firstAt) && !state.exited && performance.now() - start < limitMs) {
    const kb = vmHwmKb(child.pid);
    if (kb > peak) peak = kb;
    await new Promise((r) => setTimeout(r, 20));
  }
  const kb = vmHwmKb(child.pid);
  if (kb > peak) peak = kb;
  child.kill('SIGKILL');
  if (!state.exited) await once(child, 'exit');
  socket.close();
  return { tool, lines, indexed, fileBytes, peakRssKb: peak, firstRegisterMs: firstAt - start };
}

/**
 * Each size, each tool in turn, `rounds` times; the lowest figures of the rounds (the machine may be busy).
 * The largest size also with -infindex.
 */
export async function injectionScale(
  sizes: readonly number[],
  tools: readonly Tool[],
  rounds: number,
  log: (s: string) => void,
): Promise<InjectionFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-inject-'));
  const out: InjectionFigure[] = [];
  try {
    for (const lines of sizes) {
      const file = join(dir, `users-${lines}.csv`);
      const bytes = await writeUsers(file, lines);
      for (const [tool, indexed] of tools.flatMap((t) =>
        lines === Math.max(...sizes)
          ? ([
              [t, false],
              [t, true],
            ] as const)
          : ([[t, false]] as const),
      )) {
        const runs: InjectionFigure[] = [];
        for (let r = 0; r < rounds; r++) runs.push(await one(tool, file, lines, indexed, bytes, dir, 120_000));
        const f: InjectionFigure = {
          tool,
          lines,
          indexed,
          fileBytes: bytes,
          peakRssKb: Math.min(...runs.map((x) => x.peakRssKb)),
          firstRegisterMs: Math.min(...runs.map((x) => x.firstRegisterMs)),
        };
        log(
          `  ${tool.padEnd(6)} ${lines} lines${indexed ? ' -infindex' : ''} (${(bytes / 1e6).toFixed(0)} MB): peak RSS ${(f.peakRssKb / 1024).toFixed(0)} MiB, first REGISTER after ${f.firstRegisterMs.toFixed(0)} ms (rounds: ${runs.map((x) => `${(x.peakRssKb / 1024).toFixed(0)} MiB/${x.firstRegisterMs.toFixed(0)} ms`).join(', ')})`,
        );
        out.push(f);
      }
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
