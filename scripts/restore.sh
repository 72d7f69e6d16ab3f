#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into an EMPTY database and a new RABATT_HOME.
#   DATABASE_URL=postgres://.../new RABATT_HOME=/srv/rabatt scripts/restore.sh DUMP FILES_TAR KEYS_TAR
# FILES_TAR may be "-" when the files live in an S3 bucket. Then run `rabatt setup`.
set -euo pipefail
[ $# -eq 3 ] || { sed -n '2,4p' "$0" >&2; exit 2; }
dump=$1 files=$2 keys=$3
home=${RABATT_HOME:-./var}
keys_dst=${RABATT_KEYS_DIR:-$home/keys}
umask 077
pg_restore --no-owner --no-acl --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$dump"
mkdir -p "$home" "$keys_dst"
[ "$files" = "-" ] || tar -C "$home" -xzf "$files"
tar -C "$keys_dst" -xzf "$keys"
echo "restored into $home"
