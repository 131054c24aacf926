#!/usr/bin/env bash
# The system peers the interoperability tests run against, brought by `npm test` itself so that
# `npm ci && npm test` passes on a fresh Debian machine: SIPp 3.6.1 (sip-tester), Kamailio with its TLS and
# WebSocket modules, openssl (the TLS tests' certificates), tmux (a real terminal for the live screen), tshark
# and python3 with pylibsrtp (the media tests), python3-yaml (the Kubernetes manifests' tests), Java's
# HdrHistogram (the --hdr-log test's oracle).
# As root (or with sudo) the missing packages are installed; otherwise this says which are missing and the
# tests that need them are skipped with that reason (in CI, with CI=true, they fail instead).
set -uo pipefail
missing=()
command -v sipp >/dev/null 2>&1 || missing+=(sip-tester)
command -v kamailio >/dev/null 2>&1 || missing+=(kamailio)
kmods=$(ls -d /usr/lib/*/kamailio/modules 2>/dev/null | head -1)
[ -n "$kmods" ] && [ -e "$kmods/websocket.so" ] || missing+=(kamailio-websocket-modules)
[ -n "$kmods" ] && [ -e "$kmods/tls.so" ] || missing+=(kamailio-tls-modules)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
# The media tests' oracles: tshark (and mergecap) decode captures, Python's audioop encodes G.711 (Debian 12's
# python3 has it; Python 3.13 removed it, then the G.711 and WAV tests skip, naming it).
command -v tshark >/dev/null 2>&1 || missing+=(tshark)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# The --hdr-log test's oracle: HdrHistogram's own (Java) HistogramLogProcessor reads the log sipts writes.
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
[ -e /usr/share/java/hdrhistogram.jar ] || missing+=(libhdrhistogram-java)
# The Kubernetes manifests' tests read sipts k8s's YAML back with PyYAML, Debian's python3-yaml.
/usr/bin/python3 -c 'import yaml' >/dev/null 2>&1 || missing+=(python3-yaml)
# The SRTP interop test's independent side: libsrtp 2 through pylibsrtp, for Debian's /usr/bin/python3.
/usr/bin/python3 -c 'import pylibsrtp' >/dev/null 2>&1 || missing+=(python3-pylibsrtp)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo); else
  echo "test peers missing: ${missing[*]} (apt-get install ${missing[*]}); the tests that need them are skipped" >&2
  exit 0
fi
echo "installing the test peers: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null && "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null \
  || { echo "could not install ${missing[*]}: the tests that need them are skipped (or fail in CI)" >&2; exit 0; }
