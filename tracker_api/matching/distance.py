"""A weighted distance made of named penalties, after beets' ``autotag.distance.Distance``.

Each penalty is a number in [0, 1] filed under a key; the distance is the weighted sum of
penalties divided by the weighted number of penalties added, so 0 means "identical on
everything compared" and 1 "different on everything compared". Unlike beets, the caller
always adds title and author, so a sparse candidate cannot look perfect.
"""

from __future__ import annotations

from collections.abc import Mapping


class Distance:
    """Collects penalties by key and turns them into one normalised distance."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        self._weights = weights
        self._penalties: dict[str, list[float]] = {}

    def add(self, key: str, value: float) -> None:
        """Add one penalty in [0, 1] under ``key`` (a weight must exist for it)."""
        if key not in self._weights:
            raise KeyError(f"no weight for penalty {key!r}")
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"penalty {key}={value} is outside [0, 1]")
        self._penalties.setdefault(key, []).append(value)

    def add_ratio(self, key: str, number: float, maximum: float) -> None:
        """``number / maximum`` clamped to [0, 1] (e.g. years apart over 10)."""
        self.add(key, min(max(number, 0.0), maximum) / maximum if maximum else 0.0)

    def add_expr(self, key: str, condition: bool) -> None:
        """A full penalty when ``condition`` holds, none otherwise."""
        self.add(key, 1.0 if condition else 0.0)

    def __contains__(self, key: str) -> bool:
        """Whether a penalty was added under ``key`` (without building ``penalties()``)."""
        return key in self._penalties

    @property
    def distance(self) -> float:
        weights, penalties = self._weights, self._penalties.items()
        # Lists, not generators: the same sums in the same order, read once per candidate.
        raw = sum([weights[k] * sum(v) for k, v in penalties])
        maximum = sum([weights[k] * len(v) for k, v in penalties])
        return raw / maximum if maximum else 0.0

    def penalties(self) -> dict[str, float]:
        """Mean penalty per key, biggest first (the order explanations use)."""
        means = {k: sum(v) / len(v) for k, v in self._penalties.items()}
        return dict(sorted(means.items(), key=lambda kv: (-kv[1], kv[0])))
