"""People, clients and the live sandbox + gateway stack, shared with tests/tracker."""

from tests.tracker.conftest import alice  # noqa: F401
from tests.tracker.conftest import anon  # noqa: F401
from tests.tracker.conftest import api  # noqa: F401
from tests.tracker.conftest import bob  # noqa: F401
from tests.tracker.conftest import bob_api  # noqa: F401
from tests.tracker.test_schema import schema  # noqa: F401
from tests.tracker.test_sync_stack import fresh_library  # noqa: F401
from tests.tracker.test_sync_stack import gateway_settings  # noqa: F401
from tests.tracker.test_sync_stack import listener  # noqa: F401
from tests.tracker.test_sync_stack import sealed  # noqa: F401
from tests.tracker.test_sync_stack import stack  # noqa: F401
