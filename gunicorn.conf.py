"""gunicorn's hooks for this app: gunicorn reads ./gunicorn.conf.py from the directory it is
started in (the Procfile's, docs/DEPLOY.md's, `make loadtest`'s, `cluster`'s, `faultcheck`'s
and `racecheck`'s gunicorn all start in the project's root). Settings stay on the command line.
"""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Each worker, after the fork and after loading the app (debate/wsgi.py), before it
    accepts a request: it loads and holds the site's most recently active debates that fit
    (arguments/views/warm_up.py, `hold_busiest_debates`), so that no request of it pays a
    whole load. Before the fork (`--preload`) nothing may open a database connection."""
    # Imported here: gunicorn reads this file before it loads the app and its settings.
    from arguments.views.warm_up import hold_busiest_debates  # noqa: PLC0415

    hold_busiest_debates(worker_timeout=worker.cfg.timeout)
