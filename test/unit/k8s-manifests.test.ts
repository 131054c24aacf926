import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { test } from 'node:test';
import { renderK8s, type K8sIo } from '../../src/cli/k8s-command.js';
import { ROOT } from '../helpers.js';
import { noPyYaml, validateManifest, yamlLoadAll } from '../k8s-oracles.js';

interface Container {
  command: string[];
  args: string[];
  env: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[];
  volumeMounts: { name: string; mountPath: string }[];
}
interface JobDoc {
  kind: 'Job';
  metadata: { name: string };
  spec: {
    completionMode: string;
    completions: number;
    parallelism: number;
    backoffLimit: number;
    template: {
      spec: {
        restartPolicy: string;
        hostNetwork?: boolean;
        containers: Container[];
        volumes: { name: string; configMap?: { name: string } }[];
      };
    };
  };
}
interface ConfigMapDoc {
  kind: 'ConfigMap';
  metadata: { name: string };
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

const NOW = Date.UTC(2030, 0, 1, 12, 0, 0, 250);
const FILES: Record<string, Uint8Array> = {
  'scen/call.xml': Buffer.from(
    '<?xml version="1.0"?>\n<scenario name="x">\n  <send><![CDATA[\n\tINVITE sip:[service]@[remote_ip] SIP/2.0\n  ]]></send>\n</scenario>\n',
  ),
  'data/users.csv': Buffer.from('USER\nalice;secret\n'),
  'data/blob.bin': Uint8Array.from([0, 255, 10, 128, 13]),
};
const io: K8sIo = {
  readFile: (path) => {
    const f = FILES[normalize(path)];
    if (f === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
    return f;
  },
  nowMs: NOW,
  version: '9.9.9',
};

function render(argv: readonly string[]): { cm: ConfigMapDoc | undefined; job: JobDoc; docs: unknown[] } {
  const r = renderK8s(argv, io);
  assert.deepEqual(r.errors, []);
  const docs = yamlLoadAll(r.yaml ?? '');
  for (const d of docs) validateManifest(d);
  const job = docs.find((d) => (d as { kind: string }).kind === 'Job') as JobDoc;
  const cm = docs.find((d) => (d as { kind: string }).kind === 'ConfigMap') as ConfigMapDoc | undefined;
  return { cm, job, docs };
}

test(
  'sipts k8s: an Indexed Job of N pods run once each, the pod IP as -i, SIPTS_SEGMENTS, one start time; the input files in a ConfigMap, byte for byte',
  { skip: noPyYaml },
  () => {
    const argv = [
      '--segments',
      '5',
      '--image',
      'img:1',
      '--start-in',
      '30s',
      '--',
      '-sf',
      'scen/call.xml',
      '10.0.0.5:5060',
      '-inf',
      'data/users.csv',
      '-infindex',
      'data/users.csv',
      '0',
      '-key',
      'k',
      'a b',
      '-m',
      '500',
    ];
    const { cm, job } = render(argv);
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.equal(job.spec.completions, 5);
    assert.equal(job.spec.parallelism, 5);
    assert.equal(job.spec.backoffLimit, 0);
    const pod = job.spec.template.spec;
    assert.equal(pod.restartPolicy, 'Never');
    assert.equal(pod.hostNetwork, undefined);
    const [c] = pod.containers;
    assert.ok(c !== undefined);
    const env = new Map(c.env.map((e) => [e.name, e]));
    assert.equal(env.get('POD_IP')?.valueFrom?.fieldRef.fieldPath, 'status.podIP');
    assert.equal(env.get('SIPTS_SEGMENTS')?.value, '5');
    // 12:00:00.250 + 30 s, up to the whole second.
    assert.equal(env.get('SIPTS_START_AT')?.value, '2030-01-01T12:00:31.000Z');
    // The kubelet expands $(VAR) from the container's env: each one used is defined there.
    for (const a of c.args) for (const m of a.matchAll(/\$\(([A-Z_]+)\)/g)) assert.ok(env.has(m[1] ?? ''), `${a}: no env ${m[1] ?? ''}`);
    assert.deepEqual(c.args, [
      '-sf',
      '/etc/sipts/call.xml',
      '10.0.0.5:5060',
      '-inf',
      '/etc/sipts/users.csv',
      '-infindex',
      '/etc/sipts/users.csv',
      '0',
      '-key',
      'k',
      'a b',
      '-m',
      '500',
      '-i',
      '$(POD_IP)',
      '--start-at',
      '$(SIPTS_START_AT)',
      '--json',
      '/results/segment.json',
    ]);
    assert.deepEqual(c.command.slice(0, 2), ['/bin/sh', '-c']);
    // The ConfigMap is the volume mounted where the args name the files, and holds them exactly.
    assert.ok(cm !== undefined);
    const volume = pod.volumes.find((v) => v.configMap !== undefined);
    assert.equal(volume?.configMap?.name, cm.metadata.name);
    assert.equal(c.volumeMounts.find((m) => m.name === volume.name)?.mountPath, '/etc/sipts');
    assert.deepEqual(cm.data, { 'call.xml': Buffer.from(FILES['scen/call.xml'] ?? '').toString(), 'users.csv': 'USER\nalice;secret\n' });
    assert.equal(cm.binaryData, undefined);
  },
);

test(
  'sipts k8s: a file that is not UTF-8 text goes to binaryData; --host-network; --start-at as epoch ms; no ConfigMap without input files',
  { skip: noPyYaml },
  () => {
    const bin = render([
      '--segments',
      '2',
      '--start-at',
      String(NOW),
      '--host-network',
      '--cpu',
      '1500m',
      '--memory',
      '512Mi',
      '--',
      '-sn',
      'uac',
      '10.0.0.5',
      '-inf',
      'data/blob.bin',
    ]);
    // Requests equal to limits (Guaranteed QoS): the pod's CPU is its own.
    const quantities = { cpu: '1500m', memory: '512Mi' };
    assert.deepEqual((bin.job.spec.template.spec.containers[0] as unknown as { resources: unknown }).resources, {
      requests: quantities,
      limits: quantities,
    });
    assert.deepEqual(Buffer.from(bin.cm?.binaryData?.['blob.bin'] ?? '', 'base64'), Buffer.from(FILES['data/blob.bin'] ?? []));
    assert.equal(bin.job.spec.template.spec.hostNetwork, true);
    assert.equal(bin.job.spec.template.spec.containers[0]?.env.find((e) => e.name === 'SIPTS_START_AT')?.value, '2030-01-01T12:00:00.250Z');
    const none = render(['--segments', '1', '--', '-sn', 'uac', '10.0.0.5']);
    assert.equal(none.docs.length, 1);
    assert.equal(none.cm, undefined);
    assert.equal(none.job.spec.template.spec.volumes.length, 1);
    assert.equal((none.job.spec.template.spec.containers[0] as unknown as { resources?: unknown }).resources, undefined);
  },
);

test(
  'the Kubernetes schema check fails a manifest with a wrong field (an unknown completion mode, a count as text, data not a string)',
  { skip: noPyYaml },
  () => {
    const { cm, job } = render(['--segments', '3', '--', '-sn', 'uac', '10.0.0.5', '-inf', 'data/users.csv']);
    const wrongMode = structuredClone(job);
    wrongMode.spec.completionMode = 'Indices';
    assert.throws(() => validateManifest(wrongMode), /completionMode/);
    const textCount = structuredClone(job) as unknown as { spec: { parallelism: unknown } };
    textCount.spec.parallelism = '3';
    assert.throws(() => validateManifest(textCount), /parallelism/);
    const numberData = structuredClone(cm) as unknown as { data: Record<string, unknown> };
    numberData.data['users.csv'] = 3;
    assert.throws(() => validateManifest(numberData), /data/);
    // A misspelt field (the API server refuses it under kubectl's strict field validation), deep down.
    const misspelt = structuredClone(job) as unknown as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    const [container] = misspelt.spec.template.spec.containers;
    assert.ok(container !== undefined);
    container['workingDirectory'] = '/results';
    assert.throws(() => validateManifest(misspelt), /^Error: \.spec\.template\.spec\.containers\[0\]\.workingDirectory: unknown field$/);
    assert.throws(() => validateManifest({ ...cm, metadata: { name: 'x', label: {} } }), /\.metadata\.label: unknown field/);
    assert.throws(() => validateManifest({ apiVersion: 'v1', kind: 'Pod' }), /no schema/);
  },
);

test('sipts k8s: every mistake at once, each named; nothing rendered', () => {
  const r = renderK8s(
    [
      '--segments',
      'four',
      '--name',
      'UPPER',
      '--start-in',
      '30s',
      '--start-at',
      'noon',
      '--',
      '-sf',
      'missing.xml',
      '-inf',
      'data/users.csv',
      '-inf',
      'other/users.csv',
      '-i',
      '1.2.3.4',
      '--json',
      'x.json',
      '-bg',
      '-3pcc',
      '1.2.3.4:5',
      '-m',
    ],
    io,
  );
  assert.equal(r.yaml, undefined);
  const expected = [
    /^--segments four: expected a whole number/,
    /^--name UPPER: lower-case/,
    /^--start-in and --start-at: give one/,
    /^--start-at noon: expected an ISO 8601 time/,
    /^missing\.xml: ENOENT/,
    /^other\/users\.csv and data\/users\.csv: two input files named users\.csv/,
    /^-i: not with sipts k8s: each pod uses its own IP/,
    /^--json: not with sipts k8s/,
    /^-bg: not with sipts k8s/,
    /^-3pcc: not with sipts k8s/,
    /^-m: needs a value/,
  ];
  assert.equal(r.errors.length, expected.length, r.errors.join('\n'));
  for (const re of expected)
    assert.ok(
      r.errors.some((e) => re.test(e)),
      `${String(re)} in:\n${r.errors.join('\n')}`,
    );
  assert.deepEqual(renderK8s(['--segments', '2', '-sn', 'uac'], io).errors, [
    "-sn: not an option of sipts k8s (the run's options go after --)",
    "uac: not an option of sipts k8s (the run's options go after --)",
    'the run: give its sipts options and files after --',
  ]);
  // One file named two ways is one file.
  assert.deepEqual(
    renderK8s(['--segments', '2', '--', '-sn', 'uac', '10.0.0.5', '-inf', './data/users.csv', '-infindex', 'data/users.csv', '0'], io)
      .errors,
    [],
  );
  assert.deepEqual(renderK8s(['--segments', '2', '--cpu', 'two', '--memory', '1 GB', '--', '-sn', 'uac'], io).errors, [
    '--cpu two: expected a Kubernetes quantity, e.g. 2, 1.5, 500m (CPU) or 512Mi, 2Gi (memory)',
    '--memory 1 GB: expected a Kubernetes quantity, e.g. 2, 1.5, 500m (CPU) or 512Mi, 2Gi (memory)',
  ]);
  const big = renderK8s(['--segments', '2', '--', '-inf', 'big.csv'], { ...io, readFile: () => new Uint8Array(1024 * 1024 + 1) });
  assert.match(big.errors.join('\n'), /1048577 bytes; a ConfigMap holds at most 1048576/);
});

test('sipts k8s: thresholds and reports given to the pods are warned about (sipts merge judges the whole run), and files that stay in the pod', () => {
  const r = renderK8s(
    ['--segments', '2', '--', '-sn', 'uac', '10.0.0.5', '--max-failed', '0', '--junit', 'j.xml', '-trace_stat', '-message_file', 'm.log'],
    io,
  );
  assert.deepEqual(r.errors, []);
  assert.equal(r.warnings.length, 4);
  assert.match(r.warnings[0] ?? '', /^--max-failed: judges or reports each segment alone/);
  assert.match(r.warnings[2] ?? '', /^-trace_stat: its file is written in the pod's \/results and lost with the pod/);
  assert.match(r.warnings[3] ?? '', /^-message_file: its file is written/);
});

test(
  'deploy/kubernetes/sipts-register.yaml is what the sipts k8s command atop it renders today, and passes the schema check',
  { skip: noPyYaml },
  () => {
    const dir = join(ROOT, 'deploy/kubernetes');
    const text = readFileSync(join(dir, 'sipts-register.yaml'), 'utf8');
    const first = text.split('\n')[0] ?? '';
    const m = /^# Rendered by: sipts k8s (.*)$/.exec(first);
    assert.ok(m !== null, first);
    // The example's command line has no quoted words: words are split at spaces.
    assert.doesNotMatch(m[1] ?? '', /['"\\]/);
    const argv = (m[1] ?? '').split(' ');
    const r = renderK8s(argv, { readFile: (p) => readFileSync(join(dir, p)), nowMs: Date.now(), version: '0.0.0' });
    assert.deepEqual(r.errors, []);
    assert.equal(
      r.yaml,
      text,
      `deploy/kubernetes/sipts-register.yaml is stale: (cd deploy/kubernetes && ../../bin/sipts.js k8s ${m[1] ?? ''} > sipts-register.yaml)`,
    );
    for (const d of yamlLoadAll(text)) validateManifest(d);
  },
);

test('README, Beyond one machine: its sipts k8s command renders, its collect.sh and image lines name what exists', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Beyond one machine'), readme.indexOf('## Scenarios'));
  const command = /^sipts k8s (.*) \\\n {2}(.*) \| kubectl apply -f -$/m.exec(section);
  assert.ok(command !== null, 'the sipts k8s command line of the flow');
  const argv = `${command[1] ?? ''} ${command[2] ?? ''}`.split(/ +/);
  const r = renderK8s(argv, { ...io, readFile: () => Buffer.from('SEQUENTIAL\na;b\n') });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  const from = /^FROM (\S+)$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  assert.ok(section.includes(`\`${from?.[1] ?? '?'}\``), 'the README names the Dockerfile base image');
  assert.match(section, /^deploy\/kubernetes\/collect\.sh reg /m);
  assert.ok(section.includes('deploy/kubernetes/sipts-register.yaml'));
});
