"""Connect, reconnect and disconnect Audible from the admin, as the person themself.

* **Amazon login in the browser** (the gateway's external login, as ``POST /api/audible/auth``
  with ``method: external``): *Start* asks the gateway for the Amazon login link and keeps
  its sealed state in the person's session; the page shows the link and a box for the address
  the browser ends on (``https://www.amazon.<tld>/ap/maplanding?...``, a "page not found" at
  Amazon); *Finish* sends that address with the state and stores the sealed blob.
* **Auth-file import** (``method: file``): an audible-cli auth file, uploaded.
* **Disconnect**: ``disconnect.disconnect`` deregisters the device and forgets the blob.

Connecting again while connected replaces the device, and the old one is deregistered
(``connecting.store_credentials``). Every connect attempt counts against the same throttles as
the API (``throttles.connect_allowed``). The views are thin: the work is in those functions.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from django.contrib import messages
from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from tracker_api.audible_sync import gateway
from tracker_api.audible_sync.api.throttles import connect_allowed
from tracker_api.audible_sync.api.views import gateway_api_error
from tracker_api.audible_sync.connecting import connect_account
from tracker_api.audible_sync.disconnect import disconnect
from tracker_api.audible_sync.models import AudibleConfig
from tracker_api.audible_sync.pages.common import context
from tracker_api.audible_sync.pages.common import url
from tracker_api.audible_sync.pages.forms import AuthFileForm
from tracker_api.audible_sync.pages.forms import FinishLoginForm
from tracker_api.audible_sync.pages.forms import StartLoginForm
from tracker_api.audible_sync.status import connection_state
from tracker_api.core.signed_in import signed_in_user

SESSION_KEY = "audible_external_login"
TEMPLATE = "admin/audible_sync/connection.html"
DISCONNECT_TEMPLATE = "admin/audible_sync/disconnect_confirm.html"
# Gateway codes that mean "this login attempt is over": start again.
RESTART_CODES = {"invalid_login_state"}


def _config(user: Any) -> AudibleConfig:
    return AudibleConfig.objects.filter(user=user).first() or AudibleConfig(user=user)


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    """The login started in this session, while its state is still valid."""
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict) or float(pending.get("expires_at", 0)) < time.time():
        request.session.pop(SESSION_KEY, None)
        return None
    return pending


def _to_connection(anchor: str = "") -> HttpResponse:
    return HttpResponseRedirect(url("connection") + (f"#{anchor}" if anchor else ""))


def _throttled(request: HttpRequest) -> bool:
    wait = connect_allowed(request)
    if wait is None:
        return False
    minutes = max(1, round(wait / 60))
    messages.error(
        request,
        f"Too many connection attempts; try again in about {minutes} minute"
        f"{'s' if minutes != 1 else ''}.",
    )
    return True


def _gateway_failed(request: HttpRequest, exc: gateway.GatewayCallError) -> None:
    """The gateway's sentence (never a secret), as the API would answer it."""
    error = gateway_api_error(exc)
    messages.error(request, f"Audible could not be connected: {error.detail}")


def _connected_message(request: HttpRequest, answer: dict[str, Any], replaced: bool) -> None:
    account = answer.get("account") or {}
    who = account.get("customer_name") or "your account"
    where = f" ({account['locale']})" if account.get("locale") else ""
    extra = " The device of the previous connection was deregistered." if replaced else ""
    messages.success(request, f"Audible is connected: {who}{where}.{extra}")


def connection_page(site: AdminSite, request: HttpRequest) -> HttpResponse:
    """The connection's state and every way to connect, reconnect or disconnect."""
    config = _config(signed_in_user(request))
    pending = _pending(request)
    ctx = context(
        site,
        request,
        "Audible connection",
        config=config,
        state=connection_state(config),
        account=config.account or {},
        pending=pending,
        start_form=StartLoginForm(initial={"locale": (config.account or {}).get("locale") or "us"}),
        finish_form=FinishLoginForm(),
        file_form=AuthFileForm(),
        start_url=url("connection_start", site.name),
        finish_url=url("connection_finish", site.name),
        import_url=url("connection_import", site.name),
        disconnect_url=url("connection_disconnect", site.name),
    )
    return TemplateResponse(request, TEMPLATE, ctx)


