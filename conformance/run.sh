#!/usr/bin/env bash
# Runs authwire's conformance suites and prints a summary table
# (suite, cases, passed, failed, seconds).
#
# It builds whatever is missing first: the pinned tools (tools/go.mod and
# go.mod) into ../.cache/conformance/bin, keyed by version; the Go code of
# the Connect conformance protos into gen/ (not committed); the client under
# test. A cold run takes minutes, a warm one well under a minute. Run it
# from anywhere; it needs no network but the Go module proxy, and only when
# something is missing.
#
# Each suite appends one tab-separated row — suite, cases, passed, failed,
# seconds — to the file named by AUTHWIRE_CONFORMANCE_SUMMARY.
set -euo pipefail
cd "$(dirname "$0")"

summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
export AUTHWIRE_CONFORMANCE_SUMMARY=$summary

status=0
failed_steps=()
step() { # step NAME COMMAND...: run a suite, remember whether it failed
	local name=$1
	shift
	echo "== $name"
	if ! "$@"; then
		status=1
		failed_steps+=("$name")
	fi
}

start=$SECONDS

# The official Connect conformance suite through the full stack (a connect-go
# v1 and a v2 client, one row each), and the
# proof that it can fail.
step connect-conformance go test -race -count=1 -timeout 30m ./connect/
# The client under test builds only once gen/ exists: vet it now.
step connect-client-vet go vet -tags conformancegen ./connect/...

# The protocol × auth × transport × proxy matrix against authtest, and the
# independent peers: panva oidc-provider (npm ci on first use), Ory Hydra
# (built into the user cache on first use: minutes), and the grpc-go server
# generated from flyteidl v1.5.21, and the Flyte 2 connect-go server generated
# from its own .proto. Each peer is started by its tests on
# loopback and stopped by PID. peers/summary counts the leaf tests.
gosuite() { # gosuite SUITE GO-TEST-ARGS...: go test -json, summarized as one row
	local suite=$1
	shift
	go test -race -count=1 -json "$@" | go run ./peers/summary "$suite"
}
step matrix gosuite matrix -parallel 16 -timeout 30m ./matrix/
step oidc-provider gosuite oidc-provider -timeout 10m ./peers/oidc/
export AUTHWIRE_HYDRA_BUILD=1
step hydra gosuite hydra -timeout 30m ./peers/hydra/
step flyteidl-grpc gosuite flyteidl-grpc -timeout 10m ./peers/flyteadmin/
step flyte2 gosuite flyte2 -timeout 10m ./peers/flyte2/
step peers-vet go vet ./matrix/... ./peers/...

echo
printf '%-28s %7s %7s %7s %8s\n' suite cases passed failed seconds
while IFS=$'\t' read -r suite cases passed failed seconds; do
	printf '%-28s %7s %7s %7s %8s\n' "$suite" "$cases" "$passed" "$failed" "$seconds"
done <"$summary"
echo "total wall time: $((SECONDS - start)) s"
if ((status != 0)); then
	echo "FAILED: ${failed_steps[*]}"
fi
exit $status
