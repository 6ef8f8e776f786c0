#!/usr/bin/env bash
# Every test of the project: the library under the race detector, the
# benchmark module's checks, then the conformance suites (Connect
# conformance, the matrix, real peers), which build their pinned tools and
# peers on first use. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")"

echo "== library"
go test -race ./...
echo "== bench module (checks, not timings)"
(cd bench && go vet ./... && go test -race ./...)
echo "== conformance"
./conformance/run.sh
