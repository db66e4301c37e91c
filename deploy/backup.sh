#!/usr/bin/env bash
# Backs up Hall's database with pg_dump (custom format) to hall-YYYYMMDD-HHMMSS.dump and deletes backups older than N days.
# Usage: backup.sh [-d DATABASE_OR_URI] [-o FOLDER] [-k DAYS]
# Where the server is comes from the usual libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD) or a postgresql:// URI.
# Example cron line (/etc/cron.d/hall-backup): 30 2 * * * hall /opt/hall/deploy/backup.sh -d hall -o /var/backups/hall -k 30
set -euo pipefail

database="${HALL_BACKUP_DATABASE:-hall}"
folder="${HALL_BACKUP_FOLDER:-/var/backups/hall}"
keep_days="${HALL_BACKUP_KEEP_DAYS:-30}"

while getopts "d:o:k:h" opt; do
  case "$opt" in
    d) database="$OPTARG" ;;
    o) folder="$OPTARG" ;;
    k) keep_days="$OPTARG" ;;
    *) sed -n '2,6p' "$0"; exit 2 ;;
  esac
done

if ! [[ "$keep_days" =~ ^[0-9]+$ ]]; then
  echo "backup.sh: -k needs a number of days" >&2
  exit 2
fi

mkdir -p "$folder"
stamp="$(date -u +%Y%m%d-%H%M%S)"
target="$folder/hall-$stamp.dump"
# Written under a temporary name first, so a failed dump never looks like a good backup.
pg_dump --format=custom --no-owner --no-privileges --file="$target.partial" --dbname="$database"
mv "$target.partial" "$target"
echo "$target"

# Never the backup just written, whatever the clock says of its age (a clock set right after running ahead would make it old).
if [ "$keep_days" -gt 0 ]; then
  find "$folder" -maxdepth 1 -type f -name 'hall-*.dump' ! -name "${target##*/}" -mtime +"$keep_days" -print -delete
fi
