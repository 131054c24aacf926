/**
 * Segments of one run (issue 20): N sipts processes, each `--segment I/N` of the same run, against one real peer
 * (SIPp 3.6.1's uas, Kamailio's registrar), merged by `sipts merge`. What is checked comes from outside the code
 * under test: the calls SIPp received (its own message trace), the contacts Kamailio bound (kamcmd ul.dump),
 * percentiles of the union histogram computed with hdr-histogram-js's own API, and the --hdr-log read back by
 * HdrHistogram's Java HistogramLogProcessor.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeFromCompressedBase64, HistogramLogReader } from 'hdr-histogram-js';
import {
  freePort,
  freeUdpRange,
  kamailioAvailable,
  loopbackBuiltin,
  loopbackScenario,
  loopbackUac,
  sippAvailable,
  sipts,
  startKamailio,
  startSippUas,
  type Exited,
} from '../helpers.js';
import { mediaUacScenario } from '../media-helpers.js';
import { toneWav } from '../../src/media/tone.js';

const noSipp = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-segments-'));

interface HistExport {
  hdr: string;
  minUs: number;
  maxUs: number;
}
interface Summary {
  count: number;
  minMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}
interface RunJson {
  tool: string;
  version: string;
  exitCode: number;
  counters: Record<string, number>;
  responseTimes: (Summary & { name: string })[];
  callLength: Summary;
  thresholds: { name: string; ok: boolean }[];
  segment: {
    index: number;
    of: number;
    scenarioSha256: string;
    stats: { rtd: { name: string; hist: HistExport }[]; callLength: HistExport };
  };
}
const readJson = (file: string): RunJson => JSON.parse(readFileSync(file, 'utf8')) as RunJson;

/**
 * The summary a single run reports of the histogram holding every segment's values: the three encodings decoded
 * and added with hdr-histogram-js's public API (not sipts's code), percentiles by its getValueAtPercentile, in
 * sipts's units (µs → ms rounded to the µs) and clamped to the exact max, as sipts documents.
 */
function unionSummary(parts: readonly HistExport[]): Summary {
  const [first, ...rest] = parts.map((p) => decodeFromCompressedBase64(p.hdr, 64, false));
  assert.ok(first !== undefined);
  for (const h of rest) first.add(h);
  const maxUs = Math.max(...parts.map((p) => p.maxUs));
  const minUs = Math.min(...parts.filter((p) => p.maxUs > 0).map((p) => p.minUs));
  const at = (p: number): number => Math.round(Math.min(first.getValueAtPercentile(p), maxUs)) / 1000;
  return {
    count: first.totalCount,
    minMs: Math.round(minUs) / 1000,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    p999Ms: at(99.9),
    maxMs: Math.round(maxUs) / 1000,
  };
}

const pick = (s: Summary): Summary => ({
  count: s.count,
  minMs: s.minMs,
  p50Ms: s.p50Ms,
  p90Ms: s.p90Ms,
  p99Ms: s.p99Ms,
  p999Ms: s.p999Ms,
  maxMs: s.maxMs,
});

