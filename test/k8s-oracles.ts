/**
 * Independent readers of what sipts k8s writes: PyYAML (Debian's python3-yaml) parses the YAML, and
 * kubernetes-models (the Kubernetes OpenAPI schema, checked by ajv) judges each object parsed from it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';

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

/** Checks one Kubernetes object against the API schema of its kind: throws on a violation or an unknown kind. */
export function validateManifest(doc: unknown): void {
  const kind = `${String(field(doc, 'apiVersion'))}/${String(field(doc, 'kind'))}`;
  switch (kind) {
    case 'batch/v1/Job':
      new Job(doc as IJob).validate();
      return;
    case 'v1/ConfigMap':
      new ConfigMap(doc as IConfigMap).validate();
      return;
    default:
      throw new Error(`${kind}: no schema checked here for this kind`);
  }
}
