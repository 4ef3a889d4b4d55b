"""The public record and the report (issue 15).

``models`` (tables), ``actions`` (``do_*``: every change writes its events), ``read`` (the
record as data for the public page, the observer view and the report, never a name),
``pages`` (the public page's parts, the Atom feed, the observer view, the console's record
page, the phone's survey), ``report`` (HTML, PDF, Markdown, CSV), ``retention`` (removing what
links people to their words). The pure parts are in ``facilitation/record.py``.
"""
