"""``cached``: ``functools.cached_property`` without the lock Python 3.11 takes on every
first read.

The matcher's derived fields (``Prepared``, ``TitleParts``, ``PersonName``) are read once
or a few times per object, and each item's are new, so that first read is nearly every read:
with the lock it was about a tenth of the 10,000 x 10,000 run. The values are pure functions
of a frozen object, so two threads computing one at once would store equal values; Python
3.12 dropped the lock from ``cached_property`` for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import Generic
from typing import Self
from typing import TypeVar
from typing import overload

T = TypeVar("T")


class cached(Generic[T]):
    """A property computed on first read and stored in the instance's ``__dict__`` (later
    reads find it there, not here). Works on frozen dataclasses without slots."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> T | Self:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value
