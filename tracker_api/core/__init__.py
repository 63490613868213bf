"""Shared API plumbing: JSON errors, paging, schema helpers, health, user commands."""
