#!/bin/sh
# Deploys one build to the staging or production host over SSH:
#   1. copies this checkout's compose files and operations scripts to DEPLOY_PATH (never the .env),
#   2. runs env-check.sh there against the host's .env (compose/.env, or .env beside compose/),
#   3. remembers the IMAGE_TAG running now, writes the new one to the .env,
#   4. docker compose pull, up -d (prod adds docker-compose.prod.yml),
#   5. waits until health-check.sh, run inside the gateway container, passes every service,
#   6. if it does not within DEPLOY_HEALTH_TIMEOUT, rolls back to the previous IMAGE_TAG and exits 1.
# The host needs Docker with Compose v2 and a registry login (doctl registry login); not Node.
#
# Usage: scripts/deploy.sh <staging|prod>
# Environment: DEPLOY_HOST, DEPLOY_USER, DEPLOY_PATH, IMAGE_TAG (required); DOCR_REGISTRY,
# DEPLOY_SSH_KEY_FILE (else ssh-agent), DEPLOY_SSH_PORT (22), DEPLOY_HEALTH_TIMEOUT (seconds, 300),
# DEPLOY_HEALTH_INTERVAL (seconds, 5).
set -eu

usage() {
  cat >&2 <<EOF
usage: $0 <staging|prod>
  required: DEPLOY_HOST DEPLOY_USER DEPLOY_PATH IMAGE_TAG
  optional: DOCR_REGISTRY DEPLOY_SSH_KEY_FILE DEPLOY_SSH_PORT DEPLOY_HEALTH_TIMEOUT DEPLOY_HEALTH_INTERVAL
EOF
  exit 2
}

[ "$#" -eq 1 ] || usage
case "$1" in
  staging | prod) STAGE=$1 ;;
  *) usage ;;
esac

missing=""
[ -n "${DEPLOY_HOST:-}" ] || missing="$missing DEPLOY_HOST"
[ -n "${DEPLOY_USER:-}" ] || missing="$missing DEPLOY_USER"
[ -n "${DEPLOY_PATH:-}" ] || missing="$missing DEPLOY_PATH"
[ -n "${IMAGE_TAG:-}" ] || missing="$missing IMAGE_TAG"
if [ -n "$missing" ]; then
  echo "deploy: not set:$missing" >&2
  usage
fi

# Values that reach a remote shell are checked, not trusted: a tag or a registry is a small grammar.
matches() { printf '%s\n' "$1" | grep -Eq "$2"; }
if ! matches "$IMAGE_TAG" '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'; then
  echo "deploy: IMAGE_TAG \"$IMAGE_TAG\" is not a Docker tag" >&2
  exit 2
fi
if [ -n "${DOCR_REGISTRY:-}" ] && ! matches "$DOCR_REGISTRY" '^[a-z0-9][a-z0-9.:-]*(/[a-z0-9._-]+)*$'; then
  echo "deploy: DOCR_REGISTRY \"$DOCR_REGISTRY\" is not a registry path" >&2
  exit 2
fi
TIMEOUT=${DEPLOY_HEALTH_TIMEOUT:-300}
INTERVAL=${DEPLOY_HEALTH_INTERVAL:-5}
PORT=${DEPLOY_SSH_PORT:-22}
for number in "$TIMEOUT" "$INTERVAL" "$PORT"; do
  if ! matches "$number" '^[0-9]+$' || [ "$number" -eq 0 ]; then
    echo "deploy: DEPLOY_HEALTH_TIMEOUT, DEPLOY_HEALTH_INTERVAL and DEPLOY_SSH_PORT must be positive integers" >&2
    exit 2
  fi
done
if [ -n "${DEPLOY_SSH_KEY_FILE:-}" ] && [ ! -r "$DEPLOY_SSH_KEY_FILE" ]; then
  echo "deploy: cannot read DEPLOY_SSH_KEY_FILE $DEPLOY_SSH_KEY_FILE" >&2
  exit 2
fi

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)

# 'it'\''s' — single-quoted for the remote shell, whatever the value holds.
quote() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

remote() {
  if [ -n "${DEPLOY_SSH_KEY_FILE:-}" ]; then
    ssh -i "$DEPLOY_SSH_KEY_FILE" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=20 \
      -p "$PORT" "$DEPLOY_USER@$DEPLOY_HOST" "$@"
  else
    ssh -o BatchMode=yes -o ConnectTimeout=20 -p "$PORT" "$DEPLOY_USER@$DEPLOY_HOST" "$@"
  fi
}

