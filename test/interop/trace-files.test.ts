/**
 * Issue 16: -trace_shortmsg and -trace_error_codes files beside SIPp's for the same run: the same names,
 * line layouts and contents (times and process ids aside).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, sipp, sippAvailable, sipts, startSippUas, startSiptsUas } from '../helpers.js';

const TIME = /^\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d{6}\t\d{10}\.\d{6}/;

/** Runs SIPp's and sipts's uac with the same options (each in its own folder); their files and pids. */
async function both(
  target: string,
  options: readonly string[],
): Promise<{ sipp: { dir: string; pid: number }; sipts: { dir: string; pid: number } }> {
  const a = mkdtempSync(join(tmpdir(), 'sipts-trace-sipp-'));
  const b = mkdtempSync(join(tmpdir(), 'sipts-trace-sipts-'));
  const args = ['-sn', 'uac', target, '-i', '127.0.0.1', '-p', '0', ...options];
  const x = sipp(args, 30_000, a);
  const y = sipts([...args, '-cp', '0', '-nostdin'], 30_000, b);
  await Promise.all([x.exited, y.exited]);
  return { sipp: { dir: a, pid: x.child.pid ?? 0 }, sipts: { dir: b, pid: y.child.pid ?? 0 } };
}

test(
  "-trace_shortmsg: <scenario>_<pid>_shortmessages.log, a line per message as SIPp's",
  { skip: !sippAvailable(), timeout: 60_000 },
  async (t) => {
    const uas = await startSippUas(mkdtempSync(join(tmpdir(), 'sipts-trace-uas-')));
    t.after(() => uas.child.kill());
    const r = await both(`127.0.0.1:${uas.port}`, ['-m', '2', '-r', '5', '-trace_shortmsg']);
    const lines = (x: { dir: string; pid: number }): string[] => {
      const text = readFileSync(join(x.dir, `uac_${x.pid}_shortmessages.log`), 'latin1');
      const all = text.trimEnd().split('\n');
      for (const l of all) assert.match(l, TIME, l);
      // The time aside, and the process id in the Call-ID made neutral.
      return all.map((l) => l.split('\t').slice(3).join('\t').replaceAll(String(x.pid), 'PID'));
    };
    const ours = lines(r.sipts);
    assert.deepEqual(ours, lines(r.sipp));
    assert.equal(ours[0], `S\t1-PID@127.0.0.1\tCSeq:1 INVITE\tINVITE sip:service@127.0.0.1:${uas.port} SIP/2.0`);
  },
);

test(
  "-trace_error_codes: <scenario>_<pid>_error_codes.csv, rows of time;elapsed;codes, as SIPp's",
  { skip: !sippAvailable(), timeout: 60_000 },
  async (t) => {
    // Every call gets 486, which the uac does not expect.
    const busy = await startSiptsUas(['-sf', join(ROOT, 'test/fixtures/busy.xml'), '-cp', '0', '-nostdin']);
    t.after(() => busy.child.kill());
    const r = await both(`127.0.0.1:${busy.port}`, ['-m', '3', '-r', '2', '-fd', '1', '-trace_error_codes']);
    const rows = (x: { dir: string; pid: number }): string[][] => {
      const text = readFileSync(join(x.dir, `uac_${x.pid}_error_codes.csv`), 'latin1');
      const all = text.trimEnd().split('\n');
      for (const l of all) assert.match(l, /^\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d{6}\t\d{10}\.\d{6};\d\d:\d\d:\d\d:\d{6};(\d{3},)*$/, l);
      return all.map((l) => l.split(';'));
    };
    const ours = rows(r.sipts);
    const theirs = rows(r.sipp);
    // Both begin with a row as the run starts (within a few ms), with nothing in it.
    for (const first of [ours[0], theirs[0]]) {
      assert.match(first?.[1] ?? '', /^00:00:00:0\d\d000$/);
      assert.equal(first?.[2], '');
    }
    // Which row a code lands in depends on when each tool places its calls; the codes are the same.
    const codes = (rs: string[][]): string => rs.map((row) => row[2]).join('');
    assert.equal(codes(ours), '486,486,486,');
    assert.equal(codes(ours), codes(theirs));
  },
);

test(
  '-ringbuffer_size/-ringbuffer_files rotate, and -max_log_size caps, the short message trace as SIPp does',
  { skip: !sippAvailable(), timeout: 60_000 },
  async (t) => {
    const uas = await startSippUas(mkdtempSync(join(tmpdir(), 'sipts-trace-uas-')));
    t.after(() => uas.child.kill());
    const target = `127.0.0.1:${uas.port}`;
    // 6 calls make about 4,600 bytes of short messages: one rotation past 3,000 bytes.
    const [rotated, capped] = await Promise.all([
      both(target, ['-m', '6', '-r', '6', '-trace_shortmsg', '-ringbuffer_size', '3000', '-ringbuffer_files', '2']),
      both(target, ['-m', '2', '-r', '6', '-trace_shortmsg', '-max_log_size', '500']),
    ]);
    const files = (x: { dir: string; pid: number }): string[] =>
      readdirSync(x.dir)
        .filter((f) => f.includes('shortmessages'))
        .sort()
        .map((f) => f.replace(String(x.pid), 'PID').replace(/_\d{10}(\.\d+)?\.log$/, '_START.log'));
    const lines = (x: { dir: string; pid: number }): string[] =>
      readdirSync(x.dir)
        .filter((f) => f.includes('shortmessages'))
        .sort()
        .reverse() // the rotated file (…_START.log) holds the first lines: uac_PID_shortmessages.log sorts first
        .flatMap((f) => readFileSync(join(x.dir, f), 'latin1').trimEnd().split('\n'))
        .map((l) => l.split('\t').slice(3).join('\t').replaceAll(String(x.pid), 'PID'));
    assert.deepEqual(files(rotated.sipts), ['uac_PID_shortmessages.log', 'uac_PID_shortmessages_START.log']);
    assert.deepEqual(files(rotated.sipts), files(rotated.sipp));
    assert.deepEqual(lines(rotated.sipts), lines(rotated.sipp));
    const size = statSync(join(rotated.sipts.dir, readdirSync(rotated.sipts.dir).find((f) => /_\d{10}\.log$/.test(f)) ?? '')).size;
    assert.ok(size > 3000 && size < 3100, `the rotated file holds what crossed 3,000 bytes: ${size}`);
    // -max_log_size: the line that crosses 500 bytes is the last one written.
    assert.deepEqual(lines(capped.sipts), lines(capped.sipp));
    // Lines of 100 to 120 bytes: the fifth crosses 500.
    assert.equal(lines(capped.sipts).length, 5);
  },
);
