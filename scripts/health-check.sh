#!/bin/sh
# Checks every devtools service: GET /health must answer 200 (the process serves) and GET /ready
# must answer 200 (its database or inference backend answers too). One line per service:
#   ✅ orchestrator
#   ❌ feature-dev: not ready (inference)
# and a non-zero exit when any service fails.
#
# Base URLs come from the variables the services themselves use to find each other, with the fixed
# local ports as defaults, so the same script checks a laptop, a host's loopback, or (run inside
# the gateway container, where those variables name the other services) a Compose network.
# HTTP client: curl, else wget, else node (the service images have node and neither of the others).
#
# Usage: scripts/health-check.sh            HEALTH_CHECK_TIMEOUT (seconds per request, default 5)
set -eu

case "${1:-}" in
  -h | --help)
    echo "usage: $0   (base URLs from MCP_GATEWAY_URL, ORCHESTRATOR_URL, FEATURE_DEV_URL, CODE_REVIEW_URL, INFRASTRUCTURE_URL, CICD_URL, DOCUMENTATION_URL)"
    exit 0
    ;;
  "") ;;
  *)
    echo "usage: $0   (no arguments; base URLs come from the *_URL variables)" >&2
    exit 2
    ;;
esac

TIMEOUT=${HEALTH_CHECK_TIMEOUT:-5}
BODY=$(mktemp)
trap 'rm -f "$BODY"' EXIT INT TERM

if [ -n "${HEALTH_CHECK_CLIENT:-}" ]; then
  CLIENT=$HEALTH_CHECK_CLIENT
elif command -v curl >/dev/null 2>&1; then
  CLIENT=curl
elif command -v wget >/dev/null 2>&1; then
  CLIENT=wget
elif command -v node >/dev/null 2>&1; then
  CLIENT=node
else
  echo "❌ health-check: needs curl, wget or node" >&2
  exit 2
fi
# GNU wget keeps an error response's body (the failing checks) only when asked; BusyBox has no flag for it.
WGET_CONTENT_ON_ERROR=""
if [ "$CLIENT" = wget ] && wget --version 2>/dev/null | grep -q "GNU Wget"; then
  WGET_CONTENT_ON_ERROR=--content-on-error
fi
case "$CLIENT" in
  curl | wget | node) ;;
  *)
    echo "❌ health-check: unknown HEALTH_CHECK_CLIENT $CLIENT (curl, wget or node)" >&2
    exit 2
    ;;
esac

# Prints the HTTP status of GET $1 (000 when nothing answered) and leaves the body in $BODY.
status_of() {
  : >"$BODY"
  case "$CLIENT" in
    curl)
      curl -sS -o "$BODY" -w '%{http_code}' --max-time "$TIMEOUT" "$1" 2>/dev/null || true
      ;;
    wget)
      # -S prints the response headers on stderr; the last status line is the final answer.
      # shellcheck disable=SC2086 # empty, or one flag
      wget -S -q -T "$TIMEOUT" -t 1 $WGET_CONTENT_ON_ERROR -O "$BODY" "$1" 2>&1 |
        awk '/^ *HTTP\/[0-9.]+ [0-9]+/ { code = $2 } END { print (code == "" ? "000" : code) }'
      ;;
    node)
      node -e '
        const [url, file, seconds] = process.argv.slice(1);
        fetch(url, { signal: AbortSignal.timeout(Number(seconds) * 1000) })
          .then(async (response) => {
            require("node:fs").writeFileSync(file, await response.text());
            process.stdout.write(String(response.status));
          })
          .catch(() => process.stdout.write("000"));
      ' "$1" "$BODY" "$TIMEOUT"
      ;;
  esac
}

# The dependencies /ready reports as failed: {"checks":{"database":{"status":"failed",...}}}.
failed_checks() {
  tr -d '\n' <"$BODY" | grep -o '"[A-Za-z0-9_-]*":{"status":"failed"' | cut -d'"' -f2 | paste -sd, - || true
}

failures=0

check() {
  name=$1
  url=${2%/}
  code=$(status_of "$url/health")
  if [ "$code" = 000 ]; then
    echo "❌ $name: no answer from $url/health"
    failures=$((failures + 1))
    return
  fi
  if [ "$code" != 200 ]; then
    echo "❌ $name: /health answered $code"
    failures=$((failures + 1))
    return
  fi
  if ! grep -q '"status":"ok"' "$BODY"; then
    echo "❌ $name: /health answered 200 without status ok"
    failures=$((failures + 1))
    return
  fi
  code=$(status_of "$url/ready")
  if [ "$code" = 200 ]; then
    echo "✅ $name"
    return
  fi
  failing=$(failed_checks)
  if [ "$code" = 000 ]; then
    echo "❌ $name: no answer from $url/ready"
  elif [ -n "$failing" ]; then
    echo "❌ $name: not ready ($failing)"
  else
    echo "❌ $name: /ready answered $code"
  fi
  failures=$((failures + 1))
}

check gateway "${MCP_GATEWAY_URL:-http://localhost:8000}"
check orchestrator "${ORCHESTRATOR_URL:-http://localhost:8001}"
check feature-dev "${FEATURE_DEV_URL:-http://localhost:8002}"
check code-review "${CODE_REVIEW_URL:-http://localhost:8003}"
check infrastructure "${INFRASTRUCTURE_URL:-http://localhost:8004}"
check cicd "${CICD_URL:-http://localhost:8005}"
check documentation "${DOCUMENTATION_URL:-http://localhost:8006}"

if [ "$failures" -gt 0 ]; then
  echo "❌ $failures of 7 services failed"
  exit 1
fi
echo "✅ all 7 services healthy and ready"
