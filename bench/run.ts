/**
 * `npm run bench`: benchmarks, not tests. Installs nothing; uses SIPp when it is installed, and then every
 * figure is given as a ratio sipts / SIPp measured in this same run. Prints a short table and writes
 * bench-result.json in the current folder.
 *   npm run bench                      micro, cpu, maxrate, memory, accuracy, inject, register (about 35 minutes)
 *   npm run bench -- cpu memory        only those parts
 *   npm run bench -- reports           the reporting overhead (issue 4), only when asked for
 *   npm run bench -- soak              the 10-minute soak (memory over time), only when asked for
 *   npm run bench -- tcp               CPU per call over TCP (-t t1), only when asked for
 *   npm run bench -- workers           CPU per call with 1 and 2 -workers at the same rate (SIPp needed), only when asked for
 *   npm run bench -- perf              instructions, cycles and context switches per call (Linux perf), only when asked for
 *   npm run bench -- media             1,000 concurrent G.711 calls streaming RTP: CPU per stream-second, loss, jitter (SIPp needed), only when asked for
 *   npm run bench -- inject            load time and peak memory of a 100,000- and a 1,000,000-line -inf file
 *   npm run bench -- register          CPU per registration with digest against Kamailio, users from an -inf file (Kamailio needed)
 *                                      (BENCH_REGISTER_SECONDS=4 shortens each run, for a smoke run)
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import {
  accuracy,
  cpuPerCall,
  CPU_WINDOW,
  maxRate,
  memory,
  PAIRS,
  type Accuracy,
  type CpuFigure,
  type MaxRate,
  type MemoryFigure,
} from './macro.js';
import { perfFigures, perfInstalled } from './instructions.js';
import { injectionScale, type InjectionFigure } from './injection-scale.js';
import { mediaBench, STREAMS } from './media.js';
import { micro } from './micro.js';
import { sippInstalled, type Tool } from './peers.js';
import { kamailioInstalled, registerBench, type RegisterFigure } from './register.js';
import { reportOverhead } from './report-overhead.js';
import { sippSplitCost, workersCost } from './workers.js';

const args = process.argv.slice(2);
// inject and register too: issue 21's targets (a million-line -inf file, registrations) are read from one run.
const DEFAULT = ['micro', 'cpu', 'maxrate', 'memory', 'accuracy', 'inject', 'register'];
const wanted = (name: string): boolean => (args.length === 0 ? DEFAULT.includes(name) : args.includes(name));
const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

const sipp = sippInstalled();
const result: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  sipp: sipp ? (spawnSync('sipp', ['-v'], { encoding: 'utf8' }).stdout.match(/SIPp v[\d.]+/)?.[0] ?? 'yes') : 'not installed',
};
const ratios: [string, number][] = [];
const table = new Table({ head: ['figure', 'sipts', 'SIPp', 'sipts / SIPp'], style: { head: [], border: [] } });
const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const row = (figure: string, ours: number, theirs: number, digits = 1): void => {
  const ratio = ours / theirs;
  ratios.push([figure, ratio]);
  table.push([figure, fmt(ours, digits), fmt(theirs, digits), fmt(ratio, 2)]);
};
if (!sipp) log('SIPp is not installed (apt-get install sip-tester): only sipts → sipts is measured, and there are no ratios.');
const pairs = PAIRS.filter(([uac, uas]) => sipp || (uac === 'sipts' && uas === 'sipts'));

if (wanted('micro')) {
  log('Micro benchmarks (ns per operation, median of 7 rounds)');
  result['micro'] = await micro(log);
}

/**
 * Rounds of the CPU-per-call parts (cpu and its floor, tcp, register), the tools in turn: the median of three,
 * as one slow run of two (these machines swing by a tenth to a third from minute to minute) moved a two-round
 * figure by half its swing.
 */
const CPU_ROUNDS = 3;

