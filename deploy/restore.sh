#!/usr/bin/env bash
# Restores a backup made by backup.sh into a named database (created when missing).
# Usage: restore.sh [--force] BACKUP_FILE DATABASE
# Refuses to touch a database that already exists unless --force is given; with --force that database is dropped
# and created again (stop hall-server first). Server and user come from PGHOST, PGPORT, PGUSER, PGPASSWORD.
set -euo pipefail

force=false
args=()
for a in "$@"; do
  case "$a" in
    --force) force=true ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) args+=("$a") ;;
  esac
done
if [ "${#args[@]}" -ne 2 ]; then
  sed -n '2,5p' "$0" >&2
  exit 2
fi
file="${args[0]}"
database="${args[1]}"

if [ ! -r "$file" ]; then
  echo "restore.sh: cannot read $file" >&2
  exit 2
fi
if ! [[ "$database" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
  echo "restore.sh: database name must be letters, digits and _" >&2
  exit 2
fi
pg_restore --list "$file" >/dev/null

exists="$(psql --dbname=postgres -XAtc "SELECT 1 FROM pg_database WHERE datname = '$database'")"
if [ "$exists" = "1" ]; then
  if [ "$force" != true ]; then
    echo "restore.sh: database $database exists; add --force to replace it" >&2
    exit 3
  fi
  dropdb --force "$database"
fi
createdb "$database"
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$database" "$file"
echo "restored $file into $database"
