/**
 * SIPp's trace files and sipts's reports from the command line: names, layouts and contents that agree
 * with the run's summary; failed-call ladders; the JUnit file against a JUnit XML schema; /metrics scraped
 * during a run; the -cp control port.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  freePort,
  junitSchemaErrors,
  lastCsvRow,
  outputSoFar,
  ROOT,
  sipts,
  startSiptsUas,
  waitForOutput,
  loopbackUac,
} from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sipts-traces-'));
const busy = join(ROOT, 'test/fixtures/busy.xml');
const logging = join(dir, 'logging.xml');
writeFileSync(
  logging,
  readFileSync(join(ROOT, 'scenarios/uac.xml'), 'utf8').replace(
    /(<recv response="200"[^>]*?)\/>/,
    '$1><action><log message="answered [call_id]"/></action></recv>',
  ),
);

const f = (name: string): string => join(dir, name);
const lines = (path: string): string[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');

// -workers 2: the same files and figures, the traces written by the main thread from what both workers traced.
for (const [tag, split] of [
  ['', []],
  [' (-workers 2)', ['-workers', '2']],
] as const)
  test(`every trace of a passing run agrees with its summary${tag}`, { timeout: 60_000 }, async (t) => {
    const uas = await startSiptsUas(['-cp', '0']);
    t.after(() => uas.child.kill('SIGKILL'));
    const run = sipts(
      [
        ...split,
        '-sf',
        logging,
        `127.0.0.1:${uas.port}`,
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-r',
        '100',
        '-m',
        '50',
        '-cp',
        '0',
        '-message_file',
        f(`m${split.length}.log`),
        '-error_file',
        f(`e${split.length}.log`),
        '-trace_rtt',
        '-rtt_freq',
        '7',
        '-trace_counts',
        '-trace_stat',
        '-stf',
        f(`s${split.length}.csv`),
        '-screen_file',
        f(`screen${split.length}.log`),
        '-log_file',
        f(`logs${split.length}.log`),
        '-calldebug_file',
        f(`cd${split.length}.log`),
        '--json',
        f(`r${split.length}.json`),
      ],
      60_000,
      dir,
    );
    const r = await run.exited;
    assert.equal(r.code, 0, r.stderr);
    const pid = run.child.pid ?? 0;
    const json = JSON.parse(readFileSync(f(`r${split.length}.json`), 'utf8')) as {
      counters: Record<string, number>;
      steps: { sent: number; recv: number }[];
    };
    // -trace_msg: SIPp's layout, one block per message, as many as were sent and received.
    const msgs = readFileSync(f(`m${split.length}.log`), 'latin1');
    const sent = json.steps.reduce((n, s) => n + s.sent, 0) - 50; // minus the pause's count of calls that entered it
    assert.equal(msgs.match(/^UDP message sent \(\d+ bytes\):$/gm)?.length, sent);
    assert.equal(
      msgs.match(/^UDP message received \[\d+\] bytes :$/gm)?.length,
      json.steps.reduce((n, s) => n + s.recv, 0),
    );
    assert.match(msgs, /^-{47} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\nUDP message sent \(\d+ bytes\):\n\nINVITE sip:/m);
    // -trace_rtt: one row per call (the scenario measures one response time per call).
    const rtt = lines(traceFile('rtt.csv', pid));
    assert.equal(rtt[0], 'Date_ms;response_time_ms;rtd_no');
    assert.equal(rtt.length - 1, 50);
    for (const row of rtt.slice(1)) assert.match(row, /^\d+\.\d{3};\d+\.\d{3};1$/);
    // -trace_counts: SIPp's column names; the last row's counts are the summary's.
    const counts = lines(traceFile('counts.csv', pid));
    assert.match(counts[0] ?? '', /^CurrentTime;ElapsedTime;0_INVITE_Sent;0_INVITE_Retrans;0_INVITE_Timeout;1_100_Recv;/);
    const last = lastCsvRow(traceFile('counts.csv', pid));
    assert.equal(last['0_INVITE_Sent'], '50');
    assert.equal(last['8_200_Recv'], '50');
    // -trace_logs: the <log> action, once per call.
    const logs = lines(f(`logs${split.length}.log`));
    assert.equal(logs.length, 50);
    assert.match(logs[0] ?? '', /^answered \d+-\d+(?:\.w\d)?@127\.0\.0\.1$/);
    // -trace_screen: every screen, with the final numbers.
    const screen = readFileSync(f(`screen${split.length}.log`), 'utf8');
    for (const s of ['Scenario', 'Statistics', 'Repartition', 'Variables', 'Percentiles', 'Failures'])
      assert.match(screen, new RegExp(`-- ${s} Screen --`));
    assert.match(screen, /Successful call +\| \d+ +\| 50/);
    // Nothing failed: the error trace has its header only, and no call was worth debugging.
    assert.deepEqual(lines(f(`e${split.length}.log`)), ['The following events occurred:']);
    assert.equal(readFileSync(f(`cd${split.length}.log`), 'utf8'), '');
  });

/** -trace_rtt and -trace_counts have no file option in SIPp: theirs are <scenario>_<pid>_… in the current folder. */
function traceFile(suffix: string, pid: number): string {
  const name = readdirSync(dir).find((n) => n.startsWith(`logging_${pid}_`) && n.endsWith(`_${suffix}`));
  if (name === undefined) throw new Error(`no logging_<pid>_${suffix} in ${dir}`);
  return join(dir, name);
}

