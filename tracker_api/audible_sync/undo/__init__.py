"""Undo: the complete change log of sync runs and manual links, and reverting from it.

``records`` holds the models, ``journal`` records an action as it writes, ``revert`` undoes a
run or what an old link wrote. docs/sync.md ("Undo") has the rules.
"""
