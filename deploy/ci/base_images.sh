#!/usr/bin/env bash
# Builds the local base images the compose test needs from Debian's packages alone (this
# machine reaches no image registry): a Python 3 image for both Dockerfiles (passed as the
# PYTHON_IMAGE build argument; the default stays python:3.11-slim) and a PostgreSQL image that
# takes the official image's POSTGRES_* variables (passed as POSTGRES_IMAGE).
#
# Each image is tagged with a hash of what goes into it (suite, package list, this script and
# the PostgreSQL entrypoint), so a later run on the same machine reuses it and a changed list
# builds anew. Prints two lines: PYTHON_IMAGE=... and POSTGRES_IMAGE=...
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Python from trixie (3.13): bookworm's 3.11.2 is older than some pinned wheels allow
# (soupsieve needs 3.11.5+). PostgreSQL from bookworm, like this machine's.
python_suite=trixie
python_pkgs=python3,python3-venv,python-is-python3,ca-certificates
postgres_suite=bookworm
postgres_pkgs=postgresql-15,postgresql-client-15


# The host's extra certificate authorities (a TLS-inspecting egress proxy, say) go into the
# images too, so pip inside a build trusts what the host's pip trusts.
hook_certs='if [ -d "$1/usr/local/share/ca-certificates" ] && ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/";
  chroot "$1" update-ca-certificates >/dev/null; fi'
# Keep the image small: no apt lists, docs or man pages.
hook_trim='rm -rf "$1"/var/lib/apt/lists/* "$1"/usr/share/doc/* "$1"/usr/share/man/* "$1"/var/cache/apt/*.bin'

# Each tag carries a hash of everything that goes into that image.
digest() { printf '%s\n' "$@" | sha256sum | cut -c1-12; }
python_tag="local/python:3-$python_suite-$(digest "$python_pkgs" "$hook_certs" "$hook_trim" v1)"
postgres_tag="local/postgres:15-$postgres_suite-$(digest "$postgres_pkgs" "$hook_certs" "$hook_trim" \
  "$(cat "$here/postgres.Dockerfile" "$here/postgres-entrypoint.sh")" v1)"

build() {  # tag suite packages docker-import-changes...
  local tag=$1 suite=$2 pkgs=$3; shift 3
  if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "base image $tag: cached" >&2
    return
  fi
  echo "base image $tag: building from Debian $suite with mmdebstrap" >&2
  local start=$SECONDS
  # Imported under a temporary name first: a cut-off stream still makes an image, and only a
  # complete one may carry the tag that later runs trust.
  if ! mmdebstrap --quiet --variant=minbase --include="$pkgs" \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --customize-hook="$hook_certs" --customize-hook="$hook_trim" \
    "$suite" - "$mirror" | docker import "$@" - "$tag-partial" >/dev/null; then
    docker image rm "$tag-partial" >/dev/null 2>&1 || true
    echo "base image $tag: mmdebstrap or docker import failed" >&2
    return 1
  fi
  docker tag "$tag-partial" "$tag" && docker image rm "$tag-partial" >/dev/null
  echo "base image $tag: built in $((SECONDS - start)) s" >&2
}

build "$python_tag" "$python_suite" "$python_pkgs" \
  --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]'

if ! docker image inspect "$postgres_tag" >/dev/null 2>&1; then
  build "$postgres_tag-root" "$postgres_suite" "$postgres_pkgs" --change 'ENV LANG=C.UTF-8'
  docker build --quiet --network none -t "$postgres_tag" \
    --build-arg BASE="$postgres_tag-root" -f "$here/postgres.Dockerfile" "$here" >/dev/null
  docker image rm "$postgres_tag-root" >/dev/null
fi

echo "PYTHON_IMAGE=$python_tag"
echo "POSTGRES_IMAGE=$postgres_tag"
