/**
 * Requests of no known call reaching a run that places calls: with -oocsn ooc_default they are answered
 * 200 OK, with -aa an OPTIONS or INFO is, and with neither they are dropped. Each case is run the same way
 * through SIPp 3.6.1 and through sipts, and both must do the same.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { announcedPort, freePort, ROOT, sipp, sippAvailable, sipts, startSippUas, waitForUdpBound, type Exited } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-ooc-'));

/** The ping scenario (one request per call, each with a new Call-ID, each wanting 200 OK) for `method`. */
function ping(method: string): string {
  const file = join(work, `ping-${method}.xml`);
  writeFileSync(file, readFileSync(join(ROOT, 'test/fixtures/ooc-ping.xml'), 'utf8').replaceAll('OPTIONS', method));
  return file;
}

interface Report {
  counters: Record<string, number>;
  outOfCall?: { counters: Record<string, number> };
}
interface Outcome {
  readonly pings: Exited[];
  readonly tool: Exited;
  readonly json: Record<string, number> | undefined;
  readonly report: Report | undefined;
}

/**
 * `tool` places one long call (-d 3000) at a SIPp uas with `extra` options; meanwhile SIPp sends it `count`
 * out-of-call requests of each method.
 */
async function scenario(
  t: { after: (f: () => void) => void },
  tool: 'sipp' | 'sipts',
  extra: readonly string[],
  methods: readonly string[],
  count = 2,
): Promise<Outcome> {
  const uas = await startSippUas(work);
  t.after(() => uas.child.kill('SIGKILL'));
  const fixed = await freePort();
  const json = join(work, `run-${fixed}.json`);
  const args = ['-sn', 'uac', `127.0.0.1:${uas.port}`, '-i', '127.0.0.1', '-m', '1', '-d', '3000', ...extra];
  // sipts takes a port of the system's choosing and says which; SIPp needs one given.
  const uac =
    tool === 'sipp'
      ? sipp([...args, '-p', String(fixed)], 30_000, work)
      : sipts([...args, '-p', '0', '-nostdin', '-json', json], 30_000, work);
  t.after(() => uac.child.kill('SIGKILL'));
  const port = tool === 'sipp' ? fixed : await announcedPort(uac.child);
  if (tool === 'sipp') await waitForUdpBound(port);
  const pings: Exited[] = [];
  for (const method of methods) {
    pings.push(
      await sipp(
        [
          '-sf',
          ping(method),
          `127.0.0.1:${port}`,
          '-i',
          '127.0.0.1',
          '-p',
          String(await freePort()),
          '-m',
          String(count),
          '-r',
          '20',
          '-max_non_invite_retrans',
          '1',
        ],
        20_000,
        work,
      ).exited,
    );
  }
  const done = await uac.exited;
  const report = tool === 'sipts' ? (JSON.parse(readFileSync(json, 'utf8')) as Report) : undefined;
  return { pings, tool: done, json: report?.counters, report };
}

for (const tool of ['sipp', 'sipts'] as const) {
  test(
    `${tool} -sn uac -oocsn ooc_default answers out-of-call OPTIONS and INFO 200 OK: 0 failed on both sides`,
    { skip, timeout: 60_000 },
    async (t) => {
      const r = await scenario(t, tool, ['-oocsn', 'ooc_default'], ['OPTIONS', 'INFO']);
      for (const p of r.pings) assert.equal(p.code, 0, `the pinging SIPp failed: ${p.stdout.slice(-1500)}`);
      assert.equal(r.tool.code, 0, r.tool.stderr);
      if (r.json !== undefined) {
        assert.equal(r.json['AutoAnswered'], 4, 'each out-of-call request counts as auto-answered, as SIPp counts it');
        assert.equal(r.json['OutOfCallMsgs'], 0);
        assert.equal(r.json['SuccessfulCalls'], 1, "the out-of-call calls are not the main scenario's calls");
        assert.equal(r.json['CallsCreated'], 1);
        const ooc = r.report?.outOfCall?.counters;
        assert.equal(ooc?.['CallsCreated'], 4, "the out-of-call scenario's own statistics");
        assert.equal(ooc['SuccessfulCalls'], 4, 'its calls, still in their timewait at the end, had done their exchange');
        assert.equal(ooc['FailedCalls'], 0);
      }
    },
  );

  test(`${tool} -sn uac -aa answers an out-of-call OPTIONS 200 OK`, { skip, timeout: 60_000 }, async (t) => {
    const r = await scenario(t, tool, ['-aa'], ['OPTIONS']);
    assert.equal(r.pings[0]?.code, 0, `the pinging SIPp failed: ${r.pings[0]?.stdout.slice(-1500) ?? ''}`);
    assert.equal(r.tool.code, 0, r.tool.stderr);
    if (r.json !== undefined) assert.equal(r.json['AutoAnswered'], 2);
  });

  test(
    `${tool} -sn uac -oocsn ooc_dummy -aa answers an out-of-call OPTIONS 200 OK (the dummy's unexpected-message answer)`,
    { skip, timeout: 60_000 },
    async (t) => {
      const r = await scenario(t, tool, ['-oocsn', 'ooc_dummy', '-aa'], ['OPTIONS']);
      assert.equal(r.pings[0]?.code, 0, `the pinging SIPp failed: ${r.pings[0]?.stdout.slice(-1500) ?? ''}`);
      assert.equal(r.tool.code, 0, r.tool.stderr);
    },
  );

  test(`${tool} -sn uac without -oocsn or -aa drops an out-of-call OPTIONS`, { skip, timeout: 60_000 }, async (t) => {
    const r = await scenario(t, tool, [], ['OPTIONS'], 1);
    assert.equal(r.pings[0]?.code, 1, 'the OPTIONS got no answer');
    assert.equal(r.tool.code, 0, r.tool.stderr);
    if (r.json !== undefined) assert.ok((r.json['OutOfCallMsgs'] ?? 0) >= 1, 'counted as out-of-call messages');
  });
}

test('-oocsn beside a main scenario that answers calls is refused, as SIPp refuses it', { skip, timeout: 30_000 }, async () => {
  const theirs = await sipp(
    ['-sn', 'uas', '-oocsn', 'ooc_default', '-i', '127.0.0.1', '-p', String(await freePort()), '-m', '1'],
    10_000,
    work,
  ).exited;
  assert.notEqual(theirs.code, 0);
  assert.match(theirs.stderr + theirs.stdout, /out-of-call scenarios when running in server mode/);
  const ours = await sipts(['-sn', 'uas', '-oocsn', 'ooc_default', '-i', '127.0.0.1', '-p', '0', '-m', '1'], 10_000, work).exited;
  assert.equal(ours.code, 255);
  assert.match(ours.stderr, /-oocsn ooc_default: an out-of-call scenario cannot be used when the main scenario answers calls/);
});
