/**
 * SIPp's own built-in scenarios (those needing no media and no 3PCC), dumped from the installed SIPp at
 * test time with `sipp -sd NAME` and run through `sipts -sf` against SIPp running the counterpart.
 * The dumps live in a temporary folder and are never committed (SIPp is GPL).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sipp, sippAvailable, sipts, startSiptsUas, startSippUas } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-sipp-builtins-'));
const count = (text: string, label: string): number => Number(new RegExp(`${label}\\s*│\\s*(\\d+)`).exec(text)?.[1]);

function dump(name: string): string {
  const r = spawnSync('sipp', ['-sd', name], { encoding: 'utf8' });
  // SIPp exits 99 ("no call processed") after a dump: judge by what it printed.
  assert.match(r.stdout, /^<\?xml[\s\S]*<\/scenario>\s*$/, `sipp -sd ${name}: ${r.stderr}`);
  const file = join(work, `${name}.xml`);
  writeFileSync(file, r.stdout);
  return file;
}

const CALLS = '60';

/** [scenario sipts runs, SIPp's counterpart]: sipts places the calls. */
const CLIENT_SIDE = [
  ['uac', 'uas'],
  ['regexp', 'uas'],
  ['branchc', 'branchs'],
] as const;
/** [scenario sipts runs, SIPp's counterpart]: sipts answers the calls. */
const SERVER_SIDE = [
  ['uas', 'uac'],
  ['uas', 'regexp'],
  ['branchs', 'branchc'],
] as const;

/** sipts places calls with `scenarioArgs` against SIPp answering with its built-in `theirs`. */
function clientSide(title: string, scenarioArgs: () => string[], theirs: string): void {
  test(title, { skip, timeout: 90_000 }, async (t) => {
    const { port, child } = await startSippUas(work, theirs);
    t.after(() => child.kill('SIGKILL'));
    const r = await sipts(
      [...scenarioArgs(), `127.0.0.1:${port}`, '-i', '127.0.0.1', '-p', '0', '-r', '30', '-m', CALLS, '-d', '100'],
      80_000,
    ).exited;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(count(r.stdout, 'Successful'), Number(CALLS));
    assert.equal(count(r.stdout, 'Failed'), 0);
  });
}

/** SIPp places calls with its built-in `theirs` against sipts answering with `scenarioArgs`. */
function serverSide(title: string, scenarioArgs: () => string[], theirs: string): void {
  test(title, { skip, timeout: 90_000 }, async (t) => {
    const uas = await startSiptsUas([...scenarioArgs(), '-m', CALLS], 80_000);
    t.after(() => uas.child.kill('SIGKILL'));
    const r = await sipp(['-sn', theirs, `127.0.0.1:${uas.port}`, '-i', '127.0.0.1', '-r', '30', '-m', CALLS, '-d', '100'], 80_000, work)
      .exited;
    assert.equal(r.code, 0, r.stdout.slice(-3000));
    const s = await uas.exited;
    assert.equal(s.code, 0, s.stderr + s.stdout);
    assert.equal(count(s.stdout, 'Successful'), Number(CALLS));
  });
}

// SIPp's own scenarios, dumped when the test runs.
for (const [mine, theirs] of CLIENT_SIDE)
  clientSide(`sipts -sf <sipp -sd ${mine}> against sipp -sn ${theirs}: 0 failed calls`, () => ['-sf', dump(mine)], theirs);
for (const [mine, theirs] of SERVER_SIDE)
  serverSide(`sipp -sn ${theirs} against sipts -sf <sipp -sd ${mine}>: 0 failed calls`, () => ['-sf', dump(mine)], theirs);

/** Our own built-ins under SIPp's names work against SIPp's: [sipts -sn X, sipp -sn Y]. */
for (const [mine, theirs] of [
  ['regexp', 'uas'],
  ['branchc', 'branchs'],
] as const)
  clientSide(`sipts -sn ${mine} against sipp -sn ${theirs}: 0 failed calls`, () => ['-sn', mine], theirs);
for (const [mine, theirs] of [['branchs', 'branchc']] as const)
  serverSide(`sipp -sn ${theirs} against sipts -sn ${mine}: 0 failed calls`, () => ['-sn', mine], theirs);
