"""The Audible integration (named so as not to shadow the `audible` package on PyPI)."""
