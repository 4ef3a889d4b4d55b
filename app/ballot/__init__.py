"""The assembly decides: agreement checks on drafts, the final secret ballot, and results.

``models`` (tables), ``actions`` (``do_*``: every change writes its events), ``live`` (the
phone's ``vote`` message and the fragments screens get), ``pages`` (the console's ballot page,
the public results), ``results`` (the results JSON). The count itself is pure:
``facilitation/ballot.py``.
"""
