/**
 * Micro benchmark of the media path (not a test, not part of bench/run.ts): N streams of G.711-sized RTP
 * (172 bytes every 20 ms) paced by one Pacer from one process, each from its own MediaSocket pair, to one
 * RtpEcho socket in a child process (so this process does what a sipts media side does: send N x 50
 * packets/s and receive as many), for S seconds over loopback UDP.
 *
 * Prints: packets/s sent and received, this process's CPU% (process.cpuUsage over wall time), loss measured
 * with RtpStreamStats (RFC 3550 A.3), jitter p99 (RFC 3550 A.8; every stream's jitter sampled every 100 ms),
 * send lateness p99 (the pacer's), and the MOS estimate from that loss (delay not measured: network loss only).
 *
 *   node dist/bench/media-pacer.js [--streams 1000] [--seconds 10] [--echo child|inline]
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Histogram } from 'hdr-histogram-js';
import Float64HistogramModule from 'hdr-histogram-js/dist/Float64Histogram.js';
import { MediaSocket } from '../src/media/media-socket.js';
import { estimateMos } from '../src/media/mos.js';
import { Pacer } from '../src/media/pacer.js';
import { RtpEcho } from '../src/media/rtp-echo.js';
import { RtpPortRange } from '../src/media/rtp-ports.js';
import { RtpStreamStats } from '../src/media/rtp-stats.js';

const Float64Histogram = Float64HistogramModule.default;
const PACKET = 172; // 12-byte RTP header (RFC 3550 §5.1) + 160 bytes of G.711 (20 ms at 8000 Hz)
const SOCKET_BUFFER = 8 * 1024 * 1024;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** The echo on its own: reports its port to the parent, echoes until killed. */
async function echoChild(): Promise<void> {
  const echo = await RtpEcho.open('127.0.0.1', 0, 2048, SOCKET_BUFFER);
  process.send?.({ port: echo.port });
  process.on('message', () => {
    process.send?.({ packets: echo.packets, errors: echo.sendErrors });
  });
}

async function startEcho(mode: string): Promise<{ port: number; stop: () => Promise<number> }> {
  if (mode === 'inline') {
    const echo = await RtpEcho.open('127.0.0.1', 0, 2048, SOCKET_BUFFER);
    return {
      port: echo.port,
      stop: () => {
        echo.close();
        return Promise.resolve(echo.packets);
      },
    };
  }
  const child = fork(fileURLToPath(import.meta.url), ['--echo-child'], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
  });
  return {
    port,
    stop: async () => {
      const packets = await new Promise<number>((resolve) => {
        child.once('message', (m) => resolve((m as { packets: number }).packets));
        child.send('report');
      });
      child.kill();
      return packets;
    },
  };
}

async function main(): Promise<void> {
  const streams = Number(arg('streams', '1000'));
  const seconds = Number(arg('seconds', '10'));
  const echo = await startEcho(arg('echo', 'child'));

  const stats = new RtpStreamStats(streams);
  const range = new RtpPortRange(40_000, 49_999);
  const sockets: MediaSocket[] = [];
  for (let i = 0; i < streams; i++) {
    stats.reset(i, 8000);
    const socket = await MediaSocket.open(range, '127.0.0.1', { stats, slot: i });
    await socket.connect(echo.port, '127.0.0.1');
    sockets.push(socket);
  }
  // One slab of packets, one per stream, rewritten in place (sequence number and timestamp) before each send.
  const slab = Buffer.alloc(PACKET * streams, 0xff);
  const packets: Buffer[] = [];
  for (let i = 0; i < streams; i++) {
    const p = slab.subarray(i * PACKET, (i + 1) * PACKET);
    p[0] = 0x80; // V=2, no padding, no extension, no CSRC
    p[1] = 0; // PCMU
    p.writeUInt32BE((0x5eed0000 + i) >>> 0, 8);
    packets.push(p);
  }
  const seq = new Uint16Array(streams);
  const ts = new Uint32Array(streams);

  const pacer = new Pacer({
    capacity: streams,
    send: (id) => {
      const p = packets[id];
      const s = sockets[id];
      if (p === undefined || s === undefined) return;
      p.writeUInt16BE(seq[id] ?? 0, 2);
      p.writeUInt32BE(ts[id] ?? 0, 4);
      seq[id] = ((seq[id] ?? 0) + 1) & 0xffff;
      ts[id] = ((ts[id] ?? 0) + 160) >>> 0;
      s.sendToPeer(p);
    },
  });
  const ids: number[] = [];
  for (let i = 0; i < streams; i++) ids.push(pacer.add(20));
  if (ids.some((id, i) => id !== i)) throw new Error('pacer ids are not the stream indices');

  const jitterSamples: Histogram = new Float64Histogram(1, 60_000_000, 3);
  const sampler = setInterval(() => {
    for (let i = 0; i < streams; i++) if (stats.receivedOf(i) > 1) jitterSamples.recordValue(stats.jitterMicrosOf(i));
  }, 100);

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  pacer.start();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  pacer.stop();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // Let the last echoes come back before counting.
  await new Promise((r) => setTimeout(r, 300));
  clearInterval(sampler);
  const echoed = await echo.stop();

  let received = 0;
  let sendErrors = 0;
  const maxJitter: Histogram = new Float64Histogram(1, 60_000_000, 3);
  for (let i = 0; i < streams; i++) {
    received += sockets[i]?.counts.rtpPackets ?? 0;
    sendErrors += sockets[i]?.counts.sendErrors ?? 0;
    maxJitter.recordValue(Math.max(1, Math.round(stats.maxJitterMsOf(i) * 1000)));
    sockets[i]?.close();
  }
  const { expected, lost, outOfOrder, duplicates } = stats.totals();
  const late = pacer.latenessSummary();
  const lossPercent = expected === 0 ? 0 : (100 * lost) / expected;
  const cpuPercent = (100 * (cpu.user + cpu.system)) / 1000 / wall;
  const out = {
    streams,
    seconds: Number((wall / 1000).toFixed(2)),
    sentPerSecond: Math.round((pacer.packetsSent * 1000) / wall),
    skipped: pacer.packetsSkipped,
    receivedPerSecond: Math.round((received * 1000) / wall),
    echoed,
    cpuPercent: Number(cpuPercent.toFixed(1)),
    lossPercent: Number(lossPercent.toFixed(4)),
    lost,
    expected,
    outOfOrder,
    duplicates,
    sendErrors,
    jitterP99Ms: jitterSamples.getValueAtPercentile(99) / 1000,
    maxJitterP99Ms: maxJitter.getValueAtPercentile(99) / 1000,
    latenessP50Ms: late.p50Ms,
    latenessP99Ms: late.p99Ms,
    latenessMaxMs: Number(late.maxMs.toFixed(3)),
    mosEstimateNetworkLossOnly: Number(estimateMos({ lossPercent: Math.max(0, lossPercent), oneWayDelayMs: 0 }).toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

if (process.argv.includes('--echo-child')) void echoChild();
else void main();
