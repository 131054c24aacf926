/**
 * The Kubernetes objects of one run split into segments: a ConfigMap with the run's input files and an Indexed
 * Job whose pod k runs segment k of N (Kubernetes sets JOB_COMPLETION_INDEX; sipts reads it with SIPTS_SEGMENTS).
 */
import { INPUT_DIR, RESULT_DIR, RESULT_FILE, SEGMENT_SCRIPT } from './segment-script.js';
import { yamlDocument, type YamlValue } from './yaml.js';

/** A file the pods read, shipped in the ConfigMap under `key` and mounted at INPUT_DIR/key. */
export interface InputFile {
  readonly key: string;
  readonly content: Uint8Array;
}

export interface SegmentedRun {
  /** The Job's and the ConfigMap's name (a DNS label). */
  readonly name: string;
  readonly namespace: string | undefined;
  readonly image: string;
  readonly segments: number;
  /** When every segment starts (`--start-at`): an ISO time. */
  readonly startAt: string;
  /** sipts's arguments for the run, input files already named under INPUT_DIR. */
  readonly args: readonly string[];
  readonly files: readonly InputFile[];
  /** Each pod on its node's network (its address is the node's): at most one segment per node. */
  readonly hostNetwork: boolean;
  /** Each pod's CPU and memory (Kubernetes quantities), requested and limited alike; undefined: none set. */
  readonly resources: { readonly cpu: string | undefined; readonly memory: string | undefined };
  /** The command line that rendered these manifests, written atop them. */
  readonly renderedBy: string;
}

const LABEL = 'app.kubernetes.io/name';

function labels(run: SegmentedRun): Record<string, string> {
  return { [LABEL]: 'sipts', 'app.kubernetes.io/instance': run.name };
}

function metadata(run: SegmentedRun): Record<string, YamlValue | undefined> {
  return { name: run.name, namespace: run.namespace, labels: labels(run) };
}

/** Text files as `data` (readable in the manifest), any other bytes as `binaryData` (base64). */
function configMap(run: SegmentedRun): Record<string, YamlValue | undefined> {
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  for (const f of run.files) {
    const text = Buffer.from(f.content).toString('utf8');
    if (Buffer.from(text, 'utf8').equals(f.content)) data[f.key] = text;
    else binaryData[f.key] = Buffer.from(f.content).toString('base64');
  }
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(run),
    data: Object.keys(data).length > 0 ? data : undefined,
    binaryData: Object.keys(binaryData).length > 0 ? binaryData : undefined,
  };
}

/**
 * Requests equal to limits: the pod has its CPU to itself (Guaranteed QoS when both are given), so that a busy
 * neighbour on the node does not show up as the server's response time.
 */
function resources(run: SegmentedRun): YamlValue | undefined {
  const { cpu, memory } = run.resources;
  if (cpu === undefined && memory === undefined) return undefined;
  const amounts = { cpu, memory };
  return { requests: amounts, limits: amounts };
}

function job(run: SegmentedRun): Record<string, YamlValue | undefined> {
  const volumes: YamlValue[] = [{ name: 'results', emptyDir: {} }];
  const mounts: YamlValue[] = [{ name: 'results', mountPath: RESULT_DIR }];
  if (run.files.length > 0) {
    volumes.unshift({ name: 'input', configMap: { name: run.name } });
    mounts.unshift({ name: 'input', mountPath: INPUT_DIR, readOnly: true });
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(run),
    spec: {
      completionMode: 'Indexed',
      completions: run.segments,
      parallelism: run.segments,
      // A load test is not re-run: a second try would add its calls to the first's (k6-operator #75).
      backoffLimit: 0,
      template: {
        metadata: { labels: labels(run) },
        spec: {
          restartPolicy: 'Never',
          hostNetwork: run.hostNetwork ? true : undefined,
          dnsPolicy: run.hostNetwork ? 'ClusterFirstWithHostNet' : undefined,
          // Spread the segments over the nodes (CPU, and on the host network the source addresses: a node's own).
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: run.hostNetwork ? 'DoNotSchedule' : 'ScheduleAnyway',
              labelSelector: { matchLabels: labels(run) },
            },
          ],
          // The image's user is numeric (1000), so the kubelet can check runAsNonRoot.
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
          containers: [
            {
              name: 'sipts',
              image: run.image,
              command: ['/bin/sh', '-c', SEGMENT_SCRIPT, 'sipts'],
              // $(VAR) is expanded by the kubelet from the container's env.
              args: [...run.args, '-i', '$(POD_IP)', '--start-at', '$(SIPTS_START_AT)', '--json', RESULT_FILE],
              workingDir: RESULT_DIR,
              env: [
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'SIPTS_SEGMENTS', value: String(run.segments) },
                { name: 'SIPTS_START_AT', value: run.startAt },
              ],
              resources: resources(run),
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

/** The ConfigMap (when the run has input files) and the Job, as one YAML stream for `kubectl apply -f`. */
export function renderManifests(run: SegmentedRun): string {
  const docs = run.files.length > 0 ? [configMap(run), job(run)] : [job(run)];
  return `# Rendered by: ${run.renderedBy.replaceAll('\n', ' ')}\n${docs.map((d) => `---\n${yamlDocument(d)}`).join('')}`;
}
