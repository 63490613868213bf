"""``make run``: the whole system on loopback, on the embedded SQLite database and the sandbox.

Steps: migrate, create the demo user, import a Goodreads export of real books, start the
Audible sandbox, the gateway (gunicorn) and the tracker (gunicorn), connect the demo account
through the real external-login flow, sync with a progress bar, print a report, then keep
serving until Ctrl-C, which stops every process this started. Running it again reuses the
same database and duplicates nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

from tracker_api.demo import household as demo_household
from tracker_api.demo import secrets as demo_secrets
from tracker_api.demo.interrupts import INTERRUPTS
from tracker_api.demo.processes import REPO_ROOT
from tracker_api.demo.processes import SAMPLE_LIBRARY
from tracker_api.demo.processes import ServiceGroup
from tracker_api.demo.processes import free_port
from tracker_api.demo.processes import gateway_service
from tracker_api.demo.processes import sandbox_service
from tracker_api.demo.processes import stop_process_group
from tracker_api.demo.processes import tracker_service

DEMO_USER = "demo"
DEMO_CATALOGUE = REPO_ROOT / "audible_gateway" / "sandbox" / "data" / "demo_goodreads_export.csv"


def say(message: str) -> None:
    sys.stdout.write(f"\n==> {message}\n")
    sys.stdout.flush()


# The ``manage.py`` commands running now: stopped with the services on the way out.
_commands: list[subprocess.Popen[str]] = []


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    """Run ``manage.py`` with the tracker's environment; fail loudly with its output.

    In its own session, so a terminal's Ctrl-C reaches the demo only and the demo stops it.
    """
    with INTERRUPTS.held():
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE if capture else None,
            start_new_session=True,
        )
        _commands.append(process)
    output, _ = process.communicate()
    _commands.remove(process)
    if process.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed (exit status {process.returncode}).")
    return output or ""


def demo_var_dir() -> Path:
    """Where the demo keeps its database, secrets and logs."""
    return Path(os.environ.get("TRACKER_VAR_DIR") or REPO_ROOT / "var").resolve()


def requested_ports() -> dict[str, int]:
    """The ports asked for (``DEMO_*_PORT``, else the defaults); a taken one is replaced."""
    return {
        "tracker": int(os.environ.get("DEMO_TRACKER_PORT", "8000")),
        "gateway": int(os.environ.get("DEMO_GATEWAY_PORT", "8001")),
        "sandbox": int(os.environ.get("DEMO_SANDBOX_PORT", "8765")),
    }


def environments(var_dir: Path, ports: dict[str, int]) -> tuple[dict[str, str], dict[str, str]]:
    """The tracker's and the gateway's environments: loopback, throwaway secrets, SQLite."""
    values = demo_secrets.load_or_create(var_dir / "demo-secrets.env")
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")}
    tracker_url = f"http://127.0.0.1:{ports['tracker']}"
    tracker = {
        **base,
        "TRACKER_VAR_DIR": str(var_dir),
        "SECRET_KEY": values["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": f"{tracker_url},http://localhost:{ports['tracker']}",
        # Plain HTTP on loopback: the HTTPS-only protections would lock the browser out.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "AUDIBLE_SERVICE_URL": f"http://127.0.0.1:{ports['gateway']}",
        "AUDIBLE_API_SECRET": values["API_SECRET"],
        "CRON_SECRET": values["CRON_SECRET"],
        "DJANGO_SUPERUSER_PASSWORD": values["DEMO_PASSWORD"],
        # Every demo run connects again (its sandbox is new each time), two logins a run; the
        # throttle is kept in the database, so a few runs an hour would hit the default 10/hour.
        "AUDIBLE_AUTH_RATE_PERSON": os.environ.get("AUDIBLE_AUTH_RATE_PERSON", "120/hour"),
    }
    gateway = {
        **base,
        "API_SECRET": values["API_SECRET"],
        "ENCRYPTION_KEY": values["ENCRYPTION_KEY"],
        "AUDIBLE_SANDBOX_URL": f"http://127.0.0.1:{ports['sandbox']}",
    }
    return tracker, gateway


def connect_account(tracker_url: str, token: str) -> dict:
    """The real external-login flow: ask for the login URL, "log in" at the sandbox, paste back."""
    headers = {"Authorization": f"Token {token}"}
    step_one = requests.post(
        f"{tracker_url}/api/audible/auth",
        json={"method": "external", "locale": "us"},
        headers=headers,
        timeout=60,
    )
    step_one.raise_for_status()
    login = step_one.json()
    # A person opens login_url in a browser and signs in; the sandbox answers at once with the
    # redirect Amazon sends after a successful login, which the person would paste back.
    landing = requests.get(login["login_url"], allow_redirects=False, timeout=30)
    redirect_url = landing.headers["Location"]
    step_two = requests.post(
        f"{tracker_url}/api/audible/auth",
        json={"method": "external", "state": login["state"], "redirect_url": redirect_url},
        headers=headers,
        timeout=60,
    )
    step_two.raise_for_status()
    return step_two.json()


def print_report(env: dict[str, str]) -> None:
    os.environ.update({k: env[k] for k in ("TRACKER_VAR_DIR", "SECRET_KEY")})
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker_api.config.settings")
    import django

    django.setup()
    from tracker_api.demo.report import build_report

    for line in build_report(DEMO_USER).lines():
        sys.stdout.write(line + "\n")
    from tracker_api.demo.household import report_lines

    for line in report_lines(DEMO_USER):
        sys.stdout.write(line + "\n")


def wait_for_ctrl_c(group: ServiceGroup) -> None:
    """Serve until Ctrl-C (or SIGTERM), or until one of the processes dies on its own."""
    while all(s.process is not None and s.process.poll() is None for s in group.services):
        time.sleep(0.5)
    stopped = [s.name for s in group.services if s.process and s.process.poll() is not None]
    sys.stdout.write(f"\n{', '.join(stopped)} stopped on its own; shutting everything down.\n")


def run(group: ServiceGroup, once: bool) -> None:
    """Every step of the demo; the processes it starts are recorded in ``group``."""
    var_dir = demo_var_dir()
    log_dir = var_dir / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    ports = {name: free_port(port) for name, port in requested_ports().items()}
    tracker_env, gateway_env = environments(var_dir, ports)
    password = tracker_env["DJANGO_SUPERUSER_PASSWORD"]

    say(f"Preparing the embedded SQLite database in {var_dir}")
    manage(tracker_env, "migrate", "--noinput", "-v", "0")
    manage(tracker_env, "collectstatic", "--noinput", "-v", "0")
    manage(tracker_env, "ensure_superuser", DEMO_USER)
    token = manage(tracker_env, "create_user", DEMO_USER, capture=True).split()[-1]
    second = demo_household.SECOND_LISTENER
    second_token = manage(tracker_env, "create_user", second, capture=True).split()[-1]

    say("Importing the demo tracker catalogue (a Goodreads export of real books)")
    manage(tracker_env, "import_books", "--user", DEMO_USER, str(DEMO_CATALOGUE))

    group.base_env = tracker_env
    say("Starting the Audible sandbox, the gateway and the tracker on loopback")
    sandbox = group.start(
        sandbox_service(ports["sandbox"], SAMPLE_LIBRARY, log_path=log_dir / "sandbox.log")
    )
    group.base_env = gateway_env
    gateway = group.start(gateway_service(ports["gateway"], {}, log_path=log_dir / "gateway.log"))
    group.base_env = tracker_env
    tracker = group.start(tracker_service(ports["tracker"], {}, log_path=log_dir / "tracker.log"))
    sys.stdout.write(f"    sandbox {sandbox.url}  gateway {gateway.url}  tracker {tracker.url}\n")

    say("Connecting the demo Audible account (external browser login, answered by the sandbox)")
    account = connect_account(tracker.url, token).get("account", {})
    sys.stdout.write(
        f"    connected: {account.get('customer_name', '?')} "
        f"(marketplace {account.get('locale', '?')}, device "
        f"{account.get('device_name', '?')!r}); only the sealed credentials were stored\n"
    )

    say(
        f"A second listener: {second} shares the login; the Audible collection "
        f'"{demo_household.COLLECTION}" holds {second}\'s books'
    )
    demo_household.set_up(tracker.url, sandbox.url, token, second_token)

    say("Syncing the Audible library into the tracker")
    manage(tracker_env, "audible_sync", "--user", DEMO_USER, "--force")

    say("What the sync did")
    print_report(tracker_env)

    query = urlencode({"next": "/admin/"})
    say("Where to look")
    sys.stdout.write(
        f"    Admin (resolve conflicts): {tracker.url}/admin/login/?{query}\n"
        f"        login: {DEMO_USER} / {password}\n"
        f"    API docs:                  {tracker.url}/api/docs\n"
        f"    Sync status (API):         curl -H 'Authorization: Token {token}' "
        f"{tracker.url}/api/audible/status\n"
        f"    Logs:                      {log_dir}/\n"
        f"    Another person:            .venv/bin/python -m tracker_api.demo.manage "
        f"create_user bob --login-link --base-url {tracker.url}\n"
    )
    if once:
        return
    sys.stdout.write("\nServing. Press Ctrl-C to stop every process.\n")
    wait_for_ctrl_c(group)


def stop_everything(group: ServiceGroup) -> None:
    """Stop the services (last started first) and any ``manage.py`` command still running."""
    INTERRUPTS.stop_listening()
    group.stop_all()
    for process in list(_commands):
        stop_process_group(process)


def main(argv: list[str] | None = None) -> None:
    """The demo from its first line to its last, with Ctrl-C stopping it cleanly at any moment.

    ``INTERRUPTS`` is installed by ``__main__`` before this module is imported; Ctrl-C raises
    ``KeyboardInterrupt`` once, outside the sections that start and record a process, and is
    ignored from then on, so the stop that follows cannot be cut short.
    """
    group = ServiceGroup(guard=INTERRUPTS.held)
    status = 0
    interrupted = False
    try:
        try:
            parser = argparse.ArgumentParser(prog="python -m tracker_api.demo", description=__doc__)
            parser.add_argument(
                "--once", action="store_true", help="Stop after the report instead of serving."
            )
            run(group, once=parser.parse_args(argv).once)
        finally:
            INTERRUPTS.stop_listening()
    except KeyboardInterrupt:
        interrupted = True
        sys.stdout.write("\nStopping...\n")
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
        if exit_.code and not isinstance(exit_.code, int):
            sys.stderr.write(f"{exit_.code}\n")
    finally:
        stop_everything(group)
    if interrupted or group.services:
        sys.stdout.write("Stopped: nothing left running.\n")
        sys.stdout.flush()
    sys.exit(status)
