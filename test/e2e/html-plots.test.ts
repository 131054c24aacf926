/**
 * The numbers behind the HTML report's plots: each SVG path is read back into data through the chart's own axis
 * ticks, and compared with the run it plots: calls per second at a known rate, calls that add up to the run's
 * count, failures that end at the number of failed calls.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, sipts, startSiptsUas, loopbackUac } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sipts-html-plots-'));

/** The series of the chart titled `title`, by legend name, as [seconds, value] read back through its axis ticks. */
function chart(html: string, title: string): Map<string, [number, number][]> {
  const svg = new RegExp(`<svg [^>]*aria-label="${title}">(.*?)</svg>`).exec(html)?.[1];
  if (svg === undefined) throw new Error(`no chart "${title}"`);
  // Horizontal grid lines, each with its value label: pixel y → value.
  const ys = [
    ...svg.matchAll(
      /<line x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)" y2="[\d.]+" stroke="#ddd"\/><text [^>]*text-anchor="end">([\d.e+-]+)<\/text>/g,
    ),
  ].map((m) => [Number(m[1]), Number(m[2])] as const);
  // Labels under the x axis: pixel x → seconds.
  const xs = [...svg.matchAll(/<text x="([\d.]+)" y="[\d.]+" font-size="11" text-anchor="middle">([\d.e+-]+)<\/text>/g)].map(
    (m) => [Number(m[1]), Number(m[2])] as const,
  );
  const line = (ticks: readonly (readonly [number, number])[], what: string): ((px: number) => number) => {
    const a = ticks[0];
    const b = ticks.at(-1);
    if (a === undefined || b === undefined || a[0] === b[0]) throw new Error(`"${title}": fewer than two ${what} ticks`);
    return (px) => a[1] + ((px - a[0]) * (b[1] - a[1])) / (b[0] - a[0]);
  };
  const yOf = line(ys, 'y');
  const xOf = line(xs, 'x');
  const names = new Map(
    [...svg.matchAll(/<rect [^>]*fill="(#[0-9a-f]+)"\/><text [^>]*>([^<]+)<\/text>/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
  );
  const out = new Map<string, [number, number][]>();
  for (const m of svg.matchAll(/<path d="([^"]+)" fill="none" stroke="(#[0-9a-f]+)"/g)) {
    const points = [...(m[1] ?? '').matchAll(/[ML]([\d.]+),([\d.]+)/g)].map(
      (p) => [xOf(Number(p[1])), yOf(Number(p[2]))] as [number, number],
    );
    out.set(names.get(m[2] ?? '') ?? '?', points);
  }
  return out;
}

/** ∫ rate dt over per-second-rate points, each covering the time since the point before (the first: since 0). */
const integral = (points: readonly [number, number][]): number =>
  points.reduce((sum, [t, v], i) => sum + v * (t - (points[i - 1]?.[0] ?? 0)), 0);

test(
  'HTML plots: 100 calls at 20 a second plot at 20 calls/s, add up to 100 created and 100 successful, no failure',
  { timeout: 60_000 },
  async (t) => {
    const uas = await startSiptsUas(['-cp', '0']);
    t.after(() => uas.child.kill('SIGKILL'));
    const file = join(dir, 'rate.html');
    const r = await sipts([...loopbackUac(uas.port), '-cp', '0', '-r', '20', '-m', '100', '--html', file]).exited;
    assert.equal(r.code, 0, r.stderr);
    const html = readFileSync(file, 'utf8');
    const rate = chart(html, 'Call rate');
    const created = rate.get('created') ?? [];
    const successful = rate.get('successful') ?? [];
    assert.ok(created.length >= 4, `a point a second over the 5-s run: ${JSON.stringify(created)}`);
    // Whole seconds inside the run (not the first, not the last, partial one): 20 calls each, ±15%.
    const last = created.at(-1)?.[0] ?? 0;
    const inner = created.filter(([s]) => s > 1.5 && s < last - 1);
    assert.ok(inner.length >= 2, JSON.stringify(created));
    for (const [s, v] of inner) assert.ok(v >= 17 && v <= 23, `${v.toFixed(2)} calls/s at ${s.toFixed(2)} s`);
    // Rate × time adds up to the calls of the run (the pixel coordinates are rounded to 0.1).
    assert.ok(Math.abs(integral(created) - 100) <= 2, `created: ${integral(created)}`);
    assert.ok(Math.abs(integral(successful) - 100) <= 2, `successful: ${integral(successful)}`);
    const failures = chart(html, 'Failures and load');
    assert.ok(
      (failures.get('failed (total)') ?? []).every(([, v]) => Math.abs(v) < 0.05),
      'no failure plotted',
    );
    // The last open-calls point is the end of the run: none open.
    assert.ok(Math.abs(failures.get('open calls')?.at(-1)?.[1] ?? -1) < 0.05);
  },
);

test('HTML plots: the failures curve ends at the number of failed calls', { timeout: 60_000 }, async (t) => {
  const uas = await startSiptsUas(['-sf', join(ROOT, 'test/fixtures/busy.xml'), '-cp', '0']);
  t.after(() => uas.child.kill('SIGKILL'));
  const file = join(dir, 'busy.html');
  const r = await sipts([...loopbackUac(uas.port), '-cp', '0', '-r', '10', '-m', '15', '--html', file]).exited;
  assert.equal(r.code, 1, r.stderr);
  const failed = chart(readFileSync(file, 'utf8'), 'Failures and load').get('failed (total)') ?? [];
  assert.ok(failed.length >= 2, JSON.stringify(failed));
  assert.ok(Math.abs((failed.at(-1)?.[1] ?? 0) - 15) < 0.1, `last point: ${JSON.stringify(failed.at(-1))}`);
  failed.slice(1).forEach(([, v], i) => assert.ok(v >= (failed[i]?.[1] ?? 0) - 0.05, 'a running total never goes down'));
});
