"""The programme (issue 14): gatherings, attendance and hours, experts and material, the room's
questions to an expert, the parking lot.

``models`` (tables), ``actions`` (``do_*``: every change writes its events), ``live`` (the
phone's ``question``, ``upvote`` and ``checkin`` messages), ``views`` (what screens get for the
programme's events), ``pages`` (the console's programme, attendance and questions pages, the
phone's programme page, the attendance CSV, material downloads). The pure part:
``facilitation/programme.py``.
"""
