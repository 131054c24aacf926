/**
 * `sipts k8s`: the Kubernetes manifests (ConfigMap + Indexed Job) of one run split into N segments, so that
 * they come from one place: `sipts k8s --segments 4 --image IMG --start-in 60s -- <run options and files>`.
 * The run's input files go into the ConfigMap and are named by their path in the pod; the pod's IP, the start
 * time and the JSON result are the Job's to set.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { INPUT_DIR, RESULT_DIR } from '../k8s/segment-script.js';
import { renderManifests, type InputFile } from '../k8s/manifests.js';
import { OPTIONS } from './options.js';
import { parseTime } from './option-values.js';
import { EXIT } from './exit-codes.js';
import { VERSION } from '../version.js';
import { messageOf } from '../thrown.js';

export const K8S_USAGE = `usage: sipts k8s --segments N [--image IMAGE] [--name NAME] [--namespace NS]
                 [--start-in TIME | --start-at TIME] [--cpu Q] [--memory Q] [--host-network]
                 -- <sipts run options and files>
Prints the ConfigMap (the run's -sf, -inf, -oocsf, -rxsf, -rxinf files) and the Indexed Job of a run split
into N segments, for kubectl apply -f -. Each pod runs its segment from its own IP (-i), starts at the same
time (--start-at), and prints its JSON result; deploy/kubernetes/collect.sh gathers and merges them.
  --segments N      how many pods share the run (parallelism = completions = N)
  --image IMAGE     the sipts image (default sipts:<version>, as the Dockerfile builds it)
  --name NAME       the Job's and ConfigMap's name (default sipts)
  --namespace NS    their namespace (default: kubectl's)
  --start-in TIME   start every segment this long after now (default 60s; 90s, 2m ...)
  --start-at TIME   or at this time (ISO 8601, or epoch ms)
  --cpu Q, --memory Q  each pod's CPU and memory (Kubernetes quantities: 2, 500m; 512Mi), requested and limited
  --host-network    pods on their node's network: the node's address, no NAT
`;

/** Run options whose value is a file the pods read: shipped in the ConfigMap. -infindex FILE FIELD too. */
const INPUT_FILE_OPTIONS: ReadonlySet<string> = new Set(['sf', 'inf', 'oocsf', 'rxsf', 'rxinf']);
/** Run options the Job sets, or that cannot work in a pod as rendered: refused, with why. */
const REFUSED: Readonly<Record<string, string>> = {
  i: 'each pod uses its own IP (the downward API status.podIP)',
  json: "the Job writes each segment's JSON result and prints it for collect.sh",
  segment: 'the Job gives each pod its segment (JOB_COMPLETION_INDEX, SIPTS_SEGMENTS)',
  'start-at': 'give --start-at or --start-in to sipts k8s, before --',
  bg: 'a pod runs sipts in the foreground',
  demo: 'not a run to split',
  sd: 'not a run to split',
  v: 'not a run to split',
  '3pcc': '3PCC twins are not split into segments',
  master: '3PCC twins are not split into segments',
  slave: '3PCC twins are not split into segments',
  slave_cfg: '3PCC twins are not split into segments',
  tls_cert: 'keys belong in a Secret, which sipts k8s does not render yet',
  tls_key: 'keys belong in a Secret, which sipts k8s does not render yet',
  tls_ca: 'not rendered yet (a Secret or ConfigMap of your own)',
  tls_crl: 'not rendered yet (a Secret or ConfigMap of your own)',
};
/** Given to the pods, these judge or report one segment only: the whole run's are sipts merge's. */
const MERGE_OPTIONS: ReadonlySet<string> = new Set([
  'junit',
  'html',
  'max-failed',
  'max-rtd-p99',
  'max-rtp-loss',
  'max-jitter',
  'min-success-rate',
]);
/** Run options that write files: in a pod they land in its emptyDir and go with it. */
const writesFile = (name: string): boolean => name.startsWith('trace_') || name.endsWith('_file') || name === 'stf' || name === 'hdr-log';
/** ConfigMap keys (Kubernetes: [-._a-zA-Z0-9]+). */
const KEY = /^[-._a-zA-Z0-9]+$/;
/** A DNS label, short enough for `<name>-<index>` pod hostnames (63 characters). */
const NAME = /^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/;
/** The API server refuses a ConfigMap larger than 1 MiB. */
const CONFIGMAP_MAX_BYTES = 1024 * 1024;
/** A Kubernetes quantity as people write them: 2, 1.5, 500m, 512Mi, 2G. */
const QUANTITY = /^\d+(\.\d+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
/** Kubernetes' limit of an Indexed Job's parallelism. */
const MAX_SEGMENTS = 100_000;

export interface K8sIo {
  readonly readFile: (path: string) => Uint8Array;
  readonly nowMs: number;
  readonly version: string;
}

export interface K8sResult {
  readonly yaml: string | undefined;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

const ARITY: ReadonlyMap<string, number> = new Map(OPTIONS.map((o) => [o.name, o.kind === 'flag' ? 0 : o.kind === 'pair' ? 2 : 1]));

/** A word as POSIX sh reads it back, for the "Rendered by" line. */
function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replaceAll("'", `'\\''`)}'`;
}

