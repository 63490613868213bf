#!/bin/sh
# Container entrypoint: wait until the database answers (when DATABASE_URL names one), then
# replace this shell with the real command so signals reach it directly.
set -eu

# Docker/Kubernetes secrets: DATABASE_URL may come from a file, as every secret may.
if [ -z "${DATABASE_URL:-}" ] && [ -n "${DATABASE_URL_FILE:-}" ]; then
  DATABASE_URL=$(cat "$DATABASE_URL_FILE")
  export DATABASE_URL
fi

if [ -n "${DATABASE_URL:-}" ] && [ "${DATABASE_URL#postgres}" != "$DATABASE_URL" ]; then
  python - <<'PY'
import os, sys, time
import psycopg

deadline = time.monotonic() + float(os.environ.get("DB_WAIT_SECONDS", "60"))
url = os.environ["DATABASE_URL"].replace("postgis://", "postgres://", 1)
while True:
    try:
        psycopg.connect(url, connect_timeout=3).close()
        break
    except psycopg.OperationalError:
        if time.monotonic() > deadline:
            sys.exit("The database did not answer in time.")
        print("Waiting for the database...", file=sys.stderr)
        time.sleep(1)
PY
fi

exec "$@"
