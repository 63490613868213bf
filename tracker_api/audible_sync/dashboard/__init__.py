"""The admin's Audible dashboard: one person's sync health, recent syncs, open conflicts, what
they are listening to, how long they listened each day and month, what they finished.

* :mod:`.data` gathers everything in a fixed number of queries, whatever the library's size;
* :mod:`.listening_panel` reads the stored listening figures, finishes and streak;
* :mod:`.chart` draws the bar charts as inline SVG (a pure function, no front-end build);
* :mod:`.views` is the thin admin view and :mod:`.site` hooks it into an ``AdminSite``.
"""
