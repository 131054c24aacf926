/**
 * Two scenario behaviours that only statistics or a clock can show, each checked against a value worked out by
 * hand and against SIPp 3.6.1 running the same scenario: chance="…" on a step (how often its next is taken),
 * and -T2 (the cap of the doubling retransmission interval of a non-INVITE request, RFC 3261 §17.1.2.2).
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { freePort, sipp, sippAvailable, sipts, type Exited } from '../helpers.js';

const noSipp = sippAvailable() ? false : 'sipp is not installed (apt-get install sip-tester)';
const work = mkdtempSync(join(tmpdir(), 'sipts-chance-t2-'));

/**
 * A UDP peer that never answers (with `trying`: answers the first request with 100 Trying, and nothing
 * else): it notes each datagram's arrival time and text.
 */
async function silentPeer(t: TestContext, trying = false): Promise<{ port: number; got: { atMs: number; text: string }[] }> {
  const s = dgram.createSocket('udp4');
  const got: { atMs: number; text: string }[] = [];
  s.on('message', (b, from) => {
    const text = b.toString('latin1');
    got.push({ atMs: performance.now(), text });
    if (!trying || got.length > 1) return;
    const h = (name: string): string => new RegExp(`^${name}: .*$`, 'm').exec(text)?.[0].replace(/\r$/, '') ?? '';
    s.send(
      Buffer.from(
        `SIP/2.0 100 Trying\r\n${h('Via')}\r\n${h('From')}\r\n${h('To')}\r\n${h('Call-ID')}\r\n${h('CSeq')}\r\nContent-Length: 0\r\n\r\n`,
        'latin1',
      ),
      from.port,
      from.address,
    );
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  t.after(() => s.close());
  return { port: s.address().port, got };
}

const request = (method: string, extra: string): string => `<![CDATA[
      ${method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:a@[local_ip]:[local_port]>;tag=[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 ${method}${extra === '' ? '' : `\n      ${extra}`}
      Content-Length: 0

  ]]>`;

/** Runs `tool` with `args` (plus its own -p) in `work`. */
async function runTool(tool: 'sipts' | 'sipp', args: readonly string[]): Promise<Exited> {
  return tool === 'sipts'
    ? sipts([...args, '-p', '0', '-cp', '0'], 60_000, work).exited
    : sipp([...args, '-p', String(await freePort())], 60_000, work).exited;
}

const tools = ['sipts', 'sipp'] as const;

for (const tool of tools) {
  test(
    `chance="0.3" takes a step's next in 30% of 1,000 calls (a hand-computed bound): ${tool}`,
    { skip: tool === 'sipp' && noSipp, timeout: 60_000 },
    async (t) => {
      const scenario = join(work, 'chance.xml');
      writeFileSync(
        scenario,
        `<?xml version="1.0"?>
<scenario name="chance">
  <nop next="hit" chance="0.3"/>
  <nop next="send"><action><assignstr assign_to="b" value="miss"/></action></nop>
  <label id="hit"/>
  <nop><action><assignstr assign_to="b" value="hit"/></action></nop>
  <label id="send"/>
  <send>${request('MESSAGE', 'X-Branch: [$b]')}</send>
</scenario>
`,
      );
      const peer = await silentPeer(t);
      const N = 1000;
      const r = await runTool(tool, ['-sf', scenario, `127.0.0.1:${peer.port}`, '-i', '127.0.0.1', '-r', '1000', '-m', String(N)]);
      assert.equal(r.code, 0, r.stderr + r.stdout.slice(-1500));
      for (let i = 0; i < 100 && peer.got.length < N; i++) await new Promise((res) => setTimeout(res, 20));
      const branches = peer.got.map((g) => /^X-Branch: (\w+)\r$/m.exec(g.text)?.[1]);
      assert.equal(branches.length, N);
      const hits = branches.filter((b) => b === 'hit').length;
      assert.equal(hits + branches.filter((b) => b === 'miss').length, N);
      // Binomial(1000, 0.3): mean 300, standard deviation √(1000 · 0.3 · 0.7) = 14.5; [230, 370] is ±4.8
      // deviations, missed by chance about once in a million runs. chance ignored would give 1000 (or 0).
      assert.ok(hits >= 230 && hits <= 370, `${tool}: next taken ${hits} times of ${N}`);
    },
  );
}

test(
  '-T2 1000: a non-INVITE retransmitted to a silent peer at 500 ms, then every 1000 ms, not doubling past T2 (RFC 3261 §17.1.2.2); as SIPp',
  { skip: noSipp, timeout: 60_000 },
  async (t) => {
    const scenario = join(work, 't2.xml');
    writeFileSync(
      scenario,
      `<?xml version="1.0"?>
<scenario name="t2">
  <send retrans="500">${request('OPTIONS', '')}</send>
  <recv response="200"/>
</scenario>
`,
    );
    // Both tools at once, each to its own peer: -max_non_invite_retrans 6 makes 7 sends over 5.5 s.
    const results = await Promise.all(
      tools.map(async (tool) => {
        const peer = await silentPeer(t);
        const r = await runTool(tool, [
          '-sf',
          scenario,
          `127.0.0.1:${peer.port}`,
          '-i',
          '127.0.0.1',
          '-m',
          '1',
          '-T2',
          '1000',
          '-max_non_invite_retrans',
          '6',
        ]);
        return { tool, r, gaps: peer.got.slice(1).map((g, i) => g.atMs - (peer.got[i]?.atMs ?? 0)) };
      }),
    );
    // Timer E: T1 = 500 ms (retrans="500": a <send> without it is not retransmitted, in SIPp as in sipts), then doubled each time up to T2 = 1000 ms; without the cap it would go on 2000, 4000 ….
    const expected = [500, 1000, 1000, 1000, 1000, 1000];
    for (const { tool, r, gaps } of results) {
      assert.equal(r.code, 1, `${tool}: the call fails after its last retransmission; ${r.stderr.slice(-500)}`);
      assert.equal(gaps.length, expected.length, `${tool}: gaps ${gaps.map(Math.round).join(' ')}`);
      // ±250 ms: loose enough for a loaded machine, far from the 2000 of an interval that doubled past T2.
      gaps.forEach((g, i) =>
        assert.ok(
          Math.abs(g - (expected[i] ?? 0)) <= 250,
          `${tool}: gaps ${gaps.map(Math.round).join(' ')} ms, expected ${expected.join(' ')}`,
        ),
      );
    }
  },
);

test(
  'a non-INVITE to a silent peer: 9 retransmissions by default (what SIPp 3.6.1 does; its -h says 7); after a 100 Trying, still retransmitted every T2 (RFC 3261 §17.1.2.2); as SIPp',
  { skip: noSipp, timeout: 60_000 },
  async (t) => {
    const scenario = join(work, 'proceeding.xml');
    writeFileSync(
      scenario,
      `<?xml version="1.0"?>
<scenario name="proceeding">
  <send retrans="500">${request('OPTIONS', '')}</send>
  <recv response="100" optional="true"/>
  <recv response="200"/>
</scenario>
`,
    );
    // -T2 1000 keeps the runs short: silent, 500 then 1000 ms gaps (10 sends over 8.5 s); after a 100 Trying at
    // once, every T2 = 1000 ms from the 100 (10 sends over 9 s). All four runs at once, each to its own peer.
    const cases = tools.flatMap((tool) => [false, true].map((trying) => ({ tool, trying })));
    const results = await Promise.all(
      cases.map(async ({ tool, trying }) => {
        const peer = await silentPeer(t, trying);
        const r = await runTool(tool, ['-sf', scenario, `127.0.0.1:${peer.port}`, '-i', '127.0.0.1', '-m', '1', '-T2', '1000']);
        // Only the OPTIONS: SIPp, aborting a call that has received something, also sends its default BYE.
        const sent = peer.got.filter((g) => g.text.startsWith('OPTIONS '));
        return { tool, trying, r, gaps: sent.slice(1).map((g, i) => g.atMs - (sent[i]?.atMs ?? 0)) };
      }),
    );
    for (const { tool, trying, r, gaps } of results) {
      const expected = [trying ? 1000 : 500, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000];
      const what = `${tool}${trying ? ' after a 100' : ''}: gaps ${gaps.map(Math.round).join(' ')} ms, expected ${expected.join(' ')}`;
      assert.equal(r.code, 1, `${tool}: the call fails after its last retransmission; ${r.stderr.slice(-500)}`);
      assert.equal(gaps.length, expected.length, what);
      gaps.forEach((g, i) => assert.ok(Math.abs(g - (expected[i] ?? 0)) <= 250, what));
    }
  },
);
