#!/usr/bin/env bash
# The documented Compose path, for real: docs/deployment.md's `cp .env.example .env`, the
# `make secrets` values put in, the plain-HTTP and sandbox settings it names, then
# `docker compose --profile sandbox up -d`; every healthcheck; through the published ports:
# health, a person, the external login through the sandbox, a sync, the result over REST;
# `docker compose down` and up again with the data still there. Also: what is (not) inside
# each image and each environment, and a wrong database password reported at once.
#
# Needs a Docker engine. Starts dockerd when none answers (installed by .ci/run from Debian's
# docker.io). The images are built FROM local base images made from Debian packages
# (deploy/ci/base_images.sh), since no image registry is reachable. Fails (never skips) with
# the reason when something is missing. Everything listens on 127.0.0.1 only.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
started=$SECONDS
say() { printf '==> [%3ds] %s\n' "$((SECONDS - started))" "$*"; }
fail() { printf 'compose test FAILED: %s\n' "$*" >&2; exit 1; }

for tool in docker docker-compose mmdebstrap curl python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (.ci/run installs docker.io, docker-compose, mmdebstrap and curl from Debian)"
done

# ---------------------------------------------------------------- the engine
if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || fail "no Docker engine answers and dockerd is not installed"
  say "starting dockerd"
  mkdir -p /var/log
  (dockerd >/var/log/compose-test-dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || {
    tail -n 20 /var/log/compose-test-dockerd.log >&2 || true
    fail "dockerd did not start (log above): this machine cannot run containers"
  }
fi

# Which Compose: Debian's docker-compose always; current Docker Compose too where present.
composes=(docker-compose)
if docker compose version >/dev/null 2>&1; then composes+=("docker compose"); fi
say "compose implementations: ${composes[*]} ($(docker-compose version --short 2>/dev/null || true))"

# ---------------------------------------------------------------- images
say "base images (cached when unchanged)"
eval "$("$repo/deploy/ci/base_images.sh")"
export PYTHON_IMAGE POSTGRES_IMAGE
for service in tracker gateway sandbox; do
  say "building audible-tracker-sync/$service FROM $PYTHON_IMAGE"
  DOCKER_BUILDKIT=0 docker build --quiet --network host --build-arg PYTHON_IMAGE="$PYTHON_IMAGE" \
    -f "$repo/deploy/$service.Dockerfile" -t "audible-tracker-sync/$service:latest" "$repo" >/dev/null
done
docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'audible-tracker-sync/*'

# ---------------------------------------------------------------- the documented .env
work=$(mktemp -d /tmp/compose-test.XXXXXX)
export COMPOSE_PROJECT_NAME=audibleci
compose=(docker-compose)
cleanup() {
  status=$?
  if [ "$status" -ne 0 ]; then
    (cd "$work" && "${compose[@]}" --profile sandbox ps; "${compose[@]}" --profile sandbox logs --tail 40) >&2 || true
  fi
  (cd "$work" && "${compose[@]}" --profile sandbox down -v --remove-orphans >/dev/null 2>&1) || true
  rm -rf "$work"
  say "compose job took $((SECONDS - started)) s (status $status)"
}
trap cleanup EXIT
# The compose file names its build contexts relative to itself: a copy of the tracked files.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard 2>/dev/null | xargs -0 tar -cf - 2>/dev/null || tar --exclude=.venv --exclude=.git --exclude=var -cf - .) | tar -xf - -C "$work"
cd "$work"
cp .env.example .env
python3 - "$work/.env" <<'PY'
import re, subprocess, sys
path = sys.argv[1]
printed = subprocess.run(["make", "-s", "secrets"], capture_output=True, text=True, check=True).stdout
values = dict(line.split("=", 1) for line in printed.splitlines() if "=" in line)
values.update({  # docs/deployment.md: plain HTTP on 127.0.0.1, and the sandbox profile
    "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false", "SECURE_HSTS_SECONDS": "0",
    "ALLOWED_HOSTS": "127.0.0.1,localhost", "CSRF_TRUSTED_ORIGINS": "http://127.0.0.1:8000",
    "AUDIBLE_SANDBOX_URL": "http://sandbox:8765",
    "AUDIBLE_SANDBOX_PUBLIC_URL": "http://127.0.0.1:8765",
})
text = open(path).read()
for name, value in values.items():
    text, n = re.subn(rf"^{name}=.*$", f"{name}={value}", text, flags=re.M)
    assert n == 1, f"{name} is not a line of .env.example"
open(path, "w").write(text)
PY
grep -q '^ENCRYPTION_KEY=.\{40,\}' .env || fail ".env has no key after make secrets"
for c in "${composes[@]}"; do
  $c --profile sandbox config -q || fail "$c rejects docker-compose.yml"
done

# ---------------------------------------------------------------- helpers
api() {  # METHOD PATH [JSON] -> body; fails on a non-2xx answer
  local method=$1 path=$2 body=${3:-}
  curl -sS --fail-with-body -X "$method" -H "Authorization: Token $token" \
    -H "Content-Type: application/json" ${body:+-d "$body"} "http://127.0.0.1:8000$path"
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
wait_healthy() {
  local deadline=$((SECONDS + 240)) state
  for service in db gateway tracker sandbox; do
    while true; do
      id=$("${compose[@]}" ps -q "$service")
      state=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id" 2>/dev/null || echo missing)
      [ "$state" = healthy ] && break
      [ "$SECONDS" -lt "$deadline" ] || fail "$service is $state, not healthy, after 240 s"
      sleep 2
    done
  done
  migrate_id=$("${compose[@]}" ps -a -q migrate)
  [ "$(docker inspect -f '{{.State.ExitCode}}' "$migrate_id")" = 0 ] || fail "migrate failed"
  say "every healthcheck says healthy; migrate exited 0"
}

# ---------------------------------------------------------------- up
say "docker-compose --profile sandbox up -d"
"${compose[@]}" --profile sandbox up -d
wait_healthy

health=$(curl -sS --fail http://127.0.0.1:8000/health)
[ "$(echo "$health" | json 'd["database"]')" = ok ] || fail "tracker /health: $health"
say "tracker /health through the published port: $health"

created=$("${compose[@]}" exec -T tracker python manage.py create_user alice --login-link --base-url http://127.0.0.1:8000)
token=$(echo "$created" | awk '/API token:/ {print $NF}')
[ -n "$token" ] || fail "create_user printed no token: $created"
say "person alice created"

login=$(api POST /api/audible/auth '{"method": "external", "locale": "us"}')
login_url=$(echo "$login" | json 'd["login_url"]')
state=$(echo "$login" | json 'd["state"]')
case "$login_url" in http://127.0.0.1:8765/*) ;; *) fail "login_url is not reachable from the host: $login_url" ;; esac
landing=$(curl -sS -o /dev/null -w '%{redirect_url}' "$login_url")
[ -n "$landing" ] || fail "the sandbox login page at $login_url gave no maplanding redirect"
connected=$(api POST /api/audible/auth "{\"method\": \"external\", \"state\": \"$state\", \"redirect_url\": \"$landing\"}")
[ "$(echo "$connected" | json 'd["status"]')" = connected ] || fail "not connected: $connected"
say "connected through the sandbox's external login (opened from the host)"

sync=$(api POST /api/audible/sync '{}')
say "sync: $(echo "$sync" | head -c 300)"
books=$(api GET /api/books | json 'd["count"]')
[ "$books" -gt 0 ] || fail "no books after the sync"
status=$(api GET /api/audible/status | json 'd["last_sync"]["status"]')
[ "$status" = ok ] || fail "last sync status: $status"
say "REST: $books books, last sync $status"

# ---------------------------------------------------------------- what is inside
"${compose[@]}" exec -T tracker python -c "
import importlib.util as u
for name in ('audible_gateway', 'cryptography', 'flask', 'audible'):
    assert u.find_spec(name) is None, name + ' is in the tracker image'
try:
    import audible_gateway.sealing
except ImportError:
    pass
else:
    raise SystemExit('audible_gateway.sealing is importable in the tracker image')
" || fail "the tracker image holds gateway code"
if "${compose[@]}" exec -T tracker env | grep -E '^(ENCRYPTION_KEY|API_SECRET)='; then
  fail "the tracker's environment holds the gateway's secrets"
fi
"${compose[@]}" exec -T gateway python -c "
import importlib.util as u
for name in ('django', 'rest_framework', 'tracker_api', 'audible_gateway.sandbox'):
    assert u.find_spec(name) is None, name + ' is in the gateway image'
" || fail "the gateway image holds Django, the tracker or the sandbox"
if "${compose[@]}" exec -T gateway env | grep -E '^(SECRET_KEY|AUDIBLE_API_SECRET|CRON_SECRET|DATABASE_URL)='; then
  fail "the gateway's environment holds the tracker's secrets"
fi
say "images and environments hold only their own process"

# A wrong password is PostgreSQL's own words at once, not a 60 s wait.
t0=$SECONDS
if out=$("${compose[@]}" run --rm -e DATABASE_URL=postgres://tracker:wrong-password@db:5432/tracker migrate 2>&1); then
  fail "migrate with a wrong password succeeded"
fi
echo "$out" | grep -q 'password authentication failed' || fail "no driver error shown: $out"
[ $((SECONDS - t0)) -lt 30 ] || fail "the wrong password took $((SECONDS - t0)) s to report"
say "wrong password reported in $((SECONDS - t0)) s: $(echo "$out" | grep -m1 'password authentication failed')"

# ---------------------------------------------------------------- down and up again
say "docker-compose down, then up again"
"${compose[@]}" --profile sandbox down
"${compose[@]}" --profile sandbox up -d
wait_healthy
again=$(api GET /api/books | json 'd["count"]')
[ "$again" = "$books" ] || fail "after down/up: $again books, was $books"
say "after down and up: still $again books for alice"
echo "compose test: 1 passed, 0 failed"
