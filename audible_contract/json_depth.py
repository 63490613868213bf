"""How deeply a parsed JSON value nests, without recursion.

Pure (no Flask), so both processes refuse over-nested bodies by the same rule: the gateway's
body reader and the tracker's DRF parsers import it.
"""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 32


def nesting_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Depth of nested arrays/objects (scalars are 0); stops counting once past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth) for child in children)
    return deepest