if (wanted('cpu')) {
  const rates = [1000, 3000, 6000];
  log(
    `CPU per call (user + system from /proc, seconds ${CPU_WINDOW[0]} to ${CPU_WINDOW[1]} of ${CPU_WINDOW[1] + 1}-s runs), ${rates.join(', ')} calls/s, ${CPU_ROUNDS} rounds`,
  );
  const toolsCpu: CpuFigure[] = await cpuPerCall(pairs, rates, CPU_ROUNDS, log);
  // The floor (bench/floor-peer.ts) against SIPp: what any Node program spends, before SIP work of its own.
  // Only at the rates of the issue's target: the floor does not retransmit, so at 6,000/s SIPp's uas loses
  // some of its calls and the figure means little.
  const floorRates = rates.filter((r) => r <= 3000);
  const floor: (readonly [Tool, Tool])[] = [
    ['floor', 'sipp'],
    ['sipp', 'floor'],
  ];
  const cpu = [...toolsCpu, ...(sipp ? await cpuPerCall(floor, floorRates, CPU_ROUNDS, log) : [])];
  result['cpu'] = cpu;
  const at = (pair: string, rate: number): CpuFigure | undefined => cpu.find((c) => c.pair === pair && c.rate === rate);
  for (const rate of rates) {
    row(
      `UAC CPU µs/call at ${rate}/s (against SIPp's uas)`,
      at('sipts→sipp', rate)?.uacUsPerCall ?? Number.NaN,
      at('sipp→sipp', rate)?.uacUsPerCall ?? Number.NaN,
    );
    row(
      `UAS CPU µs/call at ${rate}/s (SIPp's uac calling)`,
      at('sipp→sipts', rate)?.uasUsPerCall ?? Number.NaN,
      at('sipp→sipp', rate)?.uasUsPerCall ?? Number.NaN,
    );
    if (sipp && floorRates.includes(rate)) {
      row(
        `  floor: bare node:dgram UAC at ${rate}/s`,
        at('floor→sipp', rate)?.uacUsPerCall ?? Number.NaN,
        at('sipp→sipp', rate)?.uacUsPerCall ?? Number.NaN,
      );
      row(
        `  floor: bare node:dgram UAS at ${rate}/s`,
        at('sipp→floor', rate)?.uasUsPerCall ?? Number.NaN,
        at('sipp→sipp', rate)?.uasUsPerCall ?? Number.NaN,
      );
    }
    const own = at('sipts→sipts', rate);
    table.push([
      `sipts → sipts at ${rate}/s: UAC / UAS µs/call`,
      `${fmt(own?.uacUsPerCall ?? Number.NaN)} / ${fmt(own?.uasUsPerCall ?? Number.NaN)}`,
      '',
      '',
    ]);
  }
}

if (wanted('tcp')) {
  const rates = [1000, 3000];
  log(`CPU per call over TCP (-t t1, one connection), ${rates.join(', ')} calls/s, ${CPU_ROUNDS} rounds`);
  const cpu: CpuFigure[] = await cpuPerCall(pairs, rates, CPU_ROUNDS, log, ['-t', 't1']);
  result['tcp'] = cpu;
  const at = (pair: string, rate: number): CpuFigure | undefined => cpu.find((c) => c.pair === pair && c.rate === rate);
  for (const rate of rates) {
    row(
      `TCP: UAC CPU µs/call at ${rate}/s (against SIPp's uas)`,
      at('sipts→sipp', rate)?.uacUsPerCall ?? Number.NaN,
      at('sipp→sipp', rate)?.uacUsPerCall ?? Number.NaN,
    );
    row(
      `TCP: UAS CPU µs/call at ${rate}/s (SIPp's uac calling)`,
      at('sipp→sipts', rate)?.uasUsPerCall ?? Number.NaN,
      at('sipp→sipp', rate)?.uasUsPerCall ?? Number.NaN,
    );
  }
}

if (args.includes('workers')) {
  if (!sipp) log('workers needs SIPp (the peer); skipped.');
  else {
    log(
      "CPU per call with -workers 1 and 2 at 3000 calls/s (all threads, seconds 3 to 8 of 9-s runs), sipts UAC against SIPp's uas and SIPp's uac against sipts UAS, 1 round",
    );
    const figures = await workersCost(3000, 1, log);
    log('The same split the SIPp way: two SIPp uac processes at 1500 calls/s each against one at 3000 calls/s, 1 round');
    const split = await sippSplitCost(3000, 1, log);
    log('Highest clean rate of sipts UAC with -workers 1 and 2 against sipts -sn uas (rate ×1.25 a step from 4000/s)');
    const highest: (MaxRate & { readonly workers: number })[] = [];
    for (const n of [1, 2])
      highest.push({ workers: n, ...(await maxRate('sipts', 'sipts', 4000, 1.25, 80_000, [], log, ['-workers', String(n)])) });
    result['workers'] = { sipts: figures, sippSplit: split, highest };
    for (const f of figures)
      table.push([
        `${f.role}: -workers 2 / -workers 1 CPU µs/call at ${f.rate}/s`,
        `${fmt(f.twoUsPerCall)} / ${fmt(f.oneUsPerCall)} = ${fmt(f.ratio, 2)}${f.unclean > 0 ? ` (${f.unclean} unclean)` : ''}`,
        f.role === 'UAC' ? `2 processes / 1: ${fmt(split.twoUsPerCall)} / ${fmt(split.oneUsPerCall)} = ${fmt(split.ratio, 2)}` : '',
        '',
      ]);
    for (const h of highest)
      table.push([`highest clean rate, sipts UAC -workers ${h.workers} → sipts UAS (calls/s)`, fmt(h.rate, 0), '', '']);
  }
}