// -workers 2: the same files, written by the main thread from what both workers traced (workers/trace-forward.ts).
for (const [tag, split] of [
  ['', []],
  [' (-workers 2)', ['-workers', '2']],
] as const)
  test(
    `a failing run: the error trace and the reports show the ladder of the first failed calls; JUnit passes the schema${tag}`,
    { timeout: 60_000 },
    async (t) => {
      const uas = await startSiptsUas(['-sf', busy, '-m', '5', '-cp', '0']);
      t.after(() => uas.child.kill('SIGKILL'));
      const r = await sipts([
        ...loopbackUac(uas.port),
        ...split,
        '-r',
        '50',
        '-m',
        '5',
        '-cp',
        '0',
        '-error_file',
        f(`fail${split.length}-e.log`),
        '-calldebug_file',
        f(`fail${split.length}-cd.log`),
        '--junit',
        f(`fail${split.length}.xml`),
        '--html',
        f(`fail${split.length}.html`),
        '--json',
        f(`fail${split.length}.json`),
      ]).exited;
      assert.equal(r.code, 1);
      const errors = readFileSync(f(`fail${split.length}-e.log`), 'latin1');
      assert.equal(
        errors.match(
          /Aborting call on unexpected message for Call-Id '\d+-\d+(?:\.w\d)?@127\.0\.0\.1': while expecting '<- 200' \(index \d\), received 'SIP\/2\.0 486 Busy Here/g,
        )?.length,
        5,
      );
      // The first three failed calls (of one reason) get a ladder: INVITE out, 486 in, ACK… as the flow went.
      assert.equal(errors.match(/failed call \(\d of the first 3 FailedUnexpectedMessage\)/g)?.length, 3);
      assert.match(
        errors,
        /Call \d+-\d+(?:\.w\d)?@127\.0\.0\.1: FailedUnexpectedMessage at step 4 \(<- 200\)[^\n]*\n +time \(ms\) +127\.0\.0\.1:\d+ +127\.0\.0\.1:\d+\n +\d+\.\d{3} +INVITE -+>\n +\d+\.\d{3} +<-+ 486 Busy Here \(INVITE\)\n/,
      );
      // -trace_calldebug: every failed call in full.
      assert.equal(readFileSync(f(`fail${split.length}-cd.log`), 'latin1').match(/^Call debugging information for call /gm)?.length, 5);
      // JUnit: valid against Jenkins' JUnit schema (junit-4.xsd), the failing step named, the ladder in the failure.
      const xml = readFileSync(f(`fail${split.length}.xml`), 'utf8');
      assert.deepEqual(await junitSchemaErrors(xml), []);
      assert.match(
        xml,
        /<testcase classname="sipts uac" name="step 4 \(line \d+\): &lt;- 200" time="0">\s*<failure message="5 unexpected message\(s\) at step 4/,
      );
      assert.match(
        xml,
        /name="FailedUnexpectedMessage"[^>]*>\s*<failure [^>]*>5 call\(s\)[^<]*Call \d+-\d+(?:\.w\d)?@127\.0\.0\.1: FailedUnexpectedMessage at step 4/,
      );
      // HTML: self-contained (no script, no external reference), with plots and the ladders.
      const html = readFileSync(f(`fail${split.length}.html`), 'utf8');
      assert.doesNotMatch(html, /<script|<link|src="http/);
      assert.equal(html.match(/<svg /g)?.length, 3); // call rate, failures, response time 1
      assert.match(html, /<pre>Call \d+-\d+(?:\.w\d)?@127\.0\.0\.1: FailedUnexpectedMessage/);
      const json = JSON.parse(readFileSync(f(`fail${split.length}.json`), 'utf8')) as {
        failedCalls: { reason: string; ladder: string[] }[];
      };
      assert.equal(json.failedCalls.length, 3);
      assert.match(json.failedCalls[0]?.ladder.join('\n') ?? '', /486 Busy Here \(INVITE\)/);
    },
  );

/** Reads one counter of a Prometheus text page. */
function metric(page: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}"=]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(page);
  if (m === null) throw new Error(`no ${name} in /metrics`);
  return Number(m[1]);
}

