"""A worker holds its site's busiest debates before its first request (issue 35).

A debate that fits this process's budget for structures (`loader.fits`) is loaded whole and
held by the first request that finds its stored copies behind: at 20,000 claims about 0.6 s
of CPU inside one request (a vote, usually), while the worker's other requests queue behind
it (`make loadtest`: visitors' p99 of 700 ms while votes came, each worker's first vote).
`hold_busiest` pays that as the worker starts instead: the debates with the latest activity
(`Debate.updated_at`, moved by every vote and write, read through its index), most recent
first, each that fits in what is left of the budget loaded through `loader.debate_structure`
(stamped with its versions and kept as a request would keep it), until the budget is full,
the candidates run out or the time given is spent. A debate too big to hold (200,000 claims)
is never loaded: such debates are served from rows (`stored_writes.py`).

Called after the fork (gunicorn's `post_worker_init`, gunicorn.conf.py, through
`views.warm_up.hold_busiest_debates`), never before it: it opens a database connection.
"""

from __future__ import annotations

import logging
import time

from django.db import InterfaceError, OperationalError

from arguments.models import Debate
from arguments.structure import loader

logger = logging.getLogger(__name__)

# The most recently active debates looked at: a site of 5,000 debates of 200 claims fills
# the default budget (22,000 claims) with about 110 of them; a count and a load each.
CANDIDATES = 120


def hold_busiest(*, seconds: float) -> list[int]:
    """Load and hold the most recently active debates that fit in this process's budget for
    structures, most active first, for at most about `seconds` (a load begun is finished:
    one fits the budget, about 0.6 s of CPU at its biggest). The ids held, most active
    first, now the last the store would evict. A debate that fails to load is logged and
    skipped; a database that does not answer ends it (logged). Raises only when the
    candidates cannot be read."""
    started = time.monotonic()
    most = loader.claims_held_at_most()
    room = most
    held: list[int] = []
    candidates = Debate.objects.order_by("-updated_at", "-id").only("id", *loader.VERSION_FIELDS)
    for debate in candidates[:CANDIDATES]:
        if room <= 0 or time.monotonic() - started > seconds:
            break
        try:
            claims = loader.claims_up_to(debate, most)
            if not claims or claims > room:
                continue  # nothing to hold, too big for any worker, or for what is left
            structure = loader.debate_structure(debate)
        except (OperationalError, InterfaceError):
            logger.warning(
                "holding at start: the database did not answer; %d debates held",
                len(held),
                exc_info=True,
            )
            break
        except Exception:
            logger.exception("holding at start: debate %s not held", debate.pk)
            continue
        held.append(debate.pk)
        room -= len(structure.nodes)
    loader.held_first(held)
    logger.info(
        "holding at start: debates %s, %d claims, in %.2f s",
        held,
        most - room,
        time.monotonic() - started,
    )
    return held
