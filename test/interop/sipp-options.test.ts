/**
 * Issue 16: every option the installed SIPp lists in `sipp -h` is either taken by sipts with a valid value
 * or refused with its reason, never "unknown option". The list comes from SIPp itself, so an option sipts
 * lacks fails this test.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { OPTIONS, type OptionSpec } from '../../src/cli/options.js';
import { sippAvailable, sipts } from '../helpers.js';

/** The options `sipp -h` lists: lines of three spaces and a dash, before the signal and exit-code notes. */
function sippOptions(): string[] {
  const h = spawnSync('sipp', ['-h'], { encoding: 'utf8' });
  const text = `${h.stdout}${h.stderr}`;
  const body = text.slice(0, text.indexOf('Signal handling'));
  return [...body.matchAll(/^ {3}-([A-Za-z0-9_]+)/gm)].map((m) => m[1] ?? '');
}

const SPECS: ReadonlyMap<string, OptionSpec> = new Map((OPTIONS as readonly OptionSpec[]).map((o) => [o.name, o]));

/** Extended 3PCC's options only go together: a -slave_cfg file naming a master and a slave. */
const slaveCfg = join(mkdtempSync(join(tmpdir(), 'sipts-options-')), 'slaves.cfg');
writeFileSync(slaveCfg, 'm;127.0.0.1:5000\ns1;127.0.0.1:5001\n');

/** A valid value for an option, by its kind in sipts's table (a few need a particular one). */
function valueFor(o: OptionSpec): string[] {
  const special: Record<string, string[]> = {
    '3pcc': ['127.0.0.1:5000'],
    master: ['m', '-slave_cfg', slaveCfg],
    slave: ['s1', '-slave_cfg', slaveCfg],
    slave_cfg: [slaveCfg, '-slave', 's1'],
    i: ['127.0.0.1'],
    ci: ['127.0.0.1'],
    mi: ['127.0.0.1'],
    multihome: ['127.0.0.1'],
    rsa: ['127.0.0.1:5060'],
    sn: ['nosuch'],
    sd: ['uac'],
    buff_size: ['65536'],
    sleep: ['0'],
    tdmmap: ['{0-3}{99}{5-8}{1-31}'],
    stat_delimiter: [','],
    cid_str: ['%u-%p@%s'],
    default_behaviors: ['all,-bye'],
    infindex: ['x.csv', '0'],
    sf: ['/nonexistent/sipts-options.xml'],
  };
  const s = special[o.name];
  if (s !== undefined) return s;
  switch (o.kind) {
    case 'flag':
      return [];
    case 'int':
    case 'number':
    case 'time':
      return ['1'];
    case 'bool':
      return ['true'];
    case 'choice':
      return [o.choices?.[0] ?? ''];
    case 'pair':
      return ['a', 'b'];
    case 'string':
    case 'list':
      return ['x'];
  }
}

test(
  'every option of the installed sipp -h is accepted by sipts or refused with its reason',
  { skip: !sippAvailable(), timeout: 180_000 },
  async () => {
    const names = sippOptions();
    assert.ok(names.length >= 120, `sipp -h lists ${names.length} options: the listing was not read`);
    const missing = names.filter((n) => !SPECS.has(n));
    assert.deepEqual(missing, [], "SIPp options missing from sipts's option table");
    const help = (await sipts(['-h']).exited).stdout;
    const problems: string[] = [];
    const check = async (name: string): Promise<void> => {
      const o = SPECS.get(name) as OptionSpec;
      if (!new RegExp(`^\\s+-${name}\\b`, 'm').test(help)) problems.push(`-${name}: not in sipts -h`);
      // A scenario file that does not exist: an accepted option gets as far as loading it, and nothing is sent.
      const base = name === 'sn' || name === 'sf' || name === 'sd' ? [] : ['-sf', '/nonexistent/sipts-options.xml'];
      const r = await sipts([...base, `-${name}`, ...valueFor(o), '127.0.0.1:9', '-nostdin', '-cp', '0'], 20_000).exited;
      if (/unknown option/.test(r.stderr)) problems.push(`-${name}: ${r.stderr.trim()}`);
      else if (o.refused !== undefined) {
        if (r.code !== 255 || !r.stderr.includes(`sipts: -${name}: refused: ${o.refused}\n`))
          problems.push(`-${name}: expected its refusal, got ${r.code}: ${r.stderr.trim()}`);
      } else if (new RegExp(`^sipts: -${name}\\b(?!.*(cannot read the scenario file|no such built-in scenario))`, 'm').test(r.stderr))
        problems.push(`-${name} ${valueFor(o).join(' ')}: not accepted: ${r.stderr.trim()}`);
      else if (
        name !== 'v' &&
        name !== 'sd' &&
        name !== 'bg' &&
        !/cannot read the scenario file|no such built-in scenario/.test(r.stderr)
      ) {
        problems.push(`-${name}: did not get as far as loading the scenario: ${r.code} ${r.stderr.trim()}`);
      }
    };
    const queue = [...names];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let n = queue.shift(); n !== undefined; n = queue.shift()) await check(n);
      }),
    );
    assert.deepEqual(problems, []);
  },
);

test('a refused option says why; an ignored one is taken with a warning saying why', async () => {
  const r = await sipts(['-sf', '/nonexistent/x.xml', '-rtp_echo', '-multihome', '127.0.0.1', '-plugin', 'p.so', '127.0.0.1:9']).exited;
  assert.equal(r.code, 255);
  assert.deepEqual(
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.includes('refused')),
    [
      'sipts: -multihome: refused: Node.js has no SCTP sockets, so sipts has no SCTP transport',
      'sipts: -plugin: refused: SIPp plugins are native shared libraries loaded with dlopen into SIPp; sipts has no plugin ABI',
    ],
  );
  const w = await sipts(['-sf', '/nonexistent/x.xml', '-max_recv_loops', '5000', '127.0.0.1:9']).exited;
  assert.match(w.stderr, /^sipts: warning: -max_recv_loops: accepted for SIPp compatibility and ignored: /m);
  assert.match(w.stderr, /cannot read the scenario file/);
  const b = await sipts(['-sf', '/nonexistent/x.xml', '-message_overwrite', 'maybe', '127.0.0.1:9']).exited;
  assert.match(b.stderr, /^sipts: -message_overwrite maybe: expected true or false \(or a number: 0 is false\)$/m);
});
