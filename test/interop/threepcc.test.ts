/**
 * 3PCC (third-party call control) between twin instances, sipts and SIPp mixed, all on 127.0.0.1.
 * Classic 3PCC is SIPp's 4-party topology (docs/int_scenarios.rst, 3PCC): controller A (3pcc-C-A) calls
 * party A, hands A's offer over the twin socket to controller B (3pcc-C-B), which calls party B with it and
 * hands B's answer back for the ACK to A. Extended 3PCC is a master and two slaves (-slave_cfg), with the
 * scenarios in test/fixtures. Every instance must exit 0 with every call successful.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, freeTcpPort, ROOT, sipp, sippAvailable, sipts, waitForUdpBound, type Exited } from '../helpers.js';

const skip = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-3pcc-'));
const CALLS = 3;

type Tool = 'sipts' | 'sipp';

interface Running {
  readonly name: string;
  readonly tool: Tool;
  readonly pid: number;
  readonly exited: Promise<Exited>;
  kill(): void;
}

/**
 * Starts `tool` with `args` on a SIP port of its own (-p); resolves once it listens there (and on `tcp`, its twin
 * port). A free port can be taken by another process before the tool binds it (exit 254, as both tools exit when
 * they cannot bind): then it starts again on another.
 */
async function start(
  name: string,
  tool: Tool,
  args: readonly string[],
  listens: { tcp?: number } = {},
): Promise<Running & { port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const full = [...args, '-i', '127.0.0.1', '-p', String(port), '-m', String(CALLS)];
    const p = tool === 'sipts' ? sipts([...full, '-nostdin', '-cp', '0'], 90_000, work) : sipp(full, 90_000, work);
    let gone: Exited | undefined;
    void p.exited.then((x) => {
      gone = x;
    });
    try {
      await waitForUdpBound(port, 10_000, () => gone !== undefined);
      if (listens.tcp !== undefined) await waitForUdpBound(listens.tcp, 10_000, () => gone !== undefined, true);
    } catch (e) {
      p.child.kill('SIGKILL');
      const x = await p.exited;
      if (x.code === 254 && attempt < 3) continue;
      throw new Error(
        `${name} (${tool} ${full.join(' ')}) did not start: ${String(e)}\nexit ${x.code}: ${x.stderr.slice(-1500)}${x.stdout.slice(-1500)}`,
        { cause: e },
      );
    }
    return { name, tool, port, pid: p.child.pid ?? 0, exited: p.exited, kill: () => p.child.kill('SIGKILL') };
  }
}

const successful = (r: Exited): number =>
  Number(/Successful\s*│\s*(\d+)/.exec(r.stdout)?.[1] ?? /Successful call\s*\|\s*\d+\s*\|\s*(\d+)/.exec(r.stdout)?.[1]);

/** Each instance exited 0 having completed every call (sipts's summary, SIPp's final screen). */
async function allSucceeded(list: readonly Running[]): Promise<void> {
  for (const r of list) {
    const x = await r.exited;
    assert.equal(x.code, 0, `${r.name} (${r.tool}) exited ${x.code}:\n${x.stderr.slice(-2000)}\n${x.stdout.slice(-3000)}`);
    assert.equal(successful(x), CALLS, `${r.name} (${r.tool}): ${x.stdout.slice(-3000)}`);
  }
}

/** The header of each tool's -trace_counts file for 3pcc-C-B (the two scenarios have their steps in the same order). */
const countsHeader = new Map<Tool, string>();

/** The 4-party run: parties A and B, controller B (listens on the twin socket), then controller A (connects). */
function classic(title: string, who: { ca: Tool; cb: Tool; a: [Tool, string]; b: [Tool, string] }): void {
  test(title, { skip, timeout: 120_000 }, async (t) => {
    const started: Running[] = [];
    t.after(() => {
      for (const r of started) r.kill();
    });
    const a = await start('party A', who.a[0], ['-sn', who.a[1]]);
    const b = await start('party B', who.b[0], ['-sn', who.b[1]]);
    started.push(a, b);
    const twin = await freeTcpPort();
    const cb = await start(
      'controller B',
      who.cb,
      ['-sn', '3pcc-C-B', `127.0.0.1:${b.port}`, '-3pcc', `127.0.0.1:${twin}`, '-trace_counts'],
      { tcp: twin },
    );
    started.push(cb);
    const ca = await start('controller A', who.ca, ['-sn', '3pcc-C-A', `127.0.0.1:${a.port}`, '-3pcc', `127.0.0.1:${twin}`, '-r', '10']);
    started.push(ca);
    await allSucceeded([ca, cb, a, b]);
    countsHeader.set(who.cb, readFileSync(join(work, `3pcc-C-B_${cb.pid}_counts.csv`), 'latin1').split('\n')[0] ?? '');
  });
}

