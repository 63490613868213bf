"""Import of an auth file written by the ``audible`` package or audible-cli.

Accepted: the plain JSON file, the ``"json"`` encrypted form (``{salt, iv, ciphertext}``) and
the ``"bytes"`` encrypted form (sent base64-encoded). Decryption uses the package's own
``AESCipher``, as ``Authenticator.from_file`` does, but in memory: the gateway writes nothing
to disk. The file password is used once and never stored or logged.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import audible
from audible.aescipher import AESCipher

from audible_gateway import errors
from audible_gateway.accounts import AuthDataError
from audible_gateway.accounts import UnknownAuthKey
from audible_gateway.accounts import authenticator_from_dict


def _password_required() -> errors.GatewayError:
    return errors.GatewayError(
        "auth_file_password_required",
        "The auth file is encrypted; send its password too.",
        400,
        fields={"password": "required for an encrypted auth file"},
    )


def _wrong_password() -> errors.GatewayError:
    return errors.GatewayError(
        "auth_file_password_wrong", "The auth file does not decrypt with this password.", 400
    )


def _invalid(reason: str) -> errors.GatewayError:
    return errors.GatewayError("auth_file_invalid", f"The auth file is not usable: {reason}.", 400)


def _decrypt(password: str | None, decrypt: Any) -> dict[str, Any]:
    if not password:
        raise _password_required()
    try:
        plain = decrypt(AESCipher(password))
        data = json.loads(plain)
    except Exception:  # wrong keys surface as padding, unicode or JSON errors
        raise _wrong_password() from None
    if not isinstance(data, dict):
        raise _wrong_password()
    return data


def read_auth_file(content: Any, password: str | None) -> dict[str, Any]:
    """The file's auth dict: content is a JSON object, JSON text, or base64 of the file bytes."""
    if isinstance(content, str):
        text = content.strip()
        if text.startswith("{"):
            try:
                content = json.loads(text)
            except ValueError:
                raise _invalid("it is not valid JSON") from None
        else:
            try:
                raw = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise _invalid("it is neither JSON nor base64") from None
            if raw.lstrip().startswith(b"{"):
                return read_auth_file(raw.decode("utf-8", "replace"), password)
            return _decrypt(password, lambda cipher: cipher.from_bytes(raw))
    if not isinstance(content, dict):
        raise errors.validation_error({"auth_file": "must be a JSON object or a string"})
    if "ciphertext" in content:
        return _decrypt(password, lambda cipher: cipher.from_dict(content))
    return content


def import_auth_file(
    content: Any, password: str | None, locale: str | None = None
) -> audible.Authenticator:
    data = read_auth_file(content, password)
    if not (data.get("adp_token") or data.get("access_token")):
        raise _invalid("it holds neither signing keys nor tokens")
    if locale:
        data = {**data, "locale_code": locale}
    try:
        return authenticator_from_dict(data)
    except UnknownAuthKey as exc:
        raise errors.GatewayError(
            "auth_file_invalid",
            f"The auth file is not usable: {exc}. Send the file as the audible package or "
            "audible-cli wrote it.",
            400,
            fields={"auth_file": f"unknown key {exc.key!r}"},
        ) from None
    except AuthDataError as exc:
        raise _invalid(str(exc)) from None
