"""Households: one Audible connection shared by several people, each title routed to one.

See ``docs/household.md``. The tables live here (their own app, their own migrations); the
sync calls in through two hooks: ``connection.connection_config`` (whose lock, limits and
schedule a person's sync uses) and ``apply.apply_household`` (one fetched library, split by
person and applied to each person's tracker as a single-person sync would apply it).
"""
