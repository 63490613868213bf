"""The admin's Audible dashboard: one person's sync health, recent syncs, open conflicts, what
they are listening to and how far they got each day of the last 30.

* :mod:`.data` gathers everything in a fixed number of queries, whatever the library's size;
* :mod:`.chart` draws the 30-day chart as inline SVG (a pure function, no front-end build);
* :mod:`.views` is the thin admin view and :mod:`.site` hooks it into an ``AdminSite``.
"""