def start_login(site: AdminSite, request: HttpRequest) -> HttpResponse:
    """POST: ask the gateway for the Amazon login link (step 1 of 2)."""
    if request.method != "POST":
        return _to_connection()
    form = StartLoginForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose your Audible marketplace.")
        return _to_connection()
    if _throttled(request):
        return _to_connection()
    body: dict[str, Any] = {"method": "external", "locale": form.cleaned_data["locale"]}
    if form.cleaned_data["with_username"]:
        body["with_username"] = True
    try:
        answer = connect_account(signed_in_user(request), body)
    except gateway.GatewayCallError as exc:
        _gateway_failed(request, exc)
        return _to_connection()
    request.session[SESSION_KEY] = {
        "state": answer["state"],
        "login_url": answer["login_url"],
        "locale": form.cleaned_data["locale"],
        "expires_at": time.time() + float(answer.get("expires_in") or 600),
    }
    return _to_connection("finish-login")


def finish_login(site: AdminSite, request: HttpRequest) -> HttpResponse:
    """POST the address the browser ended on (step 2 of 2): the account is connected."""
    if request.method != "POST":
        return _to_connection()
    pending = _pending(request)
    if pending is None:
        messages.error(request, "That login is no longer valid (it expired); start it again.")
        return _to_connection()
    form = FinishLoginForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Paste the whole address your browser shows after logging in.")
        return _to_connection("finish-login")
    if _throttled(request):
        return _to_connection("finish-login")
    replaced = _config(signed_in_user(request)).is_connected
    body = {
        "method": "external",
        "state": pending["state"],
        "redirect_url": form.cleaned_data["redirect_url"],
    }
    try:
        answer = connect_account(signed_in_user(request), body)
    except gateway.GatewayCallError as exc:
        if exc.code in RESTART_CODES:
            request.session.pop(SESSION_KEY, None)
        _gateway_failed(request, exc)
        return _to_connection("finish-login")
    request.session.pop(SESSION_KEY, None)
    _connected_message(request, answer, replaced)
    return HttpResponseRedirect(url("dashboard", site.name))


def _auth_file_value(raw: bytes) -> Any:
    """The file's JSON as an object, else base64 of its bytes (an encrypted file)."""
    try:
        parsed = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        parsed = None
    if isinstance(parsed, dict):
        return parsed
    return base64.b64encode(raw).decode("ascii")


def import_file(site: AdminSite, request: HttpRequest) -> HttpResponse:
    """POST an audible-cli auth file (multipart): the account is connected with it."""
    if request.method != "POST":
        return _to_connection()
    form = AuthFileForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"Auth file: {error}")
        return _to_connection("import-file")
    if _throttled(request):
        return _to_connection("import-file")
    body: dict[str, Any] = {
        "method": "file",
        "auth_file": _auth_file_value(form.cleaned_data["auth_file"].read()),
    }
    if form.cleaned_data["password"]:
        body["password"] = form.cleaned_data["password"]
    if form.cleaned_data["locale"]:
        body["locale"] = form.cleaned_data["locale"]
    replaced = _config(signed_in_user(request)).is_connected
    try:
        answer = connect_account(signed_in_user(request), body)
    except gateway.GatewayCallError as exc:
        _gateway_failed(request, exc)
        return _to_connection("import-file")
    _connected_message(request, answer, replaced)
    return HttpResponseRedirect(url("dashboard", site.name))


def disconnect_page(site: AdminSite, request: HttpRequest) -> HttpResponse:
    """GET: what disconnecting does, and a button; POST: deregister and forget."""
    config = _config(signed_in_user(request))
    if request.method != "POST":
        ctx = context(
            site,
            request,
            "Disconnect Audible",
            config=config,
            account=config.account or {},
            disconnect_url=url("connection_disconnect", site.name),
        )
        return TemplateResponse(request, DISCONNECT_TEMPLATE, ctx)
    try:
        outcome = disconnect(signed_in_user(request))
    except gateway.GatewayCallError as exc:
        error = gateway_api_error(exc)
        messages.error(
            request,
            f"Audible is still connected: the device could not be deregistered ({error.detail}) "
            "Try again later.",
        )
        return _to_connection()
    if not outcome.was_connected:
        messages.info(request, "No Audible account was connected.")
    elif outcome.deregistered:
        messages.success(
            request, "Audible is disconnected: the device is deregistered and its keys forgotten."
        )
    else:
        messages.success(
            request,
            "Audible is disconnected: Amazon had already dropped the device; its keys are "
            "forgotten.",
        )
    return _to_connection()