test('/metrics is scraped during a run and its counters match the final summary', { timeout: 60_000 }, async (t) => {
  const uas = await startSiptsUas(['--prometheus', '127.0.0.1:0', '--json', f('uas.json'), '-cp', '0']);
  t.after(() => uas.child.kill('SIGKILL'));
  const uasUrl = await urlOf(uas.child);
  const uac = sipts([
    ...loopbackUac(uas.port),
    '-r',
    '100',
    '-m',
    '300',
    '-cp',
    '0',
    '--prometheus',
    '127.0.0.1:0',
    '--json',
    f('uac.json'),
  ]);
  const uacUrl = await urlOf(uac.child);
  let done = false;
  void uac.exited.then(() => {
    done = true;
  });
  const created: number[] = [];
  while (!done) {
    let page: string;
    try {
      page = await (await fetch(uacUrl)).text();
    } catch (e) {
      // The run prints its summary, then closes its /metrics listener, then exits: a scrape after the listener closed
      // fails with the run over, and is forgiven only then (the summary printed), never while calls are being made.
      for (let waited = 0; waited < 5_000 && !outputSoFar(uac.child).includes('sipts finished'); waited += 100)
        await new Promise((r) => setTimeout(r, 100));
      if (!outputSoFar(uac.child).includes('sipts finished')) throw new Error('a scrape failed during the run', { cause: e });
      break;
    }
    created.push(metric(page, 'sipts_calls_created_total'));
    assert.ok(metric(page, 'sipts_successful_calls_total') <= metric(page, 'sipts_calls_created_total'));
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.equal((await uac.exited).code, 0);
  // Scraped while calls were being made: the count grew between scrapes.
  assert.ok(created.length >= 4 && (created[created.length - 1] ?? 0) > (created[0] ?? 0), `created over time: ${created.join(' ')}`);
  assert.deepEqual(
    created,
    [...created].sort((a, b) => a - b),
  );
  // The UAS is still running: once its calls have ended (they wait 4 s after the BYE), scrape it, then
  // stop it and compare with its final summary.
  let page = await (await fetch(uasUrl)).text();
  while (metric(page, 'sipts_open_calls') > 0) {
    await new Promise((r) => setTimeout(r, 250));
    page = await (await fetch(uasUrl)).text();
  }
  uas.child.kill('SIGINT');
  assert.equal((await uas.exited).code, 0);
  const final = JSON.parse(readFileSync(f('uas.json'), 'utf8')) as {
    counters: Record<string, number>;
    responseTimes: unknown[];
    callLength: { count: number };
  };
  assert.equal(metric(page, 'sipts_calls_created_total'), final.counters['CallsCreated']);
  assert.equal(metric(page, 'sipts_successful_calls_total'), final.counters['SuccessfulCalls']);
  assert.equal(metric(page, 'sipts_failed_calls_total'), final.counters['FailedCalls']);
  assert.equal(metric(page, 'sipts_retransmissions_total'), final.counters['Retransmissions']);
  assert.equal(metric(page, 'sipts_call_length_seconds_count'), final.callLength.count);
  assert.equal(metric(page, 'sipts_calls_created_total'), 300);
  const uacFinal = JSON.parse(readFileSync(f('uac.json'), 'utf8')) as { counters: Record<string, number> };
  assert.equal(uacFinal.counters['SuccessfulCalls'], 300);
  assert.match(page, /^# TYPE sipts_step_messages_total counter$/m);
  assert.equal(metric(page, 'sipts_step_messages_total{step="0",title="<- INVITE",counter="recv"}'), 300);
});

/** The /metrics address a sipts announces, whether the line came before this was called or comes later. */
async function urlOf(child: import('node:child_process').ChildProcess): Promise<string> {
  const announced = /Prometheus metrics on (http:\/\/\S+\/metrics)/;
  if (!announced.test(outputSoFar(child))) await waitForOutput(child, announced);
  return announced.exec(outputSoFar(child))?.[1] ?? '';
}

test("-cp: SIPp's control port changes the rate (keys step by -rate_scale) and stops the run", { timeout: 60_000 }, async (t) => {
  const uas = await startSiptsUas(['-cp', '0']);
  t.after(() => uas.child.kill('SIGKILL'));
  const cp = await freePort();
  const uac = sipts([
    ...loopbackUac(uas.port),
    '-r',
    '5',
    '-rate_scale',
    '2',
    '-cp',
    String(cp),
    '--prometheus',
    '127.0.0.1:0',
    '--json',
    f('cp.json'),
  ]);
  const bound = waitForOutput(uac.child, new RegExp(`control port 127\\.0\\.0\\.1:${cp} `));
  const url = await urlOf(uac.child);
  await bound;
  const send = (text: string): Promise<void> =>
    new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      s.send(text, cp, '127.0.0.1', () => {
        s.close();
        resolve();
      });
    });
  await send('cset rate 40');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(metric(await (await fetch(url)).text(), 'sipts_target_rate'), 40);
  // SIPp: * adds 10 × -rate_scale, - takes away 1 × -rate_scale.
  await send('*');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(metric(await (await fetch(url)).text(), 'sipts_target_rate'), 60);
  await send('-');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(metric(await (await fetch(url)).text(), 'sipts_target_rate'), 58);
  await send('q');
  const r = await uac.exited;
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /stopping: no new calls/);
  const json = JSON.parse(readFileSync(f('cp.json'), 'utf8')) as { endReason: string; counters: Record<string, number> };
  assert.equal(json.endReason, 'stopped');
  assert.equal(json.counters['FailedCalls'], 0);
});
