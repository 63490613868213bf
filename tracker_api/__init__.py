"""The tracker service: a Django + DRF project that owns the schema, the tracker's books,
matching, conflicts and the Audible sync workflow."""