function startTime(startIn: string | undefined, startAt: string | undefined, nowMs: number, errors: string[]): string | undefined {
  if (startIn !== undefined && startAt !== undefined) errors.push('--start-in and --start-at: give one of them');
  if (startAt !== undefined) {
    const ms = /^\d+$/.test(startAt) ? Number(startAt) : /^\d{4}-\d\d-\d\dT/.test(startAt) ? Date.parse(startAt) : Number.NaN;
    if (Number.isNaN(ms)) errors.push(`--start-at ${startAt}: expected an ISO 8601 time (2030-01-01T12:00:00Z) or epoch milliseconds`);
    else return new Date(ms).toISOString();
    return undefined;
  }
  const ms = parseTime(startIn ?? '60s', 's');
  if (ms === undefined) {
    errors.push(`--start-in ${startIn ?? ''}: expected a time such as 90s, 2m or 90 (seconds)`);
    return undefined;
  }
  // Whole seconds: the time is read by people in the manifest.
  return new Date(Math.ceil((nowMs + ms) / 1000) * 1000).toISOString();
}

interface OwnOptions {
  segments?: string;
  image?: string;
  name?: string;
  namespace?: string;
  startIn?: string;
  startAt?: string;
  cpu?: string;
  memory?: string;
  hostNetwork: boolean;
}

function ownOptions(argv: readonly string[], errors: string[]): { own: OwnOptions; run: readonly string[] } {
  const own: OwnOptions = { hostNetwork: false };
  const valued: Readonly<Record<string, keyof Omit<OwnOptions, 'hostNetwork'>>> = {
    '--segments': 'segments',
    '--image': 'image',
    '--name': 'name',
    '--namespace': 'namespace',
    '--start-in': 'startIn',
    '--start-at': 'startAt',
    '--cpu': 'cpu',
    '--memory': 'memory',
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') return { own, run: argv.slice(i + 1) };
    if (a === '--host-network') own.hostNetwork = true;
    else {
      const key = valued[a.split('=')[0] ?? ''];
      if (key === undefined) errors.push(`${a}: not an option of sipts k8s (the run's options go after --)`);
      else if (a.includes('=')) own[key] = a.slice(a.indexOf('=') + 1);
      else if (i + 1 < argv.length) own[key] = argv[++i] ?? '';
      else errors.push(`${a}: needs a value`);
    }
  }
  errors.push('the run: give its sipts options and files after --');
  return { own, run: [] };
}

