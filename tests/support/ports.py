"""A loopback port where nothing answers, for tests of "the server is down".

``free_port()`` only names a port that was free a moment ago: under pytest-xdist another
worker's server may take it before the test connects, and the test then talks to that server.
A socket bound to the port and never listening holds it for the test: connections are refused
(the kernel answers RST), and nothing else can bind it meanwhile.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections for the whole test."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        yield int(holder.getsockname()[1])
