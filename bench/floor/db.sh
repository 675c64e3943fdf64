#!/usr/bin/env bash
# The floor for `create`, `destroy` and `reset`: the SQL each needs, sent by ONE psql
# session (ON_ERROR_STOP, schema and data loaded in one transaction), then the
# uploads replaced with rm/cp.  Nothing can be left out of this and still do the job.
# Run from the project root (reads sql/, writes var/uploads); database name from
# INSTA485_DB (default insta485); connection from the PG* environment variables.
#
# Usage: bench/floor/db.sh (create|destroy|reset)
set -euo pipefail

load='CREATE DATABASE :"db";
\c :"db"
BEGIN;
\i sql/schema.sql
\i sql/data.sql
COMMIT;'
drop='DROP DATABASE IF EXISTS :"db";'

case ${1:-} in
  create) sql=$load ;;
  destroy) sql=$drop ;;
  reset) sql="$drop"$'\n'"$load" ;;
  *)
    echo "usage: $0 (create|destroy|reset)" >&2
    exit 2
    ;;
esac

psql -X -q -v ON_ERROR_STOP=1 -v db="${INSTA485_DB:-insta485}" \
  -d "${MAINTENANCE_DB:-postgres}" <<<"$sql"

rm -rf var/uploads
if [ "$1" != destroy ]; then
  mkdir -p var
  cp -R sql/uploads var/uploads
fi
