"""``cached`` computes a derived field once per object and stores it on the object."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from dataclasses import dataclass

import pytest

from tracker_api.matching.lazy import cached

calls: list[int] = []


@dataclass(frozen=True)
class Side:
    value: int

    @cached
    def doubled(self) -> int:
        """Twice the value."""
        calls.append(self.value)
        return 2 * self.value


def test_it_is_computed_on_first_read_only_and_per_object() -> None:
    calls.clear()
    first, second = Side(3), Side(4)
    assert (first.doubled, first.doubled, second.doubled) == (6, 6, 8)
    assert calls == [3, 4]
    assert first.__dict__["doubled"] == 6


def test_the_object_stays_frozen_and_equal_to_an_unread_twin() -> None:
    read = Side(5)
    assert read.doubled == 10
    with pytest.raises(FrozenInstanceError):
        read.value = 6  # type: ignore[misc]
    assert read == Side(5)
    assert hash(read) == hash(Side(5))


def test_the_class_attribute_is_the_descriptor_with_its_doc() -> None:
    assert isinstance(Side.__dict__["doubled"], cached)
    assert Side.doubled.__doc__ == "Twice the value."