classic('3PCC: sipts 3pcc-C-A with SIPp 3pcc-C-B, parties sipp -sn uas', {
  ca: 'sipts',
  cb: 'sipp',
  a: ['sipp', 'uas'],
  b: ['sipp', 'uas'],
});
classic('3PCC: SIPp 3pcc-C-A with sipts 3pcc-C-B, parties sipp -sn uas', {
  ca: 'sipp',
  cb: 'sipts',
  a: ['sipp', 'uas'],
  b: ['sipp', 'uas'],
});
classic('3PCC: sipts 3pcc-A and 3pcc-B called by SIPp 3pcc-C-A and 3pcc-C-B', {
  ca: 'sipp',
  cb: 'sipp',
  a: ['sipts', '3pcc-A'],
  b: ['sipts', '3pcc-B'],
});
classic('3PCC: SIPp 3pcc-A and 3pcc-B called by sipts 3pcc-C-A and 3pcc-C-B', {
  ca: 'sipts',
  cb: 'sipts',
  a: ['sipp', '3pcc-A'],
  b: ['sipp', '3pcc-B'],
});
classic('3PCC: all four roles by sipts', { ca: 'sipts', cb: 'sipts', a: ['sipts', '3pcc-A'], b: ['sipts', '3pcc-B'] });

test("3PCC: the -trace_counts columns of 3pcc-C-B are SIPp's (a command step written as a pause)", { skip }, () => {
  const theirs = countsHeader.get('sipp');
  const ours = countsHeader.get('sipts');
  assert.ok(theirs !== undefined && ours !== undefined, 'the runs above wrote both files');
  assert.match(theirs, /;0_Pause_Sessions;0_Pause_Unexp;1_INVITE_Sent;.*;7_Pause_Sessions;7_Pause_Unexp;8_Pause_Sessions;/);
  assert.equal(ours, theirs);
});

/**
 * Extended 3PCC: slaves s1 and s2 (each calling a party of its own) listen on their -slave_cfg addresses,
 * then the master calls its party, sends each slave the SDP (sendCmd dest=) and waits for both slaves'
 * word (recvCmd src=) before its ACK.
 */
function extended(title: string, who: { m: Tool; s1: Tool; s2: Tool }): void {
  test(title, { skip, timeout: 120_000 }, async (t) => {
    const started: Running[] = [];
    t.after(() => {
      for (const r of started) r.kill();
    });
    const [pm, p1, p2] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
    const cfg = join(work, `slaves-${pm}.cfg`);
    writeFileSync(cfg, `m;127.0.0.1:${pm}\ns1;127.0.0.1:${p1}\ns2;127.0.0.1:${p2}\n`);
    const parties = [
      await start('party of m', 'sipp', ['-sn', 'uas']),
      await start('party of s1', 'sipp', ['-sn', 'uas']),
      await start('party of s2', 'sipp', ['-sn', 'uas']),
    ];
    started.push(...parties);
    const slave = (name: 's1' | 's2', tool: Tool, party: number, listen: number): Promise<Running & { port: number }> =>
      start(
        name,
        tool,
        ['-sf', `${ROOT}test/fixtures/3pcc-ext-slave.xml`, `127.0.0.1:${party}`, '-slave', name, '-slave_cfg', cfg, '-key', 'me', name],
        { tcp: listen },
      );
    const s1 = await slave('s1', who.s1, parties[1]?.port ?? 0, p1);
    const s2 = await slave('s2', who.s2, parties[2]?.port ?? 0, p2);
    started.push(s1, s2);
    const m = await start('master', who.m, [
      '-sf',
      `${ROOT}test/fixtures/3pcc-ext-master.xml`,
      `127.0.0.1:${parties[0]?.port ?? 0}`,
      '-master',
      'm',
      '-slave_cfg',
      cfg,
      '-r',
      '10',
    ]);
    started.push(m);
    await allSucceeded([m, s1, s2, ...parties]);
  });
}

extended('extended 3PCC: sipts master and slaves', { m: 'sipts', s1: 'sipts', s2: 'sipts' });
extended('extended 3PCC: sipts master with SIPp slaves', { m: 'sipts', s1: 'sipp', s2: 'sipp' });
extended('extended 3PCC: SIPp master with sipts slaves', { m: 'sipp', s1: 'sipts', s2: 'sipts' });
extended('extended 3PCC: SIPp master, one sipts and one SIPp slave', { m: 'sipp', s1: 'sipts', s2: 'sipp' });
