#!/bin/sh
# Compares a real .env with .env.example before a deploy, naming every variable that is
#   missing   (in the example, not in .env),
#   unfilled  (still __REPLACE_ME__),
#   empty     (empty in .env while the example gives it a value),
#   stale     (in .env, not in the example: renamed or removed; a warning only).
# A comment line containing "(optional)" right above a variable in the example lets it be missing or
# empty (never __REPLACE_ME__). Values are never printed: they may be secrets.
# Plain POSIX sh, because it runs on the deploy host, which has no Node.
#
# Usage: scripts/env-check.sh [ENV_FILE [EXAMPLE_FILE]]   (defaults: compose/.env compose/.env.example)
# Exit: 0 ready to deploy (warnings allowed), 1 something would break a deploy, 2 bad usage.
set -eu

usage() {
  echo "usage: $0 [ENV_FILE [EXAMPLE_FILE]]  (defaults: compose/.env compose/.env.example)" >&2
  exit 2
}

ROOT=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
case "${1:-}" in -h | --help) usage ;; esac
[ "$#" -le 2 ] || usage
ENV_FILE=${1:-$ROOT/compose/.env}
EXAMPLE_FILE=${2:-$ROOT/compose/.env.example}
for file in "$ENV_FILE" "$EXAMPLE_FILE"; do
  if [ ! -f "$file" ] || [ ! -r "$file" ]; then
    echo "env-check: cannot read $file" >&2
    usage
  fi
done

PLACEHOLDER=__REPLACE_ME__
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

# NAME<TAB>KIND<TAB>VALUE per assignment (optional `export `, surrounding quotes removed), later
# lines winning as in Compose; KIND is "optional" when the comment line above says so. The value
# comes last because read(1) folds empty tab-separated fields.
entries() {
  awk '
    /^[[:space:]]*#/ { comment = $0; next }
    /^[[:space:]]*$/ { comment = ""; next }
    {
      line = $0
      sub(/^[[:space:]]*(export[[:space:]]+)?/, "", line)
      eq = index(line, "=")
      if (eq == 0) { comment = ""; next }
      name = substr(line, 1, eq - 1)
      value = substr(line, eq + 1)
      sub(/[[:space:]]+$/, "", name)
      if (name !~ /^[A-Za-z_][A-Za-z0-9_]*$/) { comment = ""; next }
      sub(/^[[:space:]]+/, "", value)
      sub(/[[:space:]]+$/, "", value)
      if (value ~ /^".*"$/ || value ~ /^\047.*\047$/) value = substr(value, 2, length(value) - 2)
      optional = (comment ~ /\(optional\)/) ? "optional" : "required"
      comment = ""
      values[name] = value
      kinds[name] = optional
      if (!(name in order)) { order[name] = ++count; names[count] = name }
    }
    END { for (i = 1; i <= count; i++) printf "%s\t%s\t%s\n", names[i], kinds[names[i]], values[names[i]] }
  ' "$1"
}

entries "$ENV_FILE" >"$WORK/env"
entries "$EXAMPLE_FILE" >"$WORK/example"

echo "env check: $ENV_FILE against $EXAMPLE_FILE"
problems=0
warnings=0
tab=$(printf '\t')

while IFS="$tab" read -r name kind example_value; do
  if ! line=$(grep "^$name$tab" "$WORK/env"); then
    if [ "$kind" = optional ]; then continue; fi
    echo "❌ missing: $name (in the example, not in the .env)"
    problems=$((problems + 1))
    continue
  fi
  value=${line#*"$tab"*"$tab"}
  if [ "$value" = "$PLACEHOLDER" ]; then
    echo "❌ unfilled: $name is still $PLACEHOLDER"
    problems=$((problems + 1))
  elif [ -z "$value" ] && [ -n "$example_value" ] && [ "$kind" != optional ]; then
    echo "❌ empty: $name is empty, the example gives it a value"
    problems=$((problems + 1))
  fi
done <"$WORK/example"

while IFS="$tab" read -r name _rest; do
  if ! grep -q "^$name$tab" "$WORK/example"; then
    echo "⚠️  stale: $name is in the .env but not in the example (renamed or no longer used?)"
    warnings=$((warnings + 1))
  fi
done <"$WORK/env"

total=$(wc -l <"$WORK/example" | tr -d ' ')
if [ "$problems" -gt 0 ]; then
  echo "❌ $problems problem(s) would break a deploy; fix $ENV_FILE"
  exit 1
fi
echo "✅ $ENV_FILE defines the $total variables of the example ($warnings warning(s))"
