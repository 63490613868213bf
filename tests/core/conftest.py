"""The people and clients (alice owns, bob is the outsider), from tests/support/people.py."""

from tests.support.people import alice  # noqa: F401
from tests.support.people import anon  # noqa: F401
from tests.support.people import api  # noqa: F401
from tests.support.people import bob  # noqa: F401
from tests.support.people import bob_api  # noqa: F401
