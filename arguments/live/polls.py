"""Live updates: "has anything changed since my page?" answered cheaply, and what changed.

A page carries the versions it was rendered at (`Versions`: the debate's structure and tally
versions and the newest claim id it held) and a signed *ticket* saying "this browser could
read this debate". A poll is a conditional GET whose ETag is the debate's two versions: when
they have not moved, a valid ticket lets the answer be a 304 after one small query, without
loading the session, the user or the debate's structure (an idle reader costs next to
nothing). When they have moved, the poll is an ordinary read through the reader's lens, which
counts only what that reader may see.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.http.cookie import parse_cookie
from django.utils.translation import gettext, ngettext

from arguments import caches, selectors
from arguments.models import Debate
from arguments.reading.lens import Lens

TICKET_SALT = "arguments.live.ticket-2"  # tickets of the old shape (12 hours, unbound) end
# A ticket outlives no reading session worth keeping open; after it, polls go through the lens
# again. A private debate's ticket is also bound to its reader: to the session it was given in
# (whoever else holds its URL has not that session's cookie) and to their membership, asked
# on every unchanged poll (one indexed read), so a member removed stops learning at once even
# that the debate is unchanged.
TICKET_MAX_AGE = 3600
POLL_SECONDS = 5

caches.register(
    "pages polled",
    kept=caches.Kept.BROWSER,
    key="the page a reader has open, by its ETag: the debate's structure and tally versions",
    stale="the debate's versions move: until then a poll with the page's ticket is a 304 "
    "after one query, answered before Django (live/poll_shortcut.py) or by the view",
)


@dataclass(frozen=True, slots=True)
class Versions:
    """Where a page stands: the debate's structure and tally versions, and the newest claim
    id it held (claims with a higher id are new to that page)."""

    structure: int
    tally: int
    newest_claim: int = 0

    @property
    def etag(self) -> str:
        return f'"{self.structure}.{self.tally}"'

    @property
    def token(self) -> str:
        return f"{self.structure}.{self.tally}.{self.newest_claim}"

    @classmethod
    def parse(cls, token: str) -> Versions | None:
        """A page's `since` token, or None when it is not one."""
        parts = token.strip().split(".")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) < 19 for p in parts):
            return None
        return cls(*(int(p) for p in parts))


def current_versions(environ: MutableMapping[str, Any], slug: str) -> tuple[int, Versions] | None:
    """The debate's id and versions: one query per request (`environ`, the WSGI environ or
    `request.META`), the whole cost of an unchanged poll."""
    found = selectors.debate_versions(slug, environ)
    if found is None:
        return None
    return found.id, Versions(found.structure, found.tally)


def page_versions(lens: Lens) -> Versions:
    """The versions of the page being rendered for this lens (no query: the structure is
    already loaded for the page). The structure's own: it was read in one snapshot with the
    versions it stands at, which may be newer than the debate's row read before it; a page
    stamped older than what it shows would be told of its own claims as news."""
    structure = lens.structure
    return Versions(structure.version[0], structure.tally_version, structure.newest_claim)


def session_digest(session_key: str | None) -> str:
    """What a ticket keeps of the session it was given in: a digest, never the key."""
    if not session_key:
        return ""
    return hashlib.sha256(f"{TICKET_SALT}:{session_key}".encode()).hexdigest()[:32]


def ticket_for(
    debate_id: int, *, user_id: int | None = None, session_key: str | None = None
) -> str:
    """A signed, timestamped proof that whoever holds it could read the debate: for a reader
    signed in, bound to them and to their session."""
    return signing.dumps([debate_id, user_id or 0, session_digest(session_key)], salt=TICKET_SALT)


def _ticket(ticket: str) -> tuple[int, int, str] | None:
    try:
        value = signing.loads(ticket, salt=TICKET_SALT, max_age=TICKET_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    if (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(part, int) for part in value[:2])
        and isinstance(value[2], str)
    ):
        return value[0], value[1], value[2]
    return None


