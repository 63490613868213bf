"""``python -m tracker_api.demo`` (``make run``): see :mod:`tracker_api.demo.cli`.

Ctrl-C is taken over first, before the demo imports anything heavy, prints or starts anything,
so that pressing it at any moment stops every process the demo started and exits cleanly.
"""

from tracker_api.demo.interrupts import INTERRUPTS

INTERRUPTS.install()

from tracker_api.demo.cli import main  # noqa: E402 - only once Ctrl-C is handled, on purpose

main()