/** The Call-IDs of the INVITEs SIPp received (its -trace_msg file), each once. */
function invitesReceived(trace: string): Set<string> {
  const ids = new Set<string>();
  for (const block of readFileSync(trace, 'latin1').split(/^-{47} /m)) {
    const text = block.replace(/\r/g, '');
    if (!/message received/.test(text) || !/\n\nINVITE /.test(text)) continue;
    const id = /^Call-ID: (.*)$/im.exec(text)?.[1]?.trim();
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

// The three segments' files, made by the first test and read by the ones after it.
const dir = mkdtempSync(join(work, 'm300-'));
const segmentFile = (i: number): string => join(dir, `segment-${i}.json`);
const hdrLog = join(dir, 'segment-0.hlog');
let segmentsRan = false;

test(
  'three segments of -m 300 (--segment 0/3 … 2/3) against one sipp -sn uac: 100 calls each, 300 distinct Call-IDs at SIPp, merged: 300 created and successful, percentiles of the union histogram',
  { skip: noSipp, timeout: 180_000 },
  async (t) => {
    const trace = join(dir, 'uas-messages.log');
    const uas = await startSippUas(dir, 'uas', ['-trace_msg', '-message_file', trace]);
    t.after(() => uas.child.kill('SIGKILL'));
    // Every segment starts together (--start-at), as the pods of an Indexed Job would.
    const startAt = new Date(Date.now() + 1500).toISOString();
    const runs = await Promise.all(
      [0, 1, 2].map(
        (i) =>
          sipts(
            [
              ...loopbackUac(uas.port),
              '-m',
              '300',
              '-r',
              '150',
              '--segment',
              `${i}/3`,
              '--start-at',
              startAt,
              '--json',
              segmentFile(i),
              ...(i === 0 ? ['--hdr-log', hdrLog] : []),
              '-nostdin',
            ],
            90_000,
          ).exited,
      ),
    );
    runs.forEach((r: Exited, i) => {
      assert.equal(r.code, 0, `segment ${i}: ${r.stderr}${r.stdout}`);
      assert.match(r.stderr, /waiting until .* \(--start-at\)/);
      assert.match(r.stderr, new RegExp(`segment ${i} of 3`));
    });
    const segs = [0, 1, 2].map((i) => readJson(segmentFile(i)));
    for (const [i, s] of segs.entries()) {
      assert.deepEqual([s.segment.index, s.segment.of], [i, 3]);
      // -m 300 over 3: 100 each (share.ts's stripes).
      assert.equal(s.counters.CallsCreated, 100, `segment ${i}`);
      assert.equal(s.counters.SuccessfulCalls, 100, `segment ${i}`);
    }
    // SIPp saw 300 calls, no two with one Call-ID, though the three processes may share a pid space.
    assert.equal(invitesReceived(trace).size, 300);
    segmentsRan = true;

    const merged = join(dir, 'merged.json');
    const junit = join(dir, 'merged.xml');
    const html = join(dir, 'merged.html');
    const m = await sipts(['merge', ...[0, 1, 2].map(segmentFile), '--json', merged, '--junit', junit, '--html', html], 60_000).exited;
    assert.equal(m.code, 0, m.stderr + m.stdout);
    const j = readJson(merged);
    assert.equal(j.counters.CallsCreated, 300);
    assert.equal(j.counters.SuccessfulCalls, 300);
    assert.equal(j.counters.FailedCalls, 0);
    assert.match(m.stdout, /Successful\s*│\s*300\s/);
    // Percentiles of the merged run = those of one histogram of all 300 calls' values.
    assert.deepEqual(pick(j.callLength), unionSummary(segs.map((s) => s.segment.stats.callLength)));
    assert.equal(j.callLength.count, 300);
    const rtd = j.responseTimes[0];
    assert.ok(rtd !== undefined);
    assert.deepEqual(pick(rtd), unionSummary(segs.map((s) => s.segment.stats.rtd[0]?.hist ?? { hdr: '', minUs: 0, maxUs: 0 })));
    // The merged JSON has every key a single run's has (scripts read it the same way).
    for (const k of Object.keys(segs[0] ?? {})) assert.ok(k in j, `merged --json lacks "${k}"`);
    assert.match(readFileSync(junit, 'utf8'), /<testsuites/);
    assert.match(readFileSync(html, 'utf8'), /3 segments merged/);
  },
);

test(
  'sipts merge decides a threshold once: a p99 limit the merged run misses exits 2 with one verdict; one it meets exits 0',
  { skip: noSipp, timeout: 60_000 },
  async (t) => {
    if (!segmentsRan) {
      t.skip('needs the segments of the test before');
      return;
    }
    const files = [0, 1, 2].map(segmentFile);
    const failing = await sipts(['merge', ...files, '--max-rtd-p99', '0.001', '--max-failed', '0'], 30_000).exited;
    assert.equal(failing.code, 2, failing.stderr + failing.stdout);
    assert.equal(failing.stdout.match(/^threshold max-rtd-p99.*FAILED$/gm)?.length, 1);
    assert.equal(failing.stdout.match(/^threshold max-failed: 0 \(limit <= 0\) passed$/gm)?.length, 1);
    const passing = await sipts(['merge', ...files, '--max-failed', '0', '--min-success-rate', '100'], 30_000).exited;
    assert.equal(passing.code, 0, passing.stderr + passing.stdout);
  },
);

test(
  'sipts merge refuses, naming the problem: a segment twice, a segment missing, another scenario, another sipts version, a file that is not a sipts result',
  { skip: noSipp, timeout: 60_000 },
  async (t) => {
    if (!segmentsRan) {
      t.skip('needs the segments of the test before');
      return;
    }
    const [s0, s1, s2] = [0, 1, 2].map(segmentFile) as [string, string, string];
    const refused = async (args: string[], pattern: RegExp): Promise<void> => {
      const r = await sipts(['merge', ...args], 30_000).exited;
      assert.equal(r.code, 255, r.stdout);
      assert.match(r.stderr, pattern);
    };
    await refused([s0, s1, s1, s2], /segment 1\/3 given twice: .*segment-1\.json and .*segment-1\.json/);
    await refused([s0, s2], /segment 1\/3 missing \(given: 0\/3, 2\/3\)/);
    const edited = (name: string, edit: (j: Record<string, unknown>) => void): string => {
      const j = JSON.parse(readFileSync(s2, 'utf8')) as Record<string, unknown>;
      edit(j);
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(j));
      return file;
    };
    const other = edited('other-scenario.json', (j) => {
      (j['segment'] as Record<string, unknown>)['scenarioSha256'] = '0'.repeat(64);
    });
    await refused([s0, s1, other], /other-scenario\.json: scenario "sipts uac" \(sha256 000000000000…\).*not segments of one run/);
    const older = edited('older.json', (j) => {
      j['version'] = '0.0.1';
    });
    await refused([s0, s1, older], /older\.json: written by sipts 0\.0\.1, .* run every segment with the same sipts version/);
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"counters": {}}');
    await refused([s0, junk], /junk\.json: not a sipts result/);
  },
);

