"""Themes and draft recommendations (issues 7 and 8): the facilitators' theme board, the drafts
with their versions, lineage and the tables' feedback, and where every line came from.

- ``models``: the tables (themes, placements, board actions, drafts, versions, feedback).
- ``board``: the board's ``do_*`` actions (each writes a ``board`` event) and its undo.
- ``read``: what the board shows (phases, themes, placements, suggestions).
- ``drafts``: the drafts' ``do_*`` actions (``drafts`` and ``drafting`` events).
- ``diff``: word differences between two versions.
- ``provenance``: which notes and themes a draft came from; the exports.
- ``forms``, ``pages``, ``pages_drafts``, ``pages_phone``: the console's and the phone's pages.
"""
