"""The reading lens: what one reader sees of a debate, what they may do there, and where each
link goes, decided in one place for every view that shows a debate (see `lens.Lens`).

- `lens`: the `Lens` itself (seeing, doing, the tree);
- `links`: where each link leads, in the reader's frame (site, embed, LMS);
- `actions`: the controls a claim or a note shows its reader.
"""

from arguments.reading.actions import Actions, NoteActions, Why
from arguments.reading.lens import ANONYMOUS, Lens, order_from
from arguments.reading.links import ClaimUrls, DebateUrls, Frame, NoteUrls, Route, Routes

__all__ = [
    "ANONYMOUS",
    "Actions",
    "ClaimUrls",
    "DebateUrls",
    "Frame",
    "Lens",
    "NoteActions",
    "NoteUrls",
    "Route",
    "Routes",
    "Why",
    "order_from",
]
