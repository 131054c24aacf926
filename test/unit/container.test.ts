import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderK8s } from '../../src/cli/k8s-command.js';
import { builtinNames } from '../../src/scenario/builtin.js';
import { ROOT } from '../helpers.js';

/** The Dockerfile's instructions: continuation lines joined, comments and blank lines left out. */
function instructions(text: string): { op: string; arg: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), arg: rest.join(' ') };
    });
}

const dockerfile = instructions(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const args = (op: string): string[] => dockerfile.filter((i) => i.op === op).map((i) => i.arg);

/** What `npm pack` would write: its file name and the files in it (scripts off: dist/ is built by the test run). */
function packed(): { filename: string; files: string[] } {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [pack] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  assert.ok(pack !== undefined);
  return { filename: pack.filename, files: pack.files.map((f) => f.path) };
}

test('Dockerfile: one stage, from a Node.js LTS line (an even major, 22 or later) on a slim Debian tag', () => {
  const from = args('FROM');
  assert.equal(from.length, 1, 'one FROM');
  const m = /^node:(\d+)-(bookworm|trixie)-slim$/.exec(from[0] ?? '');
  assert.ok(m !== null, `FROM ${from[0] ?? ''}: expected node:<LTS major>-<debian>-slim`);
  // Node's release policy: even majors become LTS; 20 is past its end of life (README, Node.js).
  const major = Number(m[1]);
  assert.ok(major % 2 === 0 && major >= 22, `node ${String(major)} is not a maintained LTS line`);
});

test('Dockerfile: it copies and installs the very file npm pack writes, which holds bin/sipts.js, the compiled CLI and every built-in scenario', () => {
  const { filename, files } = packed();
  const copy = args('COPY');
  assert.equal(copy.length, 1);
  assert.equal(copy[0]?.split(/\s+/)[0], filename, `COPY ${copy[0] ?? ''}: npm pack writes ${filename}`);
  assert.ok(
    args('RUN').some((r) => r.includes(`npm install --global --omit=dev`) && r.includes(`/tmp/${filename}`)),
    'RUN npm install --global --omit=dev of the copied file',
  );
  for (const f of ['bin/sipts.js', 'dist/src/cli/main.js', ...builtinNames().map((n) => `scenarios/${n}.xml`)])
    assert.ok(files.includes(f), `${f} in the package`);
  // .dockerignore keeps everything else out of the build context, the package in.
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
  assert.deepEqual(ignore, ['*', '!sipts-*.tgz']);
  assert.match(filename, /^sipts-.*\.tgz$/);
});

test('Dockerfile: not root, by number (what runAsNonRoot can check), the same user as the Job runs; ENTRYPOINT is the package bin, bin/sipts.js', () => {
  const user = args('USER');
  const last = user.at(-1) ?? '';
  assert.match(last, /^\d+(:\d+)?$/, `USER ${last}: numeric`);
  const [uid, gid] = last.split(':').map(Number);
  assert.notEqual(uid, 0, 'USER is not root');
  const job =
    renderK8s(['--segments', '2', '--', '-sn', 'uac', '10.0.0.5'], { readFile: () => new Uint8Array(), nowMs: 0, version: '0' }).yaml ?? '';
  assert.match(job, new RegExp(`runAsUser: ${String(uid)}\\n`));
  if (gid !== undefined) assert.match(job, new RegExp(`runAsGroup: ${String(gid)}\\n`));
  assert.deepEqual(JSON.parse(args('ENTRYPOINT')[0] ?? '') as unknown, ['sipts']);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.deepEqual(pkg.bin, { sipts: 'bin/sipts.js' });
  // The last instruction that runs as root comes before USER: nothing after it needs root.
  const userAt = dockerfile.findIndex((i) => i.op === 'USER');
  assert.ok(dockerfile.slice(userAt).every((i) => i.op !== 'RUN' && i.op !== 'COPY'));
});
