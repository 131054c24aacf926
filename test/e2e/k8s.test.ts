import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { RESULT_BEGIN, RESULT_END, RESULT_FILE, SEGMENT_SCRIPT } from '../../src/k8s/segment-script.js';
import { BIN, freeUdpRange, ROOT, sipts, startSiptsUas } from '../helpers.js';
import { noPyYaml, validateManifest, yamlLoadAll } from '../k8s-oracles.js';

const COLLECT = join(ROOT, 'deploy/kubernetes/collect.sh');

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'sipts-k8s-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

function script(path: string, text: string): string {
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  return path;
}

/** The pod's script with its result file moved to `result` (the pod's /results is an emptyDir). */
function podScript(result: string): string {
  return SEGMENT_SCRIPT.replaceAll(RESULT_FILE, result);
}

test(
  'sipts k8s prints a ConfigMap and an Indexed Job that PyYAML reads and the Kubernetes schema accepts; bad input: every error, exit 255',
  { skip: noPyYaml },
  async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'users.csv'), 'USER\nalice;secret\nbob;pw\n');
    const ok = await sipts(
      [
        'k8s',
        '--segments',
        '3',
        '--image',
        'registry.example/sipts:1',
        '--',
        '-sn',
        'register',
        '10.0.0.5',
        '-inf',
        'users.csv',
        '-m',
        '300',
      ],
      30_000,
      dir,
    ).exited;
    assert.equal(ok.code, 0, ok.stderr);
    const docs = yamlLoadAll(ok.stdout);
    assert.deepEqual(
      docs.map((d) => (d as { kind: string }).kind),
      ['ConfigMap', 'Job'],
    );
    for (const d of docs) validateManifest(d);
    assert.equal((docs[0] as { data: Record<string, string> }).data['users.csv'], 'USER\nalice;secret\nbob;pw\n');

    const bad = await sipts(
      ['k8s', '--segments', '0', '--name', 'Bad_Name', '--start-in', 'soon', '--', '-i', '10.0.0.9', '-sf', 'nowhere.xml', '--frobnicate'],
      30_000,
      dir,
    ).exited;
    assert.equal(bad.code, 255);
    assert.equal(bad.stdout, '');
    for (const what of [
      '--segments 0',
      '--name Bad_Name',
      '--start-in soon',
      '-i: not with sipts k8s',
      'nowhere.xml',
      '--frobnicate: unknown option',
    ])
      assert.ok(bad.stderr.includes(what), `${what} in:\n${bad.stderr}`);

    const help = await sipts(['k8s', '--help'], 30_000, dir).exited;
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: sipts k8s --segments N/);
  },
);

