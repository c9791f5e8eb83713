#!/bin/sh
# Backs up a devtools host into DESTINATION/devtools-<UTC time>/:
#   database.dump         pg_dump, custom format (pg_restore reads it; restore.sh does),
#   volumes/<name>.tar.gz each named volume's files (BACKUP_VOLUMES),
#   MANIFEST, SHA256SUMS  what was saved, and checksums restore.sh verifies first.
# The postgres-data volume is not tarred: a copy of a running server's files is not consistent,
# the dump is. With DATABASE_URL set in the .env (a managed database), that database is dumped.
# Run on the host, from the deployed folder (the one holding compose/ and scripts/).
#
# Usage: scripts/backup.sh DESTINATION
# Environment: ENV_FILE (default compose/.env, else .env), COMPOSE_PROJECT_NAME (devtools),
# BACKUP_VOLUMES (default: mcp-config orchestrator-data grafana-data).
set -eu

usage() {
  echo "usage: $0 DESTINATION   (a folder; the backup goes in DESTINATION/devtools-<UTC time>/)" >&2
  exit 2
}

[ "$#" -eq 1 ] || usage
case "$1" in
  -h | --help | -*) usage ;;
  "") usage ;;
esac

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
cd "$ROOT"
SCRIPT=backup
# shellcheck source-path=SCRIPTDIR source=lib/host-env.sh
. "$ROOT/scripts/lib/host-env.sh"
VOLUMES=${BACKUP_VOLUMES:-mcp-config orchestrator-data grafana-data}

mkdir -p "$1"
DESTINATION=$(CDPATH='' cd -- "$1" && pwd)
NAME=devtools-$(date -u +%Y%m%dT%H%M%SZ)
TARGET=$DESTINATION/$NAME
if [ -e "$TARGET" ]; then
  echo "backup: $TARGET exists already" >&2
  exit 1
fi
# Written under a temporary name and renamed at the end: a folder named devtools-* is complete.
PARTIAL=$TARGET.partial
mkdir -p "$PARTIAL/volumes"
trap 'rm -rf "$PARTIAL"' EXIT INT TERM

compose() {
  docker compose --env-file "$ENV_FILE" -f compose/docker-compose.yml "$@"
}

echo "→ database"
if [ -n "$DATABASE_URL" ]; then
  DATABASE_URL=$DATABASE_URL docker run --rm -e DATABASE_URL "$HELPER_IMAGE" \
    sh -c 'pg_dump --format=custom --no-owner --dbname="$DATABASE_URL"' >"$PARTIAL/database.dump"
  database="DATABASE_URL (managed)"
else
  # shellcheck disable=SC2016 # expanded by the container's shell, from its own environment
  compose exec -T postgres sh -c 'pg_dump --format=custom --no-owner -U "$POSTGRES_USER" -d "$POSTGRES_DB"' \
    >"$PARTIAL/database.dump"
  database="postgres service"
fi
[ -s "$PARTIAL/database.dump" ] || {
  echo "backup: pg_dump wrote nothing" >&2
  exit 1
}

saved=""
for volume in $VOLUMES; do
  if ! docker volume inspect "${PROJECT}_$volume" >/dev/null 2>&1; then
    echo "→ volume $volume: skipped, ${PROJECT}_$volume does not exist"
    continue
  fi
  echo "→ volume $volume"
  docker run --rm -v "${PROJECT}_$volume:/volume:ro" -v "$PARTIAL/volumes:/backup" "$HELPER_IMAGE" \
    tar -C /volume -czf "/backup/$volume.tar.gz" .
  saved="$saved $volume"
done

{
  echo "created: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "project: $PROJECT"
  echo "image_tag: $(env_value IMAGE_TAG latest)"
  echo "database: $database"
  echo "volumes:$saved"
} >"$PARTIAL/MANIFEST"
sums=$(cd "$PARTIAL" && find . -type f | sort | sed 's|^\./||' | xargs sha256sum)
printf '%s\n' "$sums" >"$PARTIAL/SHA256SUMS"

mv "$PARTIAL" "$TARGET"
trap - EXIT INT TERM
echo "✅ backup in $TARGET"
