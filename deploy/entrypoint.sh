#!/bin/sh
# The start-up steps every way of running a process shares (the images' ENTRYPOINT, Railway's
# start and pre-deploy commands, the systemd units): read *_FILE secrets, wait for the
# database when DATABASE_URL names PostgreSQL (printing the driver's real error at once when
# waiting cannot help), then replace this shell with the real command so signals reach it.
set -eu
here=$(dirname "$0")

# Docker/Kubernetes/systemd secrets: NAME_FILE=/path sets NAME from that file, unless NAME is
# set already. (The tracker's settings read *_FILE too; the gateway needs this.)
for pair in $(env | sed -n 's/^\([A-Z][A-Z0-9_]*\)_FILE=.*/\1/p'); do
  eval "given=\${$pair:-}"
  eval "file=\${${pair}_FILE}"
  if [ -z "$given" ] && [ -n "$file" ]; then
    if [ ! -r "$file" ]; then
      echo "${pair}_FILE names a file that cannot be read: $file" >&2
      exit 1
    fi
    value=$(cat "$file")
    export "$pair=$value"
  fi
done

if [ -n "${DATABASE_URL:-}" ] && [ "${DATABASE_URL#postgres}" != "$DATABASE_URL" ]; then
  python "$here/db_wait.py"
fi

exec "$@"
