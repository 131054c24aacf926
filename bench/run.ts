/**
 * `npm run bench`: benchmarks, not tests. Installs nothing; uses SIPp when it is installed. Prints a short
 * table and writes bench-result.json in the current folder.
 *   npm run bench                 every benchmark
 *   npm run bench -- reports      only the reporting overhead
 *   npm run bench -- soak         the 10-minute soak (memory over time), only when asked for
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportOverhead } from './report-overhead.js';

const only = process.argv.slice(2);
const wanted = (name: string): boolean => only.length === 0 || only.includes(name);

const log = (s: string): void => { process.stderr.write(`${s}\n`); };
const result: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };

if (wanted('reports')) {
  log('Reporting overhead: sipts -sn uac, 3000 calls/s for 8 s, without reports / with every report / with -trace_msg');
  const r = await reportOverhead(3000, 8, 3, log);
  result['reports'] = r;
  log(`  CPU per call: ${r.plainUsPerCall.toFixed(1)} µs plain, ${r.reportsUsPerCall.toFixed(1)} µs with every report (x${r.reportsRatio.toFixed(3)}), ${r.messagesUsPerCall.toFixed(1)} µs with -trace_msg (x${r.messagesRatio.toFixed(3)})`);
}

if (only.includes('soak')) {
  // A full GC before each sample needs --expose-gc: the soak runs in a child Node with it.
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('./soak.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  result['soak'] = JSON.parse(r.stdout || 'null') as unknown;
}

writeFileSync('bench-result.json', `${JSON.stringify(result, null, 2)}\n`);
log('written: bench-result.json');
