"""Amazon's HTML sign-in pages, the one boundary no sandbox can imitate faithfully.

Serves just enough of each page (the elements ``audible.login`` looks for) to drive the
gateway's password login through captcha, OTP, CVF, approval and wrong-password answers.
It records every form it receives so tests can check what was sent.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlencode

from werkzeug.serving import make_server
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response

SIGNIN = """<html><body><form name="signIn" method="POST" action="/ap/signin">
<input type="hidden" name="appActionToken" value="tok"/><input type="email" name="email"/>
<input type="password" name="password"/></form>{extra}</body></html>"""
MFA = """<html><body><form id="auth-mfa-form" method="POST" action="/ap/mfa">
<input type="hidden" name="mfaToken" value="m"/><input name="otpCode"/></form></body></html>"""
CHOICE = """<html><body><form id="auth-select-device-form" method="POST" action="/ap/choice">
<div data-a-input-name="otpDeviceContext" class="auth-TOTP">
<input type="radio" name="otpDeviceContext" value="totp-ctx"/></div></form></body></html>"""
CVF = """<html><body><div id="cvf-page-content"><form method="POST" action="/ap/cvf">
<input type="hidden" name="cvfToken" value="c"/></form></div></body></html>"""
APPROVAL = """<html><body><div id="resend-approval-alert">Approve it</div>
<form method="GET" action="/ap/approval"></form></body></html>"""
CAPTCHA = """<html><body><img alt="Visual CAPTCHA image" src="https://images.example/c.jpg"/>
<form name="signIn" method="POST" action="/ap/signin"></form></body></html>"""
WRONG = SIGNIN.format(
    extra='<div id="auth-error-message-box"><h4>There was a problem</h4>'
    "<ul><li><span>Your password is incorrect</span></li></ul></div>"
)


class FakeAmazon:
    """A threaded server; the outcome of a login is chosen by the e-mail's local part."""

    def __init__(self) -> None:
        self.forms: list[dict[str, Any]] = []
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def __enter__(self) -> FakeAmazon:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @staticmethod
    def _landing() -> Response:
        query = urlencode({"openid.oa2.authorization_code": "FAKECODE123"})
        return Response(
            status=302, headers={"Location": f"https://www.amazon.com/ap/maplanding?{query}"}
        )

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        form = request.form.to_dict()
        if request.method == "POST":
            self.forms.append({"path": request.path, **form})
        response = self._route(request, form)
        return response(environ, start_response)

    def _route(self, request: Request, form: dict[str, str]) -> Response:
        html = "text/html"
        if request.path == "/ap/signin" and request.method == "GET":
            return Response(SIGNIN.format(extra=""), mimetype=html)
        if request.path == "/ap/signin":
            who = form.get("email", "").split("@")[0]
            page = {
                "captcha": CAPTCHA,
                "otp": MFA,
                "choice": CHOICE,
                "cvf": CVF,
                "approval": APPROVAL,
                "wrong": WRONG,
                "odd": "<html><body>nothing here</body></html>",
            }.get(who)
            return Response(page, mimetype=html) if page else self._landing()
        if request.path == "/ap/choice":
            return Response(MFA, mimetype=html)
        if request.path == "/ap/mfa":
            return (
                self._landing() if form.get("otpCode") == "123456" else Response(MFA, mimetype=html)
            )
        return Response("not found", status=404)
