#!/usr/bin/env python3
"""Print strong, fresh secrets in .env form: ``python deploy/generate_secrets.py >> .env``.

The gateway's API_SECRET and the tracker's AUDIBLE_API_SECRET must be the same value: it is
the shared secret between the two processes. Standard library only, so it runs anywhere.
"""

from __future__ import annotations

import base64
import secrets
import sys


def fernet_key() -> str:
    """A standard Fernet key: 32 random bytes, url-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def generate() -> dict[str, str]:
    shared = secrets.token_urlsafe(48)
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "API_SECRET": shared,
        "AUDIBLE_API_SECRET": shared,
        "ENCRYPTION_KEY": fernet_key(),
        "CRON_SECRET": secrets.token_urlsafe(48),
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
    }


def main() -> None:
    for name, value in generate().items():
        sys.stdout.write(f"{name}={value}\n")


if __name__ == "__main__":
    main()