/** The run's arguments with its input files named in the pod, and those files; errors and warnings added. */
function runArgs(run: readonly string[], io: K8sIo, errors: string[], warnings: string[]): { args: string[]; files: InputFile[] } {
  const args: string[] = [];
  const files = new Map<string, { path: string; file: InputFile }>();
  const ship = (path: string): string => {
    const key = basename(path);
    const known = files.get(key);
    if (known !== undefined) {
      if (resolve(known.path) !== resolve(path))
        errors.push(`${path} and ${known.path}: two input files named ${key}; rename one (the ConfigMap holds them by name)`);
      return `${INPUT_DIR}/${key}`;
    }
    if (!KEY.test(key)) errors.push(`${path}: a ConfigMap key is letters, digits, -, _ and . only; rename the file`);
    try {
      files.set(key, { path, file: { key, content: io.readFile(path) } });
    } catch (e) {
      errors.push(`${path}: ${messageOf(e)}`);
    }
    return `${INPUT_DIR}/${key}`;
  };
  let hosts = 0;
  for (let i = 0; i < run.length; i++) {
    const a = run[i] ?? '';
    if (!a.startsWith('-') || a === '-') {
      hosts++;
      args.push(a);
      continue;
    }
    const name = a.replace(/^--?/, '');
    const refused = REFUSED[name];
    const arity = ARITY.get(name);
    if (refused !== undefined) {
      errors.push(`${a}: not with sipts k8s: ${refused}`);
      i += arity ?? 1;
      continue;
    }
    if (arity === undefined) {
      errors.push(`${a}: unknown option (sipts --help lists them)`);
      continue;
    }
    if (i + arity >= run.length) {
      errors.push(`${a}: needs ${arity === 2 ? 'two values' : 'a value'}`);
      break;
    }
    args.push(a);
    const values = run.slice(i + 1, i + 1 + arity);
    i += arity;
    if (INPUT_FILE_OPTIONS.has(name) || name === 'infindex') {
      const [file, ...rest] = values;
      args.push(ship(file ?? ''), ...rest);
    } else args.push(...values);
    if (writesFile(name))
      warnings.push(
        `${a}: its file is written in the pod's ${RESULT_DIR} and lost with the pod; only the --json result is gathered (collect.sh)`,
      );
    if (MERGE_OPTIONS.has(name))
      warnings.push(
        `${a}: judges or reports each segment alone, inside its pod; give it to sipts merge (collect.sh passes its options on) for the whole run`,
      );
  }
  if (hosts === 0 && !args.some((a) => /^--?s[nf]$/.test(a)))
    warnings.push('no remote host and no -sn/-sf: each pod runs the default scenario, as sipts would');
  const total = [...files.values()].reduce((n, f) => n + f.file.content.length, 0);
  if (total > CONFIGMAP_MAX_BYTES)
    errors.push(
      `the input files add up to ${total} bytes; a ConfigMap holds at most ${CONFIGMAP_MAX_BYTES} (1 MiB): use smaller files, or mount them yourself`,
    );
  return { args, files: [...files.values()].map((f) => f.file) };
}

/** The manifests for `sipts k8s ARGV` (argv after `k8s`), or every error at once. */
export function renderK8s(argv: readonly string[], io: K8sIo): K8sResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const { own, run } = ownOptions(argv, errors);
  const segments = Number(own.segments);
  if (own.segments === undefined) errors.push('--segments N: how many pods share the run');
  else if (!/^\d+$/.test(own.segments) || segments < 1 || segments > MAX_SEGMENTS)
    errors.push(`--segments ${own.segments}: expected a whole number from 1 to ${MAX_SEGMENTS}`);
  const name = own.name ?? 'sipts';
  if (!NAME.test(name))
    errors.push(`--name ${name}: lower-case letters, digits and -, at most 52, starting and ending with a letter or digit`);
  if (own.namespace !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(own.namespace))
    errors.push(`--namespace ${own.namespace}: not a Kubernetes namespace name (a DNS label)`);
  const startAt = startTime(own.startIn, own.startAt, io.nowMs, errors);
  for (const [flag, q] of [
    ['--cpu', own.cpu],
    ['--memory', own.memory],
  ] as const)
    if (q !== undefined && !QUANTITY.test(q))
      errors.push(`${flag} ${q}: expected a Kubernetes quantity, e.g. 2, 1.5, 500m (CPU) or 512Mi, 2Gi (memory)`);
  const { args, files } = runArgs(run, io, errors, warnings);
  if (errors.length > 0 || startAt === undefined) return { yaml: undefined, errors, warnings };
  const yaml = renderManifests({
    name,
    namespace: own.namespace,
    image: own.image ?? `sipts:${io.version}`,
    segments,
    startAt,
    args,
    files,
    hostNetwork: own.hostNetwork,
    resources: { cpu: own.cpu, memory: own.memory },
    renderedBy: ['sipts', 'k8s', ...argv].map(shellWord).join(' '),
  });
  return { yaml, errors, warnings };
}

/** `sipts k8s …`: the manifests on standard output, warnings and errors on standard error. */
export function k8sMain(argv: readonly string[]): number {
  const end = argv.indexOf('--');
  const own = end === -1 ? argv : argv.slice(0, end);
  if (argv.length === 0 || own.includes('--help') || own.includes('-h')) {
    process.stdout.write(K8S_USAGE);
    return argv.length === 0 ? EXIT.FATAL : 0;
  }
  const r = renderK8s(argv, { readFile: (path) => readFileSync(path), nowMs: Date.now(), version: VERSION });
  for (const w of r.warnings) process.stderr.write(`sipts k8s: warning: ${w}\n`);
  for (const e of r.errors) process.stderr.write(`sipts k8s: error: ${e}\n`);
  if (r.yaml === undefined) {
    process.stderr.write(K8S_USAGE);
    return EXIT.FATAL;
  }
  process.stdout.write(r.yaml);
  return 0;
}
