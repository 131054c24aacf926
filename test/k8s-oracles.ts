/**
 * Independent readers of what sipts k8s writes: PyYAML (Debian's python3-yaml) parses the YAML, and
 * kubernetes-models (the Kubernetes OpenAPI schema, checked by ajv) judges each object parsed from it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { ROOT } from './helpers.js';

/** Debian's Python, whose yaml module python3-yaml installs (test/peers.sh). */
const PYTHON = '/usr/bin/python3';

export const noPyYaml: string | false =
  spawnSync(PYTHON, ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0
    ? false
    : '/usr/bin/python3 with PyYAML (apt-get install python3-yaml) is not available';

/**
 * Every document of a YAML stream, as PyYAML's safe loader reads it (YAML 1.1, the resolver Kubernetes' own
 * YAML library follows); json.dump refuses anything but plain data, so a time read as a date fails here.
 */
export function yamlLoadAll(text: string): unknown[] {
  const script = 'import sys, json, yaml\njson.dump(list(yaml.safe_load_all(sys.stdin.buffer.read().decode("utf-8"))), sys.stdout)';
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { input: text, maxBuffer: 64 * 1024 * 1024 }).toString('utf8')) as unknown[];
}

function field(doc: unknown, name: string): unknown {
  return typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)[name] : undefined;
}

/**
 * The fields of a kubernetes-models interface (its .d.ts, generated from the same OpenAPI definitions), each
 * with the .d.ts of its object type when it has one. The ajv schemas let unknown fields through; the API
 * server, under kubectl's strict field validation, refuses them.
 */
function fieldsOf(dts: string): Map<string, string | undefined> {
  const text = readFileSync(dts, 'utf8');
  const imports = new Map<string, string>();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
    const from = m[2] ?? '';
    const file = from.startsWith('.') ? join(dirname(dts), from.replace(/\.js$/, '.d.ts')) : join(ROOT, 'node_modules', `${from}.d.ts`);
    imports.set(m[1] ?? '', file);
  }
  const body = text.slice(text.indexOf('export interface'), text.indexOf('\n}\n', text.indexOf('export interface')));
  const fields = new Map<string, string | undefined>();
  for (const m of body.matchAll(/^ {4}"([^"]+)"\??: (.*?);?$/gm)) {
    const type = /^(?:Array<)?(\w+)>?$/.exec(m[2] ?? '')?.[1] ?? '';
    fields.set(m[1] ?? '', imports.get(type));
  }
  return fields;
}

function unknownFields(value: unknown, dts: string, path: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) unknownFields(v, dts, `${path}[${String(i)}]`, out);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const fields = fieldsOf(dts);
  for (const [k, v] of Object.entries(value)) {
    if (!fields.has(k)) out.push(`${path}.${k}: unknown field`);
    const inner = fields.get(k);
    if (inner !== undefined) unknownFields(v, inner, `${path}.${k}`, out);
  }
}

const MODELS = join(ROOT, 'node_modules/kubernetes-models');

function strict(doc: unknown, dts: string): void {
  const out: string[] = [];
  unknownFields(doc, join(MODELS, dts), '', out);
  if (out.length > 0) throw new Error(out.join('\n'));
}

/** Checks one Kubernetes object against the API schema of its kind: throws on a violation, an unknown field or kind. */
export function validateManifest(doc: unknown): void {
  const kind = `${String(field(doc, 'apiVersion'))}/${String(field(doc, 'kind'))}`;
  switch (kind) {
    case 'batch/v1/Job':
      new Job(doc as IJob).validate();
      strict(doc, 'batch/v1/Job.d.ts');
      return;
    case 'v1/ConfigMap':
      new ConfigMap(doc as IConfigMap).validate();
      strict(doc, 'v1/ConfigMap.d.ts');
      return;
    default:
      throw new Error(`${kind}: no schema checked here for this kind`);
  }
}
