#!/usr/bin/env python
"""Django's command-line utility for the tracker service."""

import os
import sys

# One-shot commands run by cron: their start-up runs without the cyclic collector and their
# process ends without the interpreter's teardown (see tracker_api/core/fast_exit.py).
FAST_EXIT_COMMANDS = frozenset({"audible_sync"})


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker_api.config.settings")
    if sys.argv[1:2] and sys.argv[1] in FAST_EXIT_COMMANDS:
        from tracker_api.core import fast_exit

        fast_exit.pause_collector()  # before Django's imports: the whole start-up
        from django.core.management import execute_from_command_line

        fast_exit.run_then_exit(execute_from_command_line, sys.argv)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
