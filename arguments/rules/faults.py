"""The limits the machine sets: a full disk, a read-only database, a lock held too long, a
connection the database closed. One place names each for a person (one line, no traceback),
for the import and export commands, the background jobs and the site's error answer."""

from __future__ import annotations

import errno

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# PostgreSQL's SQLSTATEs (Appendix A): class 53 is "insufficient resources".
_SQLSTATES = {
    "53100": "disk full",
    "53200": "out of memory",
    "25006": "read-only",
    "55P03": "lock timeout",
    "57014": "lock timeout",  # statement_timeout or a cancelled wait
    "40P01": "lock timeout",  # a deadlock, resolved by cancelling this transaction
}
# SQLite says it in words.
_SQLITE_WORDS = {
    "database or disk is full": "disk full",
    "disk i/o error": "disk full",
    "attempt to write a readonly database": "read-only",
    "readonly database": "read-only",
    "database is locked": "lock timeout",
    "database table is locked": "lock timeout",
}
_ERRNOS = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk full", errno.EROFS: "read-only"}

# In the reader's language: a site's error page, an import job's page (the operator's
# commands print them in the site's).
MESSAGES = {
    "disk full": gettext_lazy("The server's disk is full"),
    "out of memory": gettext_lazy("The database ran out of memory"),
    "read-only": gettext_lazy("The database is read-only at the moment"),
    "lock timeout": gettext_lazy("The database was busy for too long (a lock timeout)"),
}


def fault_of(error: BaseException) -> str | None:
    """Which of the machine's limits `error` met ("disk full", "read-only", "lock timeout",
    "out of memory"), or None for any other error."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno in _ERRNOS:
            return _ERRNOS[seen.errno]
        sqlstate = getattr(seen, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate in _SQLSTATES:
            return _SQLSTATES[sqlstate]
        if isinstance(seen, DatabaseError):
            text = str(seen).lower()
            for words, fault in _SQLITE_WORDS.items():
                if words in text:
                    return fault
        seen = seen.__cause__ or seen.__context__
    return None


def fault_message(error: BaseException, *, what: str) -> str | None:
    """One line naming the cause of `error` when it is one of the machine's limits, e.g.
    "The server's disk is full: the import was not saved (nothing of it was written)."."""
    fault = fault_of(error)
    if fault is None:
        return None
    return _("%(cause)s: %(what)s.") % {"cause": MESSAGES[fault], "what": what}


# PostgreSQL's SQLSTATEs for a connection the server ended: class 08 (connection exception),
# and an administrator's, a crash's or a starting server's shutdown.
_LOST_SQLSTATES = ("08", "57P01", "57P02", "57P03")
# What the driver says when the socket went away under it (no SQLSTATE: nothing answered).
_LOST_WORDS = (
    "the connection is closed",
    "connection already closed",
    "server closed the connection",
    "consuming input failed",
    "terminating connection",
    "could not receive data from server",
    "ssl connection has been closed",
)


def connection_lost(error: BaseException) -> bool:
    """Whether `error` came from a database connection that no longer works (the server
    closed it, a restart, a dropped network), as opposed to an error of the query itself."""
    if not isinstance(error, (InterfaceError, OperationalError)):
        return False
    seen: BaseException | None = error
    while seen is not None:
        sqlstate = getattr(seen, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_LOST_SQLSTATES):
            return True
        if any(words in str(seen).lower() for words in _LOST_WORDS):
            return True
        seen = seen.__cause__ or seen.__context__
    # Otherwise ask the connections themselves.
    return any(
        connection.connection is not None and not connection.is_usable()
        for connection in connections.all(initialized_only=True)
    )


def close_lost_connections() -> None:
    """Close every connection of this thread that no longer works: the next query opens a
    fresh one (Django repairs connections only between requests)."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()
