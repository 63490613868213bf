"""The tracker's people and clients (alice owns, bob is the outsider), shared with tests/tracker."""

from tests.tracker.conftest import alice  # noqa: F401 - fixture
from tests.tracker.conftest import anon  # noqa: F401 - fixture
from tests.tracker.conftest import api  # noqa: F401 - fixture
from tests.tracker.conftest import bob  # noqa: F401 - fixture
from tests.tracker.conftest import bob_api  # noqa: F401 - fixture
