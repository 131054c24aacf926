/**
 * `sipts -sn NAME -trace_stat` and `sipp -sn NAME -trace_stat` write the same stat-file header: the built-ins
 * declare SIPp's repartition bounds and name their response times as SIPp's do.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, sipp, sippAvailable, sipts, startSippUas, startSiptsUas } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';

function header(dir: string, name: string): string {
  const file = readdirSync(dir).find((f) => new RegExp(`^${name}_\\d+_\\.csv$`).test(f));
  assert.ok(file, `no ${name}_<pid>_.csv in ${dir}: ${readdirSync(dir).join(', ')}`);
  return readFileSync(join(dir, file), 'latin1').split('\n')[0] ?? '';
}

const CALLS = ['-m', '2', '-r', '10', '-i', '127.0.0.1', '-trace_stat'];

/** Client built-ins: each tool places 2 calls at SIPp's server built-in. */
for (const [name, server] of [
  ['uac', 'uas'],
  ['regexp', 'uas'],
  ['branchc', 'branchs'],
] as const) {
  test(`-sn ${name} -trace_stat: the same stat-file header as SIPp's`, { skip, timeout: 60_000 }, async (t) => {
    const theirs = mkdtempSync(join(tmpdir(), 'sipp-hdr-'));
    const mine = mkdtempSync(join(tmpdir(), 'sipts-hdr-'));
    const peer = await startSippUas(theirs, server);
    t.after(() => peer.child.kill('SIGKILL'));
    const target = `127.0.0.1:${peer.port}`;
    const a = await sipp(['-sn', name, target, ...CALLS], 30_000, theirs).exited;
    assert.equal(a.code, 0, a.stderr);
    const b = await sipts(['-sn', name, target, ...CALLS, '-p', '0'], 30_000, mine).exited;
    assert.equal(b.code, 0, b.stderr);
    assert.equal(header(mine, name), header(theirs, name));
  });
}

/** Server built-ins: SIPp's client built-in places 2 calls at each tool. */
for (const [name, client] of [
  ['uas', 'uac'],
  ['branchs', 'branchc'],
] as const) {
  test(`-sn ${name} -trace_stat: the same stat-file header as SIPp's`, { skip, timeout: 60_000 }, async (t) => {
    const theirs = mkdtempSync(join(tmpdir(), 'sipp-hdr-'));
    const mine = mkdtempSync(join(tmpdir(), 'sipts-hdr-'));
    const sippServer = await startSippUas(theirs, name, ['-m', '2', '-trace_stat']);
    t.after(() => sippServer.child.kill('SIGKILL'));
    const a = await sipp(['-sn', client, `127.0.0.1:${sippServer.port}`, '-m', '2', '-r', '10', '-i', '127.0.0.1'], 30_000, theirs).exited;
    assert.equal(a.code, 0, a.stderr);
    const ours = await startSiptsUas(['-sn', name, '-m', '2', '-trace_stat'], 30_000, mine);
    t.after(() => ours.child.kill('SIGKILL'));
    const b = await sipp(['-sn', client, `127.0.0.1:${ours.port}`, '-m', '2', '-r', '10', '-i', '127.0.0.1'], 30_000, mine).exited;
    assert.equal(b.code, 0, b.stderr);
    assert.equal((await ours.exited).code, 0);
    // SIPp writes its file as it exits: wait for its server to end too.
    await new Promise<void>((r) => {
      if (sippServer.child.exitCode !== null) r();
      else sippServer.child.once('exit', () => r());
    });
    assert.equal(header(mine, name), header(theirs, name));
  });
}

/** The out-of-call built-ins, run as main scenarios for 2 s with no traffic: the header is written at the start. */
for (const name of ['ooc_default', 'ooc_dummy'] as const) {
  test(`-sn ${name} -trace_stat: the same stat-file header as SIPp's`, { skip, timeout: 60_000 }, async () => {
    const theirs = mkdtempSync(join(tmpdir(), 'sipp-hdr-'));
    const mine = mkdtempSync(join(tmpdir(), 'sipts-hdr-'));
    const idle = ['-sn', name, '-i', '127.0.0.1', '-trace_stat', '-timeout', '2'];
    await sipp([...idle, '-p', String(await freePort())], 30_000, theirs).exited;
    await sipts([...idle, '-p', '0', '-nostdin', '-cp', '0'], 30_000, mine).exited;
    assert.equal(header(mine, name), header(theirs, name));
  });
}