if (args.includes('media')) {
  if (!sipp) log('media needs SIPp (the peer of the one-way runs, and the other tool); skipped.');
  else {
    log(
      `RTP media: ${STREAMS} concurrent G.711 calls (20 ms packets) streaming for 14 s; CPU of the UAC from /proc, seconds 6 to 13; two-way (echoed) and one-way; 2 rounds`,
    );
    const figures = await mediaBench(2, log);
    result['media'] = figures;
    for (const f of figures) {
      row(`media ${f.mode}: UAC CPU µs per stream-second`, f.siptsUsPerStreamSecond, f.sippUsPerStreamSecond);
      if (f.mode === 'two-way')
        table.push([
          `media two-way, sipts: loss %, jitter p99 ms, own send lateness p99 ms`,
          `${fmt(f.lossPercent, 3)}, ${fmt(f.jitterP99Ms, 2)}, ${fmt(f.sendLatenessP99Ms, 2)}`,
          'not measured',
          '',
        ]);
    }
  }
}

if (args.includes('perf')) {
  if (!sipp || !perfInstalled()) log('perf needs SIPp and Linux perf (apt-get install linux-perf); skipped.');
  else {
    log('Instructions, cycles and context switches per call (perf stat on one side, seconds 3 to 8), 3,000 calls/s against SIPp, 3 rounds');
    const figures = await perfFigures(3000, 3, log);
    result['perf'] = figures;
    const of = (side: string, tool: string): number =>
      figures.find((f) => f.side === side && f.tool === tool)?.userInstructions ?? Number.NaN;
    for (const side of ['UAC', 'UAS']) {
      row(`${side}: user instructions per call at 3000/s (thousands)`, of(side, 'sipts') / 1000, of(side, 'sipp') / 1000);
      row(`  floor: ${side} user instructions per call (thousands)`, of(side, 'floor') / 1000, of(side, 'sipp') / 1000);
    }
  }
}

if (wanted('inject')) {
  log(
    'Injection files at scale: peak RSS and time to the first REGISTER of `-sf bench/injection-register.xml -inf users.csv -m 1`, 2 rounds (lowest)',
  );
  const tools: Tool[] = sipp ? ['sipts', 'sipp'] : ['sipts'];
  const figures: InjectionFigure[] = await injectionScale([100_000, 1_000_000], tools, 2, log);
  result['inject'] = figures;
  const of = (tool: Tool, lines: number, indexed: boolean): InjectionFigure | undefined =>
    figures.find((f) => f.tool === tool && f.lines === lines && f.indexed === indexed);
  for (const [lines, indexed] of [
    [100_000, false],
    [1_000_000, false],
    [1_000_000, true],
  ] as const) {
    const what = `-inf of ${lines} lines${indexed ? ', -infindex' : ''}`;
    row(
      `${what}: peak RSS (MiB)`,
      (of('sipts', lines, indexed)?.peakRssKb ?? Number.NaN) / 1024,
      (of('sipp', lines, indexed)?.peakRssKb ?? Number.NaN) / 1024,
      0,
    );
    row(
      `${what}: first REGISTER after (ms)`,
      of('sipts', lines, indexed)?.firstRegisterMs ?? Number.NaN,
      of('sipp', lines, indexed)?.firstRegisterMs ?? Number.NaN,
      0,
    );
  }
}

if (wanted('register')) {
  if (!kamailioInstalled()) log('register needs Kamailio (apt-get install kamailio), the registrar; skipped.');
  else {
    const rates = [1000, 3000];
    const seconds = Number(process.env['BENCH_REGISTER_SECONDS'] ?? '') || 9;
    log(
      `REGISTER with MD5 digest against Kamailio (bench/kamailio-register.cfg), users from a SEQUENTIAL -inf file: CPU per registration from /proc, seconds ${Number((seconds / 3).toFixed(1))} to ${seconds - 1} of ${seconds}-s runs, ${rates.join(', ')}/s, the tools in turn, ${CPU_ROUNDS} rounds`,
    );
    const tools: Tool[] = sipp ? ['sipp', 'sipts', 'floor'] : ['sipts', 'floor'];
    const figures: RegisterFigure[] = await registerBench(rates, tools, CPU_ROUNDS, seconds, log);
    result['register'] = figures;
    const of = (tool: Tool, rate: number): RegisterFigure | undefined => figures.find((f) => f.tool === tool && f.rate === rate);
    const unclean = (rate: number): string => {
      const bad = tools.filter((t) => (of(t, rate)?.unclean ?? 0) > 0).map((t) => `${t} ${of(t, rate)?.unclean ?? 0}/${CPU_ROUNDS}`);
      return bad.length === 0 ? '' : ` (unclean runs: ${bad.join(', ')})`;
    };
    for (const rate of rates) {
      row(
        `REGISTER+digest CPU µs/registration at ${rate}/s${unclean(rate)}`,
        of('sipts', rate)?.usPerRegistration ?? Number.NaN,
        of('sipp', rate)?.usPerRegistration ?? Number.NaN,
      );
      row(
        `  floor: bare node:dgram registering at ${rate}/s`,
        of('floor', rate)?.usPerRegistration ?? Number.NaN,
        of('sipp', rate)?.usPerRegistration ?? Number.NaN,
      );
      table.push([
        `  Kamailio's CPU at ${rate}/s (cores; sipts / SIPp runs)`,
        fmt(of('sipts', rate)?.kamailioCores ?? Number.NaN, 2),
        fmt(of('sipp', rate)?.kamailioCores ?? Number.NaN, 2),
        '',
      ]);
    }
  }
}

