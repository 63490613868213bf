"""How many examples a property test tries: all of them in ``make test``, fewer in the fast lane.

``make test-fast`` loads the Hypothesis profile ``fast`` (``HYPOTHESIS_PROFILE=fast``; the
profiles are in ``tests/conftest.py``). A property test that names its own count passes it
through :func:`examples`, so its count shrinks there too: the fast lane still tries every
property on the same fixed cases, and ``make test`` (CI) tries them all.
"""

from __future__ import annotations

import os

FAST_SHARE = 5  # the fast lane tries a fifth of a test's examples
FAST_FLOOR = 10


def examples(full: int) -> int:
    """``full`` in the whole suite; a fifth of it (at least 10) under the ``fast`` profile."""
    if os.environ.get("HYPOTHESIS_PROFILE") == "fast":
        return min(full, max(FAST_FLOOR, full // FAST_SHARE))
    return full
