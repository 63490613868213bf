"""The outside baseline: the unmodified audible-cli 0.6.0 exporting the sandbox's library.

audible-cli only talks HTTPS to the real hosts (``api.audible.com``). It reaches the sandbox
the way the design notes describe (/work/shared/design/AUDIBLE_API.md, §3), with environment
variables only:

* a throw-away test CA and a leaf certificate for the Audible/Amazon API hosts, made here with
  ``cryptography``;
* a local CONNECT proxy (:class:`TlsProxy`) that answers ``200 Connection established``,
  terminates TLS with that leaf and pipes the plain HTTP to the sandbox. Its listen backlog
  is far above audible-cli's parallel page requests (all pages at once), or the extra
  connections would stall for a second in the SYN queue;
* ``HTTPS_PROXY`` pointing at the proxy and ``SSL_CERT_FILE`` at the CA (httpx honours both).

audible-cli is installed with pip into its own virtualenv under the bench's temporary
directory, never into the project. When that fails (no network), :func:`install` says why and
the bench prints the rest without this baseline.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID

AUDIBLE_CLI = "audible-cli==0.6.0"
HOSTS = ("api.audible.com", "api.amazon.com", "www.amazon.com", "www.audible.com")
BACKLOG = 512


_CA_USAGE = x509.KeyUsage(
    digital_signature=True,
    key_cert_sign=True,
    crl_sign=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    encipher_only=False,
    decipher_only=False,
)


@dataclass(frozen=True)
class Certificates:
    ca_file: Path
    cert_file: Path
    key_file: Path


def make_certificates(folder: Path) -> Certificates:
    """A throw-away CA and a leaf for the API hosts (valid for one day)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "audible-sync bench CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_USAGE, critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    names = [x509.DNSName(h) for h in HOSTS] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOSTS[0])]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    out = Certificates(folder / "ca.pem", folder / "leaf.pem", folder / "leaf.key")
    out.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    out.cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    out.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return out


class TlsProxy:
    """CONNECT proxy that terminates TLS and forwards plain HTTP to one upstream port.

    One thread per connection and direction over blocking sockets: the TLS work stays in C
    (``ssl``), so the proxy adds little to what audible-cli itself costs.
    """

    def __init__(self, certificates: Certificates, upstream_port: int) -> None:
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(certificates.cert_file, certificates.key_file)
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=BACKLOG)
        self.port = self.listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, name="tls-proxy", daemon=True)

    def __enter__(self) -> TlsProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.listener.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = client.recv(4096)
                if not chunk:
                    return
                request += chunk
            if not request.startswith(b"CONNECT "):
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            secure = self.context.wrap_socket(client, server_side=True)
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            back = threading.Thread(target=_pipe, args=(upstream, secure), daemon=True)
            back.start()
            _pipe(secure, upstream)
            back.join()
        except (OSError, ssl.SSLError):
            pass
        finally:
            client.close()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(262144):
            target.sendall(chunk)
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            target.shutdown(socket.SHUT_WR)
        except (OSError, ssl.SSLError):
            target.close()


def install(folder: Path) -> tuple[Path | None, str]:
    """``audible`` of audible-cli 0.6.0 in its own venv under ``folder``; (None, why) if not."""
    venv = folder / "audible-cli-venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
             AUDIBLE_CLI],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        last = detail.decode(errors="replace").strip().splitlines()[-1:] or [type(exc).__name__]
        return None, f"pip install {AUDIBLE_CLI} failed: {last[0]}"
    return venv / "bin" / "audible", ""


def write_config(folder: Path, auth_data: dict) -> Path:
    """An audible-cli config dir: ``config.toml`` with one profile and its plain auth file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bench.json").write_text(json.dumps(auth_data))
    (folder / "config.toml").write_text(
        'title = "Audible Config File"\n\n[APP]\nprimary_profile = "bench"\n\n'
        '[profile.bench]\nauth_file = "bench.json"\ncountry_code = "us"\n'
    )
    return folder


def export_seconds(audible: Path, config: Path, proxy: TlsProxy, ca_file: Path, out: Path) -> float:
    """Wall time of one ``audible library export -f json`` through the proxy (whole process)."""
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_DIR", "NO_PROXY", "no_proxy")}
    env.update(AUDIBLE_CONFIG_DIR=str(config), HTTPS_PROXY=proxy.url, SSL_CERT_FILE=str(ca_file))
    started = time.perf_counter()
    done = subprocess.run(
        [str(audible), "library", "export", "-f", "json", "-o", str(out)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"audible library export failed: {done.stderr.strip()[-300:]}")
    return seconds