/** HdrHistogram's Java implementation, when installed (Debian's libhdrhistogram-java). */
const JAR = ['/usr/share/java/hdrhistogram.jar', '/usr/share/java/HdrHistogram.jar'].find((p) => existsSync(p));
const javaOk = JAR !== undefined && spawnSync('java', ['-version'], { stdio: 'ignore' }).error === undefined;

test(
  '--hdr-log: an HdrHistogram log 1.3 whose intervals add up to the run: read by hdr-histogram-js and by HdrHistogram (Java) HistogramLogProcessor',
  { skip: noSipp, timeout: 60_000 },
  (t) => {
    if (!segmentsRan) {
      t.skip('needs the segments of the test before');
      return;
    }
    const text = readFileSync(hdrLog, 'utf8');
    const lines = text.split('\n');
    assert.match(lines[1] ?? '', /^#\[Histogram log format version 1\.3\]$/);
    assert.match(lines[2] ?? '', /^#\[StartTime: \d+\.\d{3} \(seconds since epoch\), /);
    assert.match(lines[3] ?? '', /^#\[BaseTime: \d+\.\d{3} \(seconds since epoch\)\]$/);
    assert.equal(lines[4], '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"');
    const s0 = readJson(segmentFile(0));
    // The package's own log reader: every interval of a tag, added, holds the run's count for it.
    const counts = new Map<string, number>();
    const reader = new HistogramLogReader(text, 64, false);
    for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram())
      counts.set(h.tag, (counts.get(h.tag) ?? 0) + h.totalCount);
    assert.deepEqual(Object.fromEntries(counts), { 'response-time-1': s0.responseTimes[0]?.count, 'call-length': s0.callLength.count });
    assert.equal(s0.callLength.count, 100);
    if (!javaOk) {
      t.diagnostic('HdrHistogram (Java) not installed (apt-get install libhdrhistogram-java): the log was read by hdr-histogram-js only');
      return;
    }
    const java = spawnSync(
      'java',
      ['-cp', JAR ?? '', 'org.HdrHistogram.HistogramLogProcessor', '-i', hdrLog, '-tag', 'call-length', '-outputValueUnitRatio', '1000'],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    assert.equal(java.status, 0, java.stderr);
    // Its whole-log histogram: the count, and the max (ms) to the precision it prints.
    const total = /Max\s*=\s*([\d.]+), Total count\s*=\s*(\d+)/.exec(java.stdout);
    assert.ok(total !== null, java.stdout);
    assert.equal(Number(total[2]), 100);
    assert.ok(
      Math.abs(Number(total[1]) - s0.callLength.maxMs) <= s0.callLength.maxMs * 0.001 + 0.001,
      `${total[1]} vs ${s0.callLength.maxMs}`,
    );
  },
);

const noKamailio = kamailioAvailable() ? false : 'kamailio is not installed (apt-get install kamailio)';

test(
  'registrar stress in 4 segments against Kamailio with a USER file (-users 200 -m 200): every user bound once, by the segment whose stripe holds it (kamcmd ul.dump)',
  { skip: noKamailio, timeout: 120_000 },
  async (t) => {
    const kdir = mkdtempSync(join(work, 'kamailio-'));
    const ctl = join(kdir, 'ctl.sock');
    const kam = await startKamailio(kdir, await freePort(), 'SHA-256', ctl);
    t.after(kam.stop);
    const users = 200;
    const name = (i: number): string => `user${String(i).padStart(5, '0')}`;
    const file = join(kdir, 'users.csv');
    // USER: user k (1-based, [userid]) reads line k-1.
    writeFileSync(file, `USER\n${Array.from({ length: users }, (_v, i) => `${name(i + 1)};pw-${name(i + 1)}`).join('\n')}\n`);
    const runs = await Promise.all(
      [0, 1, 2, 3].map(
        (i) =>
          sipts(
            [
              ...loopbackBuiltin('register', kam.port),
              '-inf',
              file,
              '-users',
              String(users),
              '-m',
              String(users),
              '--segment',
              `${i}/4`,
              '-nostdin',
            ],
            90_000,
          ).exited,
      ),
    );
    const portOf = new Map<string, number>();
    runs.forEach((r, i) => {
      assert.equal(r.code, 0, `segment ${i}: ${r.stderr}${r.stdout}`);
      assert.match(r.stdout, /Successful\s*│\s*50\s/);
      const port = /from 127\.0\.0\.1:(\d+)/.exec(r.stderr)?.[1];
      assert.ok(port !== undefined, r.stderr);
      portOf.set(port, i);
    });
    const dump = spawnSync('kamcmd', ['-s', `unix:${ctl}`, 'ul.dump'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(dump.status, 0, dump.stderr);
    // AOR → the ports of its contacts.
    const bound = new Map<string, string[]>();
    let aor = '';
    for (const line of dump.stdout.split('\n')) {
      const a = /^\s*AoR:\s*(\S+)/i.exec(line);
      if (a !== null) {
        aor = a[1] ?? '';
        bound.set(aor, []);
      }
      const c = /^\s*Address:\s*sip:[^@]+@127\.0\.0\.1:(\d+)/.exec(line);
      if (c !== null) bound.get(aor)?.push(c[1] ?? '');
    }
    assert.equal(bound.size, users, dump.stdout.slice(0, 2000));
    for (let k = 1; k <= users; k++) {
      const ports = bound.get(name(k)) ?? bound.get(`${name(k)}@127.0.0.1`) ?? [];
      assert.equal(ports.length, 1, `${name(k)}: ${ports.join(', ')}`);
      // Users are striped over the segments as over workers: user k lives in segment (k-1) mod 4.
      assert.equal(portOf.get(ports[0] ?? ''), (k - 1) % 4, `${name(k)} bound from port ${ports[0] ?? '?'}`);
    }
  },
);

test(
  'two segments × -workers 2 (-m 201 -r 100) against one sipp -sn uas: 201 calls, distinct Call-IDs; segment I placed the call numbers ≡ I (mod 2), worker k of segment I the numbers ≡ I + 2k (mod 4)',
  { skip: noSipp, timeout: 120_000 },
  async (t) => {
    const wdir = mkdtempSync(join(work, 'workers-'));
    const trace = join(wdir, 'uas-messages.log');
    const uas = await startSippUas(wdir, 'uas', ['-trace_msg', '-message_file', trace]);
    t.after(() => uas.child.kill('SIGKILL'));
    const runs = await Promise.all(
      [0, 1].map(
        (i) =>
          sipts(
            [
              ...loopbackUac(uas.port),
              '-m',
              '201',
              '-r',
              '200',
              '-workers',
              '2',
              '--segment',
              `${i}/2`,
              '--json',
              join(wdir, `s${i}.json`),
              '-nostdin',
            ],
            90_000,
          ).exited,
      ),
    );
    runs.forEach((r, i) => {
      assert.equal(r.code, 0, `segment ${i}: ${r.stderr}${r.stdout}`);
    });
    assert.deepEqual(
      [0, 1].map((i) => readJson(join(wdir, `s${i}.json`)).counters.CallsCreated),
      [101, 100],
    );
    const ids = [...invitesReceived(trace)];
    assert.equal(ids.length, 201);
    // %u-%p@%s: the call number, then the engine's tag <pid>.w<part>, part I + kN of N·W (load/share.ts).
    const bySegment = new Map<number, number>();
    for (const id of ids) {
      const m = /^(\d+)-\d+\.w(\d+)@/.exec(id);
      assert.ok(m !== null, id);
      const [callNumber, part] = [Number(m[1]), Number(m[2])];
      assert.equal((callNumber - 1) % 2, part % 2, `${id}: call ${callNumber} from part ${part}`);
      assert.equal((callNumber - 1) % 4, part, `${id}: worker's stripe`);
      bySegment.set(part % 2, (bySegment.get(part % 2) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(bySegment), { 0: 101, 1: 100 });
    const m = await sipts(['merge', join(wdir, 's0.json'), join(wdir, 's1.json')], 30_000).exited;
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /Successful\s*│\s*201\s/);
  },
);

test(
  'two segments streaming RTP to sipp -rtp_echo, merged: packets add up, jitter percentiles are those of the union of both histograms',
  { skip: noSipp, timeout: 180_000 },
  async (t) => {
    const mdir = mkdtempSync(join(work, 'media-'));
    writeFileSync(join(mdir, 'tone.wav'), toneWav('ulaw', { durationMs: 400 }));
    writeFileSync(
      join(mdir, 'uac.xml'),
      mediaUacScenario({ name: 'stream', profile: 'RTP/AVP', provisional: true, stream: 'tone.wav,2,0', payloadType: 0, talkMs: 1000 }),
    );
    const sippMp = await freeUdpRange(3);
    const uas = await startSippUas(mdir, 'uas', ['-rtp_echo', '-mp', String(sippMp)]);
    t.after(() => uas.child.kill('SIGKILL'));
    const file = (i: number): string => join(mdir, `s${i}.json`);
    const runs = await Promise.all(
      [0, 1].map(
        (i) =>
          sipts(
            [
              ...loopbackScenario(join(mdir, 'uac.xml'), uas.port),
              '-m',
              '6',
              '-r',
              '10',
              '--segment',
              `${i}/2`,
              '--json',
              file(i),
              '-nostdin',
              '-cp',
              '0',
            ],
            90_000,
            mdir,
          ).exited,
      ),
    );
    runs.forEach((r: Exited, i) => assert.equal(r.code, 0, `segment ${i}: ${r.stderr}`));
    type Rtp = Record<string, number>;
    const segs = [0, 1].map((i) => JSON.parse(readFileSync(file(i), 'utf8')) as { rtp: Rtp; segment: { rtp: { jitter: HistExport } } });
    const merged = join(mdir, 'merged.json');
    const m = await sipts(['merge', file(0), file(1), '--json', merged], 60_000).exited;
    assert.equal(m.code, 0, m.stderr + m.stdout);
    const rtp = (JSON.parse(readFileSync(merged, 'utf8')) as { rtp: Rtp }).rtp;
    // 3 calls per segment, each 20 packets played twice.
    for (const s of segs) assert.equal(s.rtp['packetsSent'], 3 * 40);
    for (const k of ['packetsSent', 'packetsReceived', 'packetsLost', 'errors'])
      assert.equal(rtp[k], (segs[0]?.rtp[k] ?? NaN) + (segs[1]?.rtp[k] ?? NaN), k);
    // The union of the two jitter histograms (one value per call, µs), by hdr-histogram-js's public API.
    const [a, b] = segs.map((s) => decodeFromCompressedBase64(s.segment.rtp.jitter.hdr, 64, false));
    assert.ok(a !== undefined && b !== undefined);
    a.add(b);
    assert.equal(a.totalCount, 6);
    assert.equal(rtp['jitterP99Ms'], Math.round(a.getValueAtPercentile(99)) / 1000);
    assert.equal(rtp['jitterP50Ms'], Math.round(a.getValueAtPercentile(50)) / 1000);
  },
);
