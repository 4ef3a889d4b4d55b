"""The lottery (issue 9): from the volunteers who signed up to the drawn panel, fair to each.

- ``models``: the lottery row (pool, quotas, result, audit trail, retention).
- ``files``: reading the pool and quota files; the contact list.
- ``flow``: upload, run the engine (``facilitation.sortition``) in a worker, draw, replacements.
- ``panel``: the drawn panel becomes members (``app.members``); the pool's personal data goes.
- ``audit``: the published audit trail and its CSV.
- ``pages``: the console's lottery page.
"""
