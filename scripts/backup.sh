#!/usr/bin/env bash
# Back up a Rabatt installation: the database and the uploaded files to DATA_DIR, and the
# master keys to KEYS_DIR (keep the two apart: the keys must not travel with the data).
#   DATABASE_URL=postgres://... RABATT_HOME=/srv/rabatt scripts/backup.sh DATA_DIR KEYS_DIR
# Prints the backup's time stamp. See docs/deploy.md ("Backup and restore").
set -euo pipefail
[ $# -eq 2 ] || { sed -n '2,5p' "$0" >&2; exit 2; }
data=$1 keys=$2
home=${RABATT_HOME:-./var}
keys_src=${RABATT_KEYS_DIR:-$home/keys}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
umask 077
mkdir -p "$data" "$keys"
# The database first: a file is stored before its row, so every row in this dump has its file
# in the archive made after it (files newer than the dump are only unused extras).
pg_dump --format=custom --no-owner --no-acl --dbname="$DATABASE_URL" \
  --file="$data/rabatt-$stamp.dump"
if [ -z "${RABATT_S3_BUCKET:-}" ]; then
  tar -C "$home" -czf "$data/rabatt-files-$stamp.tar.gz" files
fi  # else: the bucket is backed up by its own versioning or replication
tar -C "$keys_src" -czf "$keys/rabatt-keys-$stamp.tar.gz" .
echo "$stamp"
