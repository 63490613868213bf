"""Which secret values may never start a production process, shared by both processes.

The gateway's config loader and the tracker's system checks both refuse a secret that is
missing, shorter than ``MIN_SECRET_LENGTH`` or a placeholder: a value printed in
``.env.example`` or the documentation, or one that still says it should be changed. Such a
value is public (it is in the repository), so a deployment that kept it has no secret at all.
``tests/deploy/test_placeholders.py`` reads ``.env.example`` and fails when one of its example
values is not refused here.
"""

from __future__ import annotations

MIN_SECRET_LENGTH = 16

# Every example value the repository has printed for a secret (.env.example, docs).
EXAMPLE_VALUES = frozenset(
    {
        "change-me",
        "change-me-too",
        "change-me-to-a-long-random-string",
        "changeme",
        "password",
        "secret",
        "...",
    }
)
# Words that mark a value as "fill me in" wherever they appear.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "change_me", "replace-me", "your-secret")


def is_placeholder(value: str) -> bool:
    """True for an example value or one that says it must be replaced."""
    text = value.strip().lower()
    return text in EXAMPLE_VALUES or any(marker in text for marker in PLACEHOLDER_MARKERS)


def secret_problem(name: str, value: str | None, *, required: bool = True) -> str | None:
    """Why ``value`` may not serve as the secret ``name`` in production, or None when it may.

    ``required=False`` lets an empty value through (a feature that is off without its secret).
    """
    text = (value or "").strip()
    if not text:
        return f"{name} must be set." if required else None
    if is_placeholder(text):
        return f"{name} is a placeholder from the examples; set a fresh random value."
    if len(text) < MIN_SECRET_LENGTH:
        return f"{name} must be at least {MIN_SECRET_LENGTH} characters long."
    return None
