#!/usr/bin/env bash
# Gathers the JSON results of a sipts Job's segments from its pods' logs, then merges them into one verdict.
#
#   deploy/kubernetes/collect.sh JOB [sipts merge options, e.g. --json run.json --junit run.xml --max-failed 0]
#
# Run it once the Job has ended (kubectl wait --for=condition=complete job/JOB). Each pod printed its result
# between two marker lines (sipts k8s renders the pods' script); the results go to RESULTS (default
# ./JOB-results/segment-<index>.json) and `sipts merge` reads them: its exit code is this script's.
# KUBECTL (default kubectl; e.g. "kubectl -n loadtest") and SIPTS (default sipts) name the commands.
set -euo pipefail
BEGIN='----- sipts segment result (JSON) -----'
END='----- end of sipts segment result -----'
job=${1:?usage: collect.sh JOB [sipts merge options]}
shift
read -ra kubectl <<<"${KUBECTL:-kubectl}"
read -ra sipts <<<"${SIPTS:-sipts}"
dir=${RESULTS:-./$job-results}
mkdir -p "$dir"

segments=$("${kubectl[@]}" get job "$job" -o 'jsonpath={.spec.completions}')
# One pod per index (backoffLimit 0: none is run twice); the ones that succeeded printed a result.
pods=$("${kubectl[@]}" get pods -l "batch.kubernetes.io/job-name=$job" --field-selector=status.phase=Succeeded \
  -o 'jsonpath={range .items[*]}{.metadata.annotations.batch\.kubernetes\.io/job-completion-index} {.metadata.name}{"\n"}{end}')

files=()
missing=()
for ((i = 0; i < segments; i++)); do
  pod=$(awk -v i="$i" '$1 == i { print $2; exit }' <<<"$pods")
  if [ -z "$pod" ]; then
    missing+=("$i")
    continue
  fi
  out="$dir/segment-$i.json"
  "${kubectl[@]}" logs "$pod" -c sipts | awk -v b="$BEGIN" -v e="$END" '$0 == e { on = 0 } on { print } $0 == b { on = 1 }' >"$out"
  if [ ! -s "$out" ]; then
    echo "collect.sh: pod $pod (segment $i) printed no result: kubectl logs $pod" >&2
    missing+=("$i")
    continue
  fi
  files+=("$out")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "collect.sh: no result from segment(s) ${missing[*]} of $segments: kubectl get pods -l batch.kubernetes.io/job-name=$job" >&2
  exit 255
fi
echo "collect.sh: $segments segment results in $dir; merging" >&2
exec "${sipts[@]}" merge "${files[@]}" "$@"
