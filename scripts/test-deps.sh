#!/usr/bin/env bash
# Installs what the test suite needs beyond npm packages: Debian's docker-registry, which the
# resolver tests start on loopback. Idempotent; used by `npm test` (pretest) and by .ci/run.
set -u
if command -v docker-registry >/dev/null 2>&1 || [ -x /usr/bin/docker-registry ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: docker-registry is missing and apt-get is not available; the registry tests will fail" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "test-deps: installing docker-registry needs root; run: sudo apt-get install -y docker-registry" >&2
    exit 0
  fi
fi
echo "test-deps: installing Debian's docker-registry for the registry tests" >&2
$SUDO apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq docker-registry >/dev/null 2>&1 \
  || echo "test-deps: could not install docker-registry; the registry tests will fail" >&2
exit 0
