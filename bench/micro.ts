/**
 * Micro benchmarks of the hot path's parts, in ns per operation (median of rounds after a warm-up), and
 * the floor under all of them: what node:dgram itself costs per datagram received and sent, which no
 * code of ours can go below.
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { readBuiltin } from '../src/scenario/builtin.js';
import { compileScenarioSource } from '../src/scenario/compile.js';
import type { TemplateEnv } from '../src/scenario/keywords.js';
import { renderTemplate, type RenderContext } from '../src/engine/render.js';
import { parseMessage } from '../src/sip/parser.js';
import { Stats } from '../src/stats/stats.js';
import { TimerWheel, type TimerNode } from '../src/engine/timer-wheel.js';
import { nsPerOp } from './measure.js';
import { uacLoop, uasLoop } from './call-loop.js';
import { registerLoop } from './register-loop.js';
import { cpuUs } from './peers.js';

export interface MicroResult {
  readonly name: string;
  readonly nsPerOp: number;
}

const timeIt = (name: string, n: number, op: (i: number) => void): MicroResult => ({ name, nsPerOp: nsPerOp(n, op) });

const INVITE = [
  'INVITE sip:service@127.0.0.1:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0;rport',
  'From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001',
  'To: service <sip:service@127.0.0.1:5060>',
  'Call-ID: 1-1234@127.0.0.1',
  'CSeq: 1 INVITE',
  'Contact: sip:sipp@127.0.0.1:5061',
  'Max-Forwards: 70',
  'Subject: Performance Test',
  'Content-Type: application/sdp',
  'Content-Length: 129',
  '',
  'v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n',
].join('\r\n');

const ENV: TemplateEnv = {
  service: 'service',
  pid: 42,
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

interface BenchTimer extends TimerNode {
  fired: number;
}

export async function micro(log: (s: string) => void): Promise<MicroResult[]> {
  const out: MicroResult[] = [];
  const add = (r: MicroResult): void => {
    out.push(r);
    log(`  ${r.name.padEnd(50)} ${r.nsPerOp.toFixed(0).padStart(7)} ns`);
  };

  let sink = 0;
  add(
    timeIt('parse an INVITE (with the fields a call reads)', 200_000, () => {
      const r = parseMessage(INVITE);
      if (r.ok) sink += r.msg.callId.length + r.msg.cseq + r.msg.branch.length;
    }),
  );

  // The uas built-in's 200 for the INVITE: the longest template of a basic call, headers copied from the request.
  const builtin = readBuiltin('uas');
  const uas = builtin === undefined ? undefined : compileScenarioSource(builtin.path, builtin.source, ENV);
  const parsedInvite = parseMessage(INVITE);
  // The second send of the uas (180, then 200).
  const sends = (uas?.steps ?? []).flatMap((s, i) => (s.template === undefined ? [] : [i]));
  const step = sends[1] ?? -1;
  const template = uas?.steps[step]?.template;
  if (template !== undefined && parsedInvite.ok) {
    const ctx: RenderContext = {
      callId: '1-42@127.0.0.1',
      number: 1,
      idTag: '42',
      cseq: 1,
      remoteIpEscaped: '127.0.0.1',
      remotePort: 5061,
      localPort: 5060,
      localIpEscaped: '127.0.0.1',
      peerTagParam: '',
      routes: '',
      nextUrl: '',
      lastRecv: parsedInvite.msg,
      vars: [],
      globals: [],
      field: () => '',
      nonceCount: () => 1,
      userId: 0,
      clockTick: () => 0,
      tdmCircuit: () => '',
      nextDynamicId: () => 0,
      serverIp: '127.0.0.1',
      cryptoKey: () => '',
      autoMediaPort: (base) => base,
    };
    add(
      timeIt('render the uas 200 OK (headers from the INVITE)', 200_000, () => {
        sink += renderTemplate(template, ctx, step).length;
      }),
    );
  }

  // A call's timers: schedule a retransmission, cancel it (the answer came), schedule the next; the wheel
  // turns every millisecond with ~1,000 timers pending.
  const wheel = new TimerWheel<BenchTimer>(0, (t) => {
    t.fired++;
  });
  const timers: BenchTimer[] = Array.from({ length: 1000 }, () => ({
    deadlineMs: 0,
    prev: undefined,
    next: undefined,
    armed: false,
    slot: 0,
    fired: 0,
  }));
  let now = 0;
  add(
    timeIt('timer wheel: schedule + cancel + 1/10 tick', 1_000_000, (i) => {
      const t = timers[i % 1000];
      if (t === undefined) return;
      wheel.schedule(t, now + 500);
      if ((i & 1) === 0) wheel.cancel(t);
      if (i % 10 === 0) wheel.advance(++now);
    }),
  );

  const stats = new Stats(10, ['1'], 0);
  add(
    timeIt('stats: a response time, a call length, 3 counters', 1_000_000, (i) => {
      stats.recordRtd(0, (i % 997) / 10);
      stats.recordCallLength(i % 10_007);
      stats.count(0);
      stats.count(1);
      stats.step(i % 10, 0);
    }),
  );

  const loop = registerLoop();
  add({ name: 'a registration, engine in virtual time (no socket)', nsPerOp: loop.perRegistrationNs });
  add({ name: '  of which the in-memory registrar', nsPerOp: loop.registrarNs });
  add({ name: 'a call, -sn uac in virtual time (no socket)', nsPerOp: uacLoop() });
  add({ name: 'a call, -sn uas in virtual time (no socket)', nsPerOp: uasLoop() });

  const floor = await dgramFloor(100_000);
  add({ name: 'node:dgram floor: receive + send one datagram', nsPerOp: floor });
  if (sink === 42) log('');
  return out;
}

/**
 * CPU (from the OS) of a minimal node:dgram echo per datagram it receives and sends back: the price of
 * Node's UDP before any SIP work. A call costs each side three of these (INVITE, ACK, BYE and their
 * answers).
 */
async function dgramFloor(count: number): Promise<number> {
  const { fork } = await import('node:child_process');
  const child = fork(new URL(import.meta.url), ['--echo'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((r) => child.once('message', (m) => r(Number(m))));
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const msg = Buffer.from(INVITE);
  let got = 0;
  s.on('message', () => {
    got++;
  });
  // 20,000 a second, like the datagrams of ~3,300 calls a second, so the echo sleeps between them as a
  // tool does at a realistic rate.
  const before = cpuUs(child.pid);
  const t0 = performance.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - t0) * 20_000) / 1000));
    for (; sent < due; sent++) s.send(msg, port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 1));
  }
  await new Promise((r) => setTimeout(r, 300));
  const used = cpuUs(child.pid) - before;
  child.kill();
  s.close();
  return (used * 1000) / Math.max(1, got);
}

if (process.argv.includes('--echo')) {
  const s = dgram.createSocket('udp4');
  s.on('message', (m, r) => {
    s.send(m, r.port, r.address);
  });
  s.bind(0, '127.0.0.1', () => process.send?.(s.address().port));
}
