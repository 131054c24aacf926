/**
 * What each pod of the Job runs: sipts with the run's arguments, then its JSON result between two marker lines
 * on standard output, where `kubectl logs` (deploy/kubernetes/collect.sh) finds it after the pod has ended.
 */

/** Where the ConfigMap's files are mounted in the pod (the scenario, injection files). */
export const INPUT_DIR = '/etc/sipts';
/** The pod's writable working folder (an emptyDir): sipts's own files and the segment's JSON result. */
export const RESULT_DIR = '/results';
export const RESULT_FILE = `${RESULT_DIR}/segment.json`;
/** The lines around a segment's JSON in its log; collect.sh cuts on them (a test keeps the two in step). */
export const RESULT_BEGIN = '----- sipts segment result (JSON) -----';
export const RESULT_END = '----- end of sipts segment result -----';

/**
 * A POSIX sh script for `sh -c SCRIPT sipts ARGS…`. Exit codes 1 (calls failed) and 2 (a threshold missed) are
 * a finished segment with a result: the verdict is `sipts merge`'s, over every segment, so the pod succeeds.
 * A failing pod would end the Job (backoffLimit 0) and with it the segments still running. Any other code
 * (255: a bad option or file, 254: the port is taken, 97 …) fails the pod, and the Job, as it should.
 */
export const SEGMENT_SCRIPT = [
  `sipts "$@"`,
  'rc=$?',
  `if [ -s ${RESULT_FILE} ] && [ "$rc" -le 2 ]; then`,
  `  echo '${RESULT_BEGIN}'`,
  `  cat ${RESULT_FILE}`,
  `  echo`,
  `  echo '${RESULT_END}'`,
  '  exit 0',
  'fi',
  'exit "$rc"',
  '',
].join('\n');
