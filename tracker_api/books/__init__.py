"""The tracker's own catalogue: books per user, their reads, search and CSV import."""
