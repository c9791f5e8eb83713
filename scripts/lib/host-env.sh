# shellcheck shell=sh
# Sourced by backup.sh and restore.sh, from the deployed folder (the one holding compose/ and
# scripts/): finds the host's .env and reads what both need from it. The caller sets SCRIPT (its
# name, for messages) and ROOT.

if [ -n "${ENV_FILE:-}" ]; then :; elif [ -f compose/.env ]; then ENV_FILE=compose/.env; elif [ -f .env ]; then ENV_FILE=.env; else
  echo "$SCRIPT: no compose/.env or .env in $ROOT (set ENV_FILE)" >&2
  exit 2
fi
[ -r "$ENV_FILE" ] || {
  echo "$SCRIPT: cannot read $ENV_FILE" >&2
  exit 2
}

# The last NAME=value of the .env, quotes removed; the default when absent or empty.
env_value() {
  value=$(sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\1/")
  printf '%s' "${value:-$2}"
}

# Read by the scripts that source this file.
# shellcheck disable=SC2034
PROJECT=${COMPOSE_PROJECT_NAME:-devtools}
# The postgres image is on the host already; it has pg_dump, pg_restore, tar and sh.
# shellcheck disable=SC2034
HELPER_IMAGE=$(env_value POSTGRES_IMAGE postgres:17.4-bookworm)
# shellcheck disable=SC2034
DATABASE_URL=$(env_value DATABASE_URL "")
