"""Shared test support: one place for what several suites need alike."""
