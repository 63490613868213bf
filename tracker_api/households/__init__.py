"""Households: one Audible connection shared by several people, each title routed to one.

See ``docs/household.md``. The tables live here (their own app, their own migrations); the
sync calls in through hooks: ``membership.connection_for`` (whose lock, limits and
schedule a person's sync uses), ``sync.prepare`` and ``sync.apply`` (one fetched library, split by
person and applied to each person's tracker as a single-person sync would apply it).
"""