test("the pod's script: a run that ended with a result (exit 0, 1 or 2) prints it between the markers and succeeds; any other exit fails the pod", (t) => {
  const dir = tempDir(t);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  // A stand-in for sipts: its arguments one a line, a summary and a progress line, the JSON result if asked.
  script(
    join(bin, 'sipts'),
    '#!/bin/sh\nprintf "%s\\n" "$@" > "$ARGS_OUT"\necho "summary line"\necho "progress line" >&2\n' +
      'while [ $# -gt 0 ]; do [ "$1" = --json ] && [ -n "$STUB_JSON" ] && printf "%s\\n" "$STUB_JSON" > "$2"; shift; done\nexit "$STUB_RC"\n',
  );
  const cases = [
    { rc: 0, json: true, exit: 0 },
    { rc: 1, json: true, exit: 0 },
    { rc: 2, json: true, exit: 0 },
    { rc: 255, json: false, exit: 255 },
    { rc: 254, json: false, exit: 254 },
    { rc: 97, json: true, exit: 97 },
  ];
  for (const c of cases) {
    const result = join(dir, `r${String(c.rc)}.json`);
    const argsOut = join(dir, 'args');
    const args = ['-sn', 'uac', 'a b', '$(NOT_EXPANDED)', '--json', result];
    const r = spawnSync('/bin/sh', ['-c', podScript(result), 'sipts', ...args], {
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${bin}:${process.env['PATH'] ?? ''}`,
        ARGS_OUT: argsOut,
        STUB_RC: String(c.rc),
        STUB_JSON: c.json ? '{"segment": 1}' : '',
      },
    });
    assert.equal(r.status, c.exit, `sipts exit ${String(c.rc)}: ${r.stderr}`);
    assert.deepEqual(readFileSync(argsOut, 'utf8').split('\n').slice(0, -1), args);
    const block = c.exit === 0 ? `${RESULT_BEGIN}\n{"segment": 1}\n\n${RESULT_END}\n` : '';
    assert.equal(r.stdout, `summary line\n${block}`);
  }
});

test('collect.sh: three segments run by the pod script with sipts against a sipts uas, their logs read back by segment index and handed to sipts merge', async (t) => {
  const dir = tempDir(t);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(BIN, join(bin, 'sipts'));
  const uas = await startSiptsUas();
  t.after(() => uas.child.kill());
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const pods = ['sipts-0-x1', 'sipts-1-y2', 'sipts-2-z3'];
  const results: string[] = [];
  for (const [i, pod] of pods.entries()) {
    const result = join(dir, `result-${String(i)}.json`);
    // stdout and stderr into one file, as the kubelet keeps a container's log.
    const fd = openSync(join(logs, `${pod}.log`), 'w');
    const r = spawnSync(
      '/bin/sh',
      [
        '-c',
        podScript(result),
        'sipts',
        '-sn',
        'uac',
        `127.0.0.1:${String(uas.port)}`,
        '-i',
        '127.0.0.1',
        '-p',
        '0',
        '-m',
        String(i + 1),
        '-r',
        '50',
        '--json',
        result,
      ],
      {
        stdio: ['ignore', fd, fd],
        env: { ...process.env, PATH: `${bin}:${dirname(process.execPath)}:${process.env['PATH'] ?? ''}` },
        timeout: 60_000,
      },
    );
    closeSync(fd);
    assert.equal(r.status, 0, readFileSync(join(logs, `${pod}.log`), 'utf8'));
    results.push(readFileSync(result, 'utf8'));
  }
  // The summary, then the result: what kubectl logs shows of a pod.
  assert.match(
    readFileSync(join(logs, `${pods[0] ?? ''}.log`), 'utf8'),
    /\n│ Successful +│ 1 +│\n[^]*\nSaturation: [^\n]*\n----- sipts segment result/,
  );

  // kubectl as the script uses it, answering from those logs; the pods listed out of index order.
  const fake = script(
    join(dir, 'kubectl'),
    `#!/usr/bin/env bash
case "$1 $2" in
  "get job") [ "$3" = sipts ] && printf 3 ;;
  "get pods") printf '%s\\n' "$PODS" ;;
  "logs "*) [ "$3 $4" = "-c sipts" ] && cat "${logs}/$2.log" ;;
  *) echo "unexpected kubectl $*" >&2; exit 1 ;;
esac
`,
  );
  // sipts merge as collect.sh calls it: its arguments and the files it was given, and the verdict (2).
  const merged = join(dir, 'merge-args');
  const stub = script(
    join(dir, 'sipts-stub'),
    `#!/bin/sh\nprintf '%s\\n' "$@" > ${merged}\nfor f in "$@"; do [ -f "$f" ] && cat "$f" > "$f.seen"; done\nexit 2\n`,
  );
  const out = join(dir, 'out');
  const collect = (podList: string): ReturnType<typeof spawnSync> =>
    spawnSync(COLLECT, ['sipts', '--json', 'run.json', '--max-failed', '0'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, KUBECTL: fake, SIPTS: stub, RESULTS: out, PODS: podList },
    });
  const r = collect(`2 ${pods[2] ?? ''}\n0 ${pods[0] ?? ''}\n1 ${pods[1] ?? ''}`);
  assert.equal(r.status, 2, String(r.stderr));
  const files = [0, 1, 2].map((i) => join(out, `segment-${String(i)}.json`));
  assert.deepEqual(readFileSync(merged, 'utf8').split('\n').slice(0, -1), ['merge', ...files, '--json', 'run.json', '--max-failed', '0']);
  for (const [i, f] of files.entries()) {
    const json = JSON.parse(readFileSync(`${f}.seen`, 'utf8')) as { counters: Record<string, number> };
    assert.deepEqual(json, JSON.parse(results[i] ?? ''));
    assert.equal(json.counters['SuccessfulCalls'], i + 1);
  }

  const lost = collect(`0 ${pods[0] ?? ''}\n2 ${pods[2] ?? ''}`);
  assert.equal(lost.status, 255);
  assert.match(String(lost.stderr), /no result from segment\(s\) 1 of 3/);
});