# What runs on the host: the settings, then the steps.
remote_script() {
  printf 'STAGE=%s\n' "$(quote "$STAGE")"
  printf 'DEPLOY_PATH=%s\n' "$(quote "$DEPLOY_PATH")"
  printf 'NEW_TAG=%s\n' "$(quote "$IMAGE_TAG")"
  printf 'REGISTRY=%s\n' "$(quote "${DOCR_REGISTRY:-}")"
  printf 'TIMEOUT=%s\nINTERVAL=%s\n' "$TIMEOUT" "$INTERVAL"
  cat <<'REMOTE'
set -eu
cd "$DEPLOY_PATH"
# This script arrives on stdin: every command below that could read stdin gets /dev/null or a file.
if [ -f compose/.env ]; then
  ENV_FILE=compose/.env
elif [ -f .env ]; then
  ENV_FILE=.env
else
  echo "❌ no .env in $DEPLOY_PATH/compose or $DEPLOY_PATH: copy compose/.env.example there and fill it in"
  exit 1
fi

echo "→ checking $ENV_FILE"
sh scripts/env-check.sh "$ENV_FILE" compose/.env.example </dev/null

compose() {
  if [ "$STAGE" = prod ]; then
    docker compose --env-file "$ENV_FILE" -f compose/docker-compose.yml -f compose/docker-compose.prod.yml "$@"
  else
    docker compose --env-file "$ENV_FILE" -f compose/docker-compose.yml "$@"
  fi
}

# NAME=value in the .env, replaced in place (cat keeps the file's owner and mode) or appended.
set_env_value() {
  awk -v name="$1" -v value="$2" '
    index($0, name "=") == 1 { if (!done) print name "=" value; done = 1; next }
    { print }
    END { if (!done) print name "=" value }
  ' "$ENV_FILE" >"$ENV_FILE.deploying"
  cat "$ENV_FILE.deploying" >"$ENV_FILE"
  rm -f "$ENV_FILE.deploying"
}

# The tag the gateway container runs, else the one the .env names.
previous=""
running=$(compose ps -q gateway </dev/null 2>/dev/null | head -n 1 || true)
if [ -n "$running" ]; then
  image=$(docker inspect --format '{{.Config.Image}}' "$running" </dev/null 2>/dev/null || true)
  case "$image" in *:*) previous=${image##*:} ;; esac
fi
if [ -z "$previous" ]; then
  previous=$(sed -n 's/^IMAGE_TAG=//p' "$ENV_FILE" | tail -n 1 | tr -d "\"'")
fi
echo "→ $STAGE runs ${previous:-nothing yet}; deploying $NEW_TAG"

IMAGE_TAG=$NEW_TAG
export IMAGE_TAG
if [ -n "$REGISTRY" ]; then
  DOCR_REGISTRY=$REGISTRY
  export DOCR_REGISTRY
  set_env_value DOCR_REGISTRY "$REGISTRY"
fi
set_env_value IMAGE_TAG "$NEW_TAG"

# health-check.sh inside the gateway container: there the *_URL variables name the other services.
HEALTH_LOG=$(mktemp)
trap 'rm -f "$HEALTH_LOG"' EXIT
wait_healthy() {
  waited=0
  while :; do
    if compose exec -T -e MCP_GATEWAY_URL=http://127.0.0.1:8000 gateway sh -s <scripts/health-check.sh >"$HEALTH_LOG" 2>&1; then
      cat "$HEALTH_LOG"
      return 0
    fi
    if [ "$waited" -ge "$TIMEOUT" ]; then
      cat "$HEALTH_LOG"
      return 1
    fi
    sleep "$INTERVAL"
    waited=$((waited + INTERVAL))
  done
}

echo "→ pulling"
compose pull --quiet </dev/null
echo "→ starting"
compose up -d --remove-orphans </dev/null
echo "→ waiting up to ${TIMEOUT}s for every service to be healthy and ready"
if wait_healthy; then
  echo "✅ $STAGE runs $NEW_TAG"
  exit 0
fi

echo "❌ $NEW_TAG did not become healthy within ${TIMEOUT}s"
compose ps </dev/null || true
compose logs --no-color --tail 40 </dev/null || true
if [ -z "$previous" ] || [ "$previous" = "$NEW_TAG" ]; then
  echo "❌ no previous IMAGE_TAG to roll back to; $STAGE is left on $NEW_TAG"
  exit 1
fi
echo "↩ rolling back to $previous"
IMAGE_TAG=$previous
export IMAGE_TAG
set_env_value IMAGE_TAG "$previous"
compose up -d --remove-orphans </dev/null
if wait_healthy; then
  echo "↩ rolled back: $STAGE runs $previous again and is healthy"
else
  echo "❌ rolled back to $previous, which is not healthy either"
fi
exit 1
REMOTE
}

echo "deploy: $IMAGE_TAG to $STAGE ($DEPLOY_USER@$DEPLOY_HOST:$DEPLOY_PATH)"
# Only what the host needs from this checkout; its .env stays the host's own.
tar -cf - -C "$ROOT" \
  compose/docker-compose.yml compose/docker-compose.prod.yml compose/.env.example compose/observability \
  scripts/env-check.sh scripts/health-check.sh scripts/backup.sh scripts/restore.sh scripts/lib/host-env.sh |
  remote "mkdir -p $(quote "$DEPLOY_PATH") && tar -xf - -C $(quote "$DEPLOY_PATH")"
remote_script | remote "sh -s"