def ticket_debate(ticket: str) -> int | None:
    """The debate a valid, unexpired ticket was given for, else None."""
    found = _ticket(ticket) if ticket else None
    return found[0] if found is not None else None


def ticket_admits(ticket: str, environ: MutableMapping[str, Any], slug: str) -> bool:
    """Whether the ticket still stands for the reader's right to read the debate, so an
    unchanged poll may answer 304 without the session: any valid ticket for a public or
    unlisted debate (anyone may read it); for a private one, only in the session it was given
    in, and while its reader still belongs to the debate."""
    found = _ticket(ticket) if ticket else None
    versions = selectors.debate_versions(slug, environ)
    if found is None or versions is None or found[0] != versions.id:
        return False
    if versions.visibility != Debate.Visibility.PRIVATE:
        return True
    debate_id, user_id, digest = found
    cookies = parse_cookie(environ.get("HTTP_COOKIE", ""))
    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    return (
        user_id != 0
        and digest != ""
        and hmac.compare_digest(digest, session_digest(session_key))
        and selectors.still_member(debate_id, user_id)
    )


@dataclass(frozen=True, slots=True)
class Summary:
    """What changed since a page, as its reader sees it."""

    new_claims: int
    new_votes: int
    other_changes: bool
    # Where the new claims stand: each one's ids from its thesis down, space-separated paths
    # of dot-joined ids (live.js unfolds a folded branch along one to reveal its claim).
    new_paths: str = ""

    def __bool__(self) -> bool:
        return bool(self.new_claims or self.new_votes or self.other_changes)

    @property
    def text(self) -> str:
        parts = []
        if self.new_claims:
            parts.append(
                ngettext("%d new claim", "%d new claims", self.new_claims) % self.new_claims
            )
        if self.new_votes:
            parts.append(ngettext("%d new vote", "%d new votes", self.new_votes) % self.new_votes)
        if not parts and self.other_changes:
            parts.append(gettext("Claims were edited or moved"))
        return ", ".join(parts)


def changes_since(
    lens: Lens, since: Versions, *, own_votes: int = 0, own_writes: int = 0
) -> Summary:
    """New claims the reader sees (not their own: they saw them as they wrote them), votes
    cast since (a vote bumps the tally version once) less the reader's own (`own_votes`, as
    live.js counted them), and whether anything else the reader sees moved (writes since
    that changed a claim they see, less their own `own_writes`)."""
    structure = lens.structure
    new = [
        claim_id
        for claim_id in lens.visible_ids
        if claim_id > since.newest_claim
        and (lens.user_id is None or structure.nodes[claim_id].author_id != lens.user_id)
    ]
    new_claims = len(new)
    paths = " ".join(
        ".".join(str(node.id) for node in structure.path_to(claim_id)) for claim_id in new[:20]
    )
    new_votes = max(0, lens.debate.tally_version - since.tally - own_votes)
    moved = False
    if lens.debate.structure_version > since.structure and not new_claims:
        moved = len(_seen_writes(lens, since.structure)) > own_writes
    return Summary(new_claims, new_votes, moved, paths)


def _seen_writes(lens: Lens, version: int) -> set[int]:
    """The structure versions after `version` whose writes changed something the reader
    sees. A write records the claim it changed and the claims at either end of its
    relations: a claim the reader cannot see (a suggestion waiting for approval) makes its
    parent "changed" too, though nothing on the reader's page is; so a version counts only
    for a claim the reader sees that is not merely the parent of an unseen one."""
    by_version: dict[int, set[int]] = {}
    for changed_in, claim_id in selectors.structure_changes_since(lens.debate.id, version):
        by_version.setdefault(changed_in, set()).add(claim_id)
    original = lens.structure.original
    seen: set[int] = set()
    for changed_in, claims in by_version.items():
        unseen = {c for c in claims if not lens.sees(c)}
        parents_of_unseen = {original[c].parent for c in unseen if c in original}
        if any(c not in unseen and c not in parents_of_unseen for c in claims):
            seen.add(changed_in)
    return seen