/** sipts with --segment and --start-at (issue 20's first half) is what the pods run; until it is here, the whole flow cannot run. */
const noSegments: string | false = /-start-at/.test(spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' }).stdout)
  ? false
  : 'this sipts has no --segment/--start-at (issue 20, the segments half) for the pods to run';

interface PodSpec {
  containers: { command: string[]; args: string[]; env: { name: string; value?: string }[] }[];
}

test(
  'the whole flow on one machine: the rendered Job run as the kubelet would (3 pods), collect.sh, then sipts merge: -m calls exactly, one verdict',
  { skip: noPyYaml || noSegments },
  async (t) => {
    const dir = tempDir(t);
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(BIN, join(bin, 'sipts'));
    const PATH = `${bin}:${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
    writeFileSync(join(dir, 'calls.csv'), 'SEQUENTIAL\none;1\ntwo;2\n');
    const uas = await startSiptsUas();
    t.after(() => uas.child.kill());
    const base = await freeUdpRange(3);
    const rendered = await sipts(
      [
        'k8s',
        '--segments',
        '3',
        '--name',
        'flow',
        '--start-in',
        '3s',
        '--',
        '-sn',
        'uac',
        `127.0.0.1:${String(uas.port)}`,
        '-inf',
        'calls.csv',
        '-p',
        String(base),
        '-m',
        '7',
        '-r',
        '50',
      ],
      30_000,
      dir,
    ).exited;
    assert.equal(rendered.code, 0, rendered.stderr);
    const [cm, job] = yamlLoadAll(rendered.stdout) as [{ data: Record<string, string> }, { spec: { template: { spec: PodSpec } } }];
    // The ConfigMap's files where the pod would have them mounted.
    const input = join(dir, 'etc-sipts');
    mkdirSync(input);
    for (const [k, v] of Object.entries(cm.data)) writeFileSync(join(input, k), v);
    const [c] = job.spec.template.spec.containers;
    assert.ok(c !== undefined);
    const pods = ['flow-0-a', 'flow-1-b', 'flow-2-c'];
    const logs = join(dir, 'logs');
    mkdirSync(logs);
    const runs = pods.map((pod, i) => {
      const results = join(dir, `results-${String(i)}`);
      mkdirSync(results);
      // The kubelet: env from the manifest (POD_IP from status.podIP: loopback here), $(VAR) expanded in args.
      const env: Record<string, string> = { POD_IP: '127.0.0.1' };
      for (const e of c.env) if (e.value !== undefined) env[e.name] = e.value;
      const here = (s: string): string => s.replaceAll('/etc/sipts', input).replaceAll('/results', results);
      const args = c.args.map((a) => here(a.replace(/\$\(([A-Z_]+)\)/g, (_, v: string) => env[v] ?? '')));
      const fd = openSync(join(logs, `${pod}.log`), 'w');
      const child = spawn(c.command[0] ?? '', [...c.command.slice(1).map(here), ...args], {
        cwd: results,
        stdio: ['ignore', fd, fd],
        env: { ...process.env, ...env, PATH, JOB_COMPLETION_INDEX: String(i) },
      });
      closeSync(fd);
      return new Promise<number | null>((resolve) => child.on('close', resolve));
    });
    assert.deepEqual(await Promise.all(runs), [0, 0, 0]);
    const fake = script(
      join(dir, 'kubectl'),
      `#!/usr/bin/env bash\ncase "$1 $2" in\n  "get job") printf 3 ;;\n  "get pods") printf '%s\\n' ${pods.map((p, i) => `"${String(i)} ${p}"`).join(' ')} ;;\n  "logs "*) cat "${logs}/$2.log" ;;\n  *) exit 1 ;;\nesac\n`,
    );
    const merged = join(dir, 'merged.json');
    const r = spawnSync(COLLECT, ['flow', '--json', merged, '--max-failed', '0'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH, KUBECTL: fake },
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const run = JSON.parse(readFileSync(merged, 'utf8')) as { counters: Record<string, number> };
    assert.equal(run.counters['CallsCreated'], 7);
    assert.equal(run.counters['SuccessfulCalls'], 7);
  },
);