if (wanted('maxrate')) {
  log('Highest rate with every call of a 10-s run successful on both sides (each tool with its default options), rate ×1.25 a step');
  const found: MaxRate[] = [];
  for (const [uac, uas] of pairs) found.push(await maxRate(uac, uas, 2000, 1.25, 60_000, [], log));
  // The same with SIPp given sipts's socket buffers: how much of the difference is the buffer.
  if (sipp) found.push(await maxRate('sipp', 'sipp', 2000, 1.25, 60_000, ['-buff_size', String(4 << 20)], log));
  result['maxRate'] = found;
  const best = (pair: string, i = 0): number => found.filter((f) => f.pair === pair)[i]?.rate ?? Number.NaN;
  row('Highest clean rate, sipts UAC → SIPp uas (calls/s)', best('sipts→sipp'), best('sipp→sipp'), 0);
  row('Highest clean rate, SIPp uac → sipts UAS (calls/s)', best('sipp→sipts'), best('sipp→sipp'), 0);
  row('Highest clean rate, sipts → sipts (calls/s)', best('sipts→sipts'), best('sipp→sipp'), 0);
  table.push(['SIPp → SIPp with -buff_size 4194304 (calls/s)', '', fmt(best('sipp→sipp', 1), 0), '']);
}

if (wanted('memory') && sipp) {
  log('Peak resident memory with 50,000 calls open (5,000 calls/s for 10 s, each held by -d)');
  const mem: MemoryFigure[] = await memory(50_000, 5000, log);
  result['memory'] = mem;
  const rss = (role: string, tool: string): number => (mem.find((m) => m.role === role && m.tool === tool)?.peakRssKb ?? Number.NaN) / 1024;
  row('Peak RSS, UAC with 50,000 open calls (MiB)', rss('UAC', 'sipts'), rss('UAC', 'sipp'), 0);
  row('Peak RSS, UAS with 50,000 open calls (MiB)', rss('UAS', 'sipts'), rss('UAS', 'sipp'), 0);
}

if (wanted('accuracy')) {
  log('Rate accuracy at -r 5000 (calls placed per second over the 10 s of full rate of a 12-s run)');
  const acc: Accuracy[] = await accuracy(5000, sipp, log);
  result['accuracy'] = acc;
  const of = (pair: string): number => acc.find((a) => a.pair === pair)?.achieved ?? Number.NaN;
  row('Achieved rate at -r 5000 (calls/s)', of('sipts→sipts'), of('sipp→sipp'));
}

if (wanted('reports')) {
  log('Reporting overhead: sipts -sn uac, 3000 calls/s for 8 s, without reports / with every report / with -trace_msg');
  const r = await reportOverhead(3000, 8, 3, log);
  result['reports'] = r;
  log(
    `  CPU per call: ${r.plainUsPerCall.toFixed(1)} µs plain, ${r.reportsUsPerCall.toFixed(1)} µs with every report (x${r.reportsRatio.toFixed(3)}), ${r.messagesUsPerCall.toFixed(1)} µs with -trace_msg (x${r.messagesRatio.toFixed(3)})`,
  );
}

if (args.includes('soak')) {
  // A full GC before each sample needs --expose-gc: the soak runs in a child Node with it.
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('./soak.js', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  result['soak'] = JSON.parse(r.stdout || 'null') as unknown;
  if (r.status !== 0) {
    log('soak: FAILED (heap grew more than 10% after minute one, or a call failed)');
    process.exitCode = 1;
  }
}

result['ratios'] = Object.fromEntries(ratios);
writeFileSync('bench-result.json', `${JSON.stringify(result, null, 2)}\n`);
if (table.length > 0) process.stdout.write(`${table.toString()}\n`);
log('written: bench-result.json');
