#!/bin/sh
# Restores a folder that backup.sh wrote: verifies its checksums, stops the seven services,
# restores the database (pg_restore --clean: the dump's tables replace the current ones) and every
# volume it holds (emptied first), then starts the services again. Run on the host, from the
# deployed folder (the one holding compose/ and scripts/).
#
# Usage: scripts/restore.sh [--yes] BACKUP_FOLDER
#   --yes  do not ask (needed without a terminal: restoring replaces the current data)
# Environment: ENV_FILE (default compose/.env, else .env), COMPOSE_PROJECT_NAME (devtools).
set -eu

usage() {
  echo "usage: $0 [--yes] BACKUP_FOLDER   (a devtools-<time> folder written by backup.sh)" >&2
  exit 2
}

ASSUME_YES=false
if [ "${1:-}" = --yes ]; then
  ASSUME_YES=true
  shift
fi
[ "$#" -eq 1 ] || usage
case "$1" in
  -* | "") usage ;;
esac
if [ ! -d "$1" ]; then
  echo "restore: $1 is not a folder" >&2
  usage
fi
BACKUP=$(CDPATH='' cd -- "$1" && pwd)
for file in database.dump MANIFEST SHA256SUMS; do
  if [ ! -f "$BACKUP/$file" ]; then
    echo "restore: $BACKUP has no $file: not a backup.sh folder" >&2
    usage
  fi
done

echo "→ verifying checksums"
(cd "$BACKUP" && sha256sum -c --quiet SHA256SUMS) || {
  echo "restore: checksums do not match; the backup is damaged" >&2
  exit 1
}

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
SCRIPT=restore
# shellcheck source-path=SCRIPTDIR source=lib/host-env.sh
. "$ROOT/scripts/lib/host-env.sh"
SERVICES="gateway orchestrator feature-dev code-review infrastructure cicd documentation"

echo "backup: $BACKUP"
sed 's/^/  /' "$BACKUP/MANIFEST"
if [ "$ASSUME_YES" != true ]; then
  if [ ! -t 0 ]; then
    echo "restore: this replaces the current database and volumes; pass --yes to confirm" >&2
    exit 2
  fi
  printf 'This replaces the current database and volumes. Type "restore" to go on: '
  read -r answer
  [ "$answer" = restore ] || {
    echo "restore: cancelled" >&2
    exit 1
  }
fi

compose() {
  docker compose --env-file "$ENV_FILE" -f compose/docker-compose.yml "$@"
}

echo "→ stopping the services"
# shellcheck disable=SC2086 # SERVICES is a list of plain names
compose stop $SERVICES

echo "→ database"
if [ -n "$DATABASE_URL" ]; then
  DATABASE_URL=$DATABASE_URL docker run --rm -i -e DATABASE_URL "$HELPER_IMAGE" \
    sh -c 'pg_restore --clean --if-exists --no-owner --exit-on-error --single-transaction --dbname="$DATABASE_URL"' \
    <"$BACKUP/database.dump"
else
  compose up -d postgres
  tries=0
  # shellcheck disable=SC2016 # expanded by the container's shell, from its own environment
  until compose exec -T postgres sh -c 'pg_isready -q -U "$POSTGRES_USER" -d "$POSTGRES_DB"'; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
      echo "restore: postgres did not become ready" >&2
      exit 1
    fi
    sleep 1
  done
  # shellcheck disable=SC2016
  compose exec -T postgres sh -c \
    'pg_restore --clean --if-exists --no-owner --exit-on-error --single-transaction -U "$POSTGRES_USER" -d "$POSTGRES_DB"' \
    <"$BACKUP/database.dump"
fi

for archive in "$BACKUP"/volumes/*.tar.gz; do
  [ -f "$archive" ] || continue
  volume=$(basename "$archive" .tar.gz)
  echo "→ volume $volume"
  docker volume create "${PROJECT}_$volume" >/dev/null
  docker run --rm -v "${PROJECT}_$volume:/volume" -v "$BACKUP/volumes:/backup:ro" "$HELPER_IMAGE" \
    sh -c 'find /volume -mindepth 1 -delete && tar -C /volume -xzf "/backup/$1.tar.gz"' restore "$volume"
done

echo "→ starting the services"
# shellcheck disable=SC2086
if ! compose start $SERVICES; then
  echo "restore: the services have no containers here yet; start them with scripts/deploy.sh or docker compose up -d" >&2
fi
echo "✅ restored $BACKUP"
echo "   check: docker compose -f compose/docker-compose.yml exec -T -e MCP_GATEWAY_URL=http://127.0.0.1:8000 gateway sh -s < scripts/health-check.sh"
