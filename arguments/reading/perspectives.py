"""Perspectives: a debate's vote distributions and strengths as some voters voted, instead of
everyone: one participant, a group (a class section the owner defines), or a named
perspective that its creator votes as ("an economist").

A page asks for one with `?perspective=user:<id>`, `group:<id>`, `named:<id>` or
`opinion:<n>` (the n-th opinion group of the debate's opinion map, issue 33). The
perspective's tallies come from one grouped query over its voters' vote rows; DF-QuAD
(`scoring.strengths`) then runs on them over the structure every reader shares, giving a
`SeenAs` structure that the lens reads in place of everyone's: the tree, the focus page, the
map and "why?" all recolour, and nothing else changes. It is kept in this process's memory
per debate version, tally version and perspective version, like the structure itself.

Who may look through which: a named perspective is public to every reader of the debate (it
is a role someone plays, not a person); one participant's votes and a group's are for the
owner and moderators only (`Action.MANAGE_MEMBERS`, as the activity table), since a group
of one is a person. An opinion group is public like the opinion page: it is shown only with
`OpinionMap.MIN_GROUP` people or more, and its members are never named.
docs/ARCHITECTURE.md, "Perspectives".
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import connections, transaction
from django.db.models import BigIntegerField, Count, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from arguments import caches, replicas
from arguments.models import (
    Membership,
    OpinionMap,
    Perspective,
    PerspectiveStamp,
    PerspectiveStrength,
    Vote,
    tally_of,
)
from arguments.reading.pseudonyms import shown_name
from arguments.structure import first_screen, scoring, stored_strengths
from arguments.structure.graph import PUBLISHED, DebateStructure
from arguments.structure.loader import debate_structure, holds
from arguments.structure.snapshot import in_snapshot, snapshot

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.base import SessionBase
    from django.db.models import QuerySet

    from arguments.models import Debate

Tally = tuple[int, int, int, int, int]
NO_VOTES: Tally = (0, 0, 0, 0, 0)
KINDS = ("user", "group", "named", "opinion")
PARTICIPANTS_LISTED = 500  # the picker's participants (most recent voters first beyond that)
PARTICIPANTS_KEPT_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Viewpoint:
    """The perspective a page is seen through: whose votes count, and what to call it."""

    kind: str  # "user", "group", "named" or "opinion"
    id: int
    label: str
    # A group's or named perspective's `version` (0 for one participant); an opinion
    # group's: the tally version its map was computed from.
    version: int = 0
    voters: tuple[int, ...] = ()  # an opinion group's members (never shown)

    @property
    def key(self) -> str:
        """Its value in a URL's `perspective` parameter."""
        return f"{self.kind}:{self.id}"

    @property
    def describes(self) -> str:
        """How the page says whose votes it shows."""
        if self.kind == "user":
            return _("as %(name)s voted") % {"name": self.label}
        if self.kind == "group":
            return _("as the group %(name)s voted") % {"name": self.label}
        if self.kind == "opinion":
            return _("as opinion group %(name)s voted") % {"name": self.label}
        return _("as %(name)s") % {"name": self.label}


@dataclass
class SeenAs(DebateStructure):
    """A debate's structure with the base scores, strengths and tallies of one perspective;
    everything else is the shared structure's own (not copied)."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    # Seen from a slice: the same slice with everyone's strengths when those are current
    # (what the page's visitor lens reads to decide what a visitor sees); else None.
    everyones: DebateStructure | None = None


def parse(raw: str) -> tuple[str, int] | None:
    """(kind, id) from a `perspective` parameter; None when empty, BadRequest when garbled."""
    raw = raw.strip()
    if not raw or raw == "everyone":
        return None
    kind, _sep, number = raw.partition(":")
    if kind not in KINDS or not (number.isascii() and number.isdigit()) or len(number) > 18:
        raise BadRequest("perspective must be user:<id>, group:<id>, named:<id> or opinion:<n>.")
    return kind, int(number)


def viewpoint_for(debate: Debate, raw: str, *, may_see_voters: bool) -> Viewpoint | None:
    """The perspective a reader asked for: None for everyone's votes; a 400 when garbled, a
    404 when it is no perspective of this debate, a 403 when it shows people's votes the
    reader may not see (`may_see_voters`: they manage the debate's members). One query."""
    asked = parse(raw)
    if asked is None:
        return None
    kind, id_ = asked
    if kind == "opinion":
        return _opinion_group(debate, id_)
    if kind != "named" and not may_see_voters:
        raise PermissionDenied(_("Only the owner and moderators see how participants voted."))
    if kind == "user":
        user = participants_of(debate).filter(pk=id_).values_list("pk", "username").first()
        if user is None:
            raise Http404("No such participant in this debate.")
        return Viewpoint("user", user[0], shown_name(debate, *user))
    row = (
        Perspective.objects.filter(debate=debate, kind=kind, pk=id_)
        .values_list("name", "version")
        .first()
    )
    if row is None:
        raise Http404("No such perspective in this debate.")
    return Viewpoint(kind, id_, row[0], row[1])


def _opinion_group(debate: Debate, index: int) -> Viewpoint:
    """The opinion group `index` of the debate's stored opinion map, if it is shown (big
    enough); a 404 otherwise. One query."""
    stored = OpinionMap.objects.filter(debate=debate).values_list("result", "computed_from").first()
    groups = stored[0].get("groups", []) if stored else []
    if stored is None or index >= len(groups) or groups[index]["size"] < OpinionMap.MIN_GROUP:
        raise Http404("No such opinion group in this debate.")
    voters = tuple(user for user, _x, _y, group in stored[0]["dots"] if group == index)
    return Viewpoint("opinion", index, groups[index]["label"], stored[1] or 0, voters)


def viewpoint_now(viewpoint: Viewpoint) -> Viewpoint:
    """The same perspective at its current version (a vote cast as it, or a change of a
    group's members, moved it): one query, none for one participant's or an opinion
    group's (its members are those of the map the page was asked with)."""
    if viewpoint.kind in ("user", "opinion"):
        return viewpoint
    version = Perspective.objects.filter(pk=viewpoint.id).values_list("version", flat=True).first()
    return dataclasses.replace(viewpoint, version=version or 0)


def participants_of(debate: Debate) -> QuerySet[User]:
    """The debate's members and everyone who voted in it on their own behalf."""
    voters = Vote.objects.filter(
        Q(relation__debate=debate) | Q(thesis__debate=debate), perspective__isnull=True
    ).values("user_id")
    members = Membership.objects.filter(debate=debate).values("user_id")
    return get_user_model().objects.filter(Q(pk__in=voters) | Q(pk__in=members))


def tallies(
    debate: Debate, viewpoint: Viewpoint, *, of: DebateStructure | None = None
) -> dict[str, Tally]:
    """The perspective's vote histogram of every point voted on (`of` a slice: of its points
    only), keyed "r<relation id>" or "c<thesis id>" like a reader's votes: one grouped
    query."""
    if of is None:
        votes = Vote.objects.filter(Q(relation__debate=debate) | Q(thesis__debate=debate))
    else:
        relations = {e.id for edges in of.children.values() for e in edges}
        relations |= {e.id for edges in of.parents.values() for e in edges}
        relations |= {e.id for e in of.original.values()}
        votes = Vote.objects.filter(
            Q(relation_id__in=sorted(relations)) | Q(thesis_id__in=sorted(of.theses))
        )
    if viewpoint.kind == "named" and of is not None:
        # The perspective's column wrapped, so that no index serves it: given the column
        # itself, SQLite reads every vote the perspective cast (its index: a named
        # perspective votes on every point, 200,000 rows at 200,000 claims) and keeps the
        # slice's; wrapped, it reads the slice's points' votes by their own indexes.
        unindexed = Coalesce("perspective_id", Value(0, output_field=BigIntegerField()))
        votes = votes.alias(seen_as=unindexed).filter(seen_as=viewpoint.id)
    elif viewpoint.kind == "named":
        votes = votes.filter(perspective_id=viewpoint.id)
    elif viewpoint.kind == "group":
        members = Perspective.members.through.objects.filter(perspective_id=viewpoint.id)
        votes = votes.filter(perspective__isnull=True, user_id__in=members.values("user_id"))
    elif viewpoint.kind == "opinion":
        votes = votes.filter(perspective__isnull=True, user_id__in=viewpoint.voters)
    else:
        votes = votes.filter(perspective__isnull=True, user_id=viewpoint.id)
    counts: dict[str, list[int]] = {}
    rows = votes.order_by().values_list("relation_id", "thesis_id", "value").annotate(n=Count("id"))
    for relation_id, thesis_id, value, n in rows:
        key = f"r{relation_id}" if relation_id else f"c{thesis_id}"
        counts.setdefault(key, [0] * 5)[value] = n
    return {key: tally_of(tally) for key, tally in counts.items()}


def _bases(structure: DebateStructure, found: dict[str, Tally]) -> dict[int, float]:
    """Every published claim's base score from `found` tallies (the same rule as everyone's:
    a claim's base from its original place, or a thesis's own truth votes; no votes: the
    neutral 0.5)."""
    base: dict[int, float] = {}
    original = structure.original
    for node in structure.nodes.values():
        if node.status != PUBLISHED:
            continue
        edge = original.get(node.id)
        key = f"r{edge.id}" if edge else f"c{node.id}"
        base[node.id] = scoring.base_score(found.get(key, NO_VOTES))
    return base


def _seen(
    structure: DebateStructure,
    found: dict[str, Tally],
    base: dict[int, float],
    strength: dict[int, float],
) -> SeenAs:
    shared = {f.name: getattr(structure, f.name) for f in dataclasses.fields(DebateStructure)}
    seen = SeenAs(**shared | {"base": base, "strength": strength}, tallies=found)
    if "newest_claim" in structure.__dict__:  # a slice's: the whole debate's newest claim
        seen.__dict__["newest_claim"] = structure.__dict__["newest_claim"]
    return seen


def seen_as(structure: DebateStructure, found: dict[str, Tally]) -> SeenAs:
    """The structure with base scores from `found` tallies and DF-QuAD strengths over them."""
    base = _bases(structure, found)
    return _seen(structure, found, base, scoring.strengths(base, structure.strength_edges()))


# Kept per process like the structures (structure/loader.py): recomputed once per version of the
# debate's structure, its tallies, and the perspective (its votes, a group's members).
# Bounded by bytes (issue 35): a strength and a tally per claim, about 400 bytes a claim.
_SEEN = caches.Bounded(
    "perspectives", sizer=lambda seen: 400 * max(1, len(seen.strength)), default_mb=16
)
_SEEN_LOCK = threading.Lock()


def structure_seen_as(debate: Debate, structure: DebateStructure, viewpoint: Viewpoint) -> SeenAs:
    """The debate as the perspective voted: one query when this process has not computed it
    for these versions yet (and, when the stored strengths were behind, a store), none when
    it has."""
    key = (
        debate.pk,
        debate.created_at,
        structure.version,
        structure.tally_version,
        viewpoint.key,
        viewpoint.version,
    )
    with _SEEN_LOCK:
        held = _SEEN.fetch(key)
        if held is not None:
            return held
    stamp = _stamp_of(debate, viewpoint)
    with snapshot():  # a named perspective's version and the tallies it counts, together
        version = _version_of(viewpoint)
        found = tallies(debate, viewpoint)
    seen = seen_as(structure, found)
    with _SEEN_LOCK:
        _SEEN.keep(key, seen)
    scored_on = (
        structure.version[0],
        by_version(version) if version is not None else digest(found),
    )
    if stamp is None or stamp[1:3] != scored_on:
        store(debate.pk, viewpoint.key, *scored_on, seen.strength)
    return seen


def _version_of(viewpoint: Viewpoint) -> int | None:
    """A named perspective's version now (every vote cast as it moves it); None for the
    others, whose stored strengths are stamped with a digest of their tallies."""
    if viewpoint.kind != "named":
        return None
    return Perspective.objects.filter(pk=viewpoint.id).values_list("version", flat=True).first()


def forget_seen() -> None:
    """Drop every perspective this process holds (tests start from the database)."""
    with _SEEN_LOCK:
        _SEEN.clear()


# -- stored strengths through a perspective (issue 35) ---------------------------------------
#
# A worker that holds nothing of a debate shows its first screen, a focus page or a branch
# through a perspective from the same slice as everyone's (structure/first_screen.py), with
# the perspective's strengths as the last process that scored it stored them. They are
# DF-QuAD over the structure and the perspective's tallies and nothing else, so the stamp is
# the structure version and a digest of those tallies, read with the slice in one snapshot:
# the tallies are one grouped query over the perspective's own votes, what the page shows
# anyway. A named perspective's are stamped with its version instead (`by_version`: every
# vote cast as it moves it), so its slice reads the tallies of the slice's points only,
# however many points it voted on. Kept current by whoever scores the perspective on the
# whole structure (the first reader after a change: `structure_seen_as`); a stale stamp
# sends the reader there.


caches.register(
    "perspective strengths",
    kept=caches.Kept.DATABASE,
    key="`PerspectiveStrength` rows by perspective and claim, stamped (`PerspectiveStamp`) with "
    "the structure version and a digest of the perspective's tallies they were scored on",
    stale="the stamp differs from the debate's structure version or the digest of the "
    "perspective's tallies now: the reader loads the whole debate, and its scoring stores",
)


def digest(found: Mapping[str, Tally]) -> str:
    """A perspective's tallies in 32 hex digits: what its stored strengths were scored on."""
    return hashlib.blake2b(repr(sorted(found.items())).encode(), digest_size=16).hexdigest()


def by_version(version: int) -> str:
    """What a named perspective's stored strengths were scored on: its version, which every
    vote cast as it moves under the perspective's row lock (services/votes.py), so a reader
    compares one number instead of digesting every vote it cast (in the digest's column:
    never 32 hex digits)."""
    return f"version {version}"


def _stamp_of(debate: Debate, viewpoint: Viewpoint) -> tuple[int, int, str, int | None] | None:
    """(id, structure version, what they were scored on, a named perspective's version now)
    of the perspective's stored strengths: one query."""
    now = Perspective.objects.filter(pk=viewpoint.id, kind=Perspective.Kind.NAMED)
    return (
        PerspectiveStamp.objects.filter(debate=debate, key=viewpoint.key)
        .values_list(
            "pk",
            "structure_version",
            "tallies_digest",
            Subquery(now.values("version")[:1])
            if viewpoint.kind == "named"
            else Value(None, output_field=BigIntegerField()),
        )
        .first()
    )


_STAMPS = PerspectiveStamp._meta.db_table
_STRENGTHS = PerspectiveStrength._meta.db_table
_UPSERT_SQL = (
    f"INSERT INTO {_STRENGTHS} (stamp_id, claim_id, strength) VALUES (%s, %s, %s) "
    "ON CONFLICT (stamp_id, claim_id) DO UPDATE SET strength = excluded.strength"
)


def store(
    debate_id: int, key: str, structure_version: int, found: str, strength: Mapping[int, float]
) -> bool:
    """Store a perspective's strengths scored on `structure_version` and tallies whose
    digest is `found`, as the changes from what is stored, under the stamp's row lock (two
    stores of one perspective take turns); never over a newer structure version. Nothing
    inside a read-only snapshot. True when it stored."""
    if in_snapshot():
        return False
    with transaction.atomic(), connections["default"].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_STAMPS} (debate_id, key, structure_version, tallies_digest) "
            "VALUES (%s, %s, 0, '') ON CONFLICT (debate_id, key) DO NOTHING",
            [debate_id, key],
        )
        stamp_id, version, stored_digest = (
            PerspectiveStamp.objects.select_for_update()
            .filter(debate_id=debate_id, key=key)
            .values_list("pk", "structure_version", "tallies_digest")
            .get()
        )
        if version > structure_version or (version, stored_digest) == (structure_version, found):
            return False
        stored: dict[int, float] = {}
        if stored_digest:  # never stored: no rows yet
            stored = dict(
                PerspectiveStrength.objects.filter(stamp_id=stamp_id).values_list(
                    "claim_id", "strength"
                )
            )
        gone = [claim_id for claim_id in stored if claim_id not in strength]
        if gone:
            PerspectiveStrength.objects.filter(stamp_id=stamp_id, claim_id__in=gone).delete()
        changes = [
            (stamp_id, claim_id, value)
            for claim_id, value in strength.items()
            if stored.get(claim_id) != value
        ]
        if changes:
            cursor.executemany(_UPSERT_SQL, changes)
        PerspectiveStamp.objects.filter(pk=stamp_id).update(
            structure_version=structure_version, tallies_digest=found
        )
    return True


def structure_for(debate: Debate, viewpoint: Viewpoint, *, around: int | None = None) -> SeenAs:
    """What the debate page's first screen (or, `around` a claim, its focus page or branch)
    through a perspective is rendered from: the whole structure seen as it when this process
    holds the debate or the stored strengths are behind; else the slice (first_screen.py) with
    the perspective's stored strengths. Both give the same page."""
    if not holds(debate):
        with snapshot():
            sliced = _sliced(debate, viewpoint, around)
        if sliced is not None:
            return sliced
    return structure_seen_as(debate, debate_structure(debate), viewpoint)


def _sliced(debate: Debate, viewpoint: Viewpoint, around: int | None) -> SeenAs | None:
    """The slice seen as the perspective, from one snapshot: the stamp, the tallies, the
    slice, the strengths of its claims (four queries more than everyone's slice); None when
    the stamp is not the debate's structure version and the tallies' digest, or the slice
    would be too big."""
    stamp = _stamp_of(debate, viewpoint)
    if stamp is None:
        return None
    if viewpoint.kind == "named":
        # Stamped with its version: the tallies of the slice's points only.
        if stamp[3] is None or stamp[2] != by_version(stamp[3]):
            return None
        structure = first_screen.load(debate, around=around)
        if structure is None or structure.version[0] != stamp[1]:
            return None
        found = tallies(debate, viewpoint, of=structure)
    else:
        found = tallies(debate, viewpoint)
        if stamp[2] != digest(found):
            return None
        structure = first_screen.load(debate, around=around)
        if structure is None or structure.version[0] != stamp[1]:
            return None
    ids = sorted(structure.nodes) or [0]
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(
            f"SELECT claim_id, strength FROM {_STRENGTHS} WHERE stamp_id = %s "
            f"AND claim_id IN ({', '.join(['%s'] * len(ids))})",
            [stamp[0], *ids],
        )
        strength = dict(cursor.fetchall())
    seen = _seen(structure, found, _bases(structure, found), strength)
    if stored_strengths.current(debate):
        seen.everyones = structure
    return seen


caches.register(
    "perspectives",
    kept=caches.Kept.PROCESS,
    key="the debate's id and creation time, the structure and tally versions it was computed "
    "on, the perspective and its version",
    stale="any of those moves: a write, anyone's vote, a group's members set anew",
    forget=forget_seen,
    holds=_SEEN,
)


# -- voting as a named perspective --------------------------------------------------------


def _session_key(debate: Debate) -> str:
    return f"voting-as-{debate.pk}"


def voting_as(session: SessionBase, debate: Debate, user_id: int) -> Perspective | None:
    """The named perspective the reader chose to vote as in this debate (kept in their
    session), if they still may: one query, none when they vote as themselves."""
    chosen = session.get(_session_key(debate))
    if chosen is None:
        return None
    perspective = Perspective.objects.filter(
        pk=chosen, debate=debate, kind=Perspective.Kind.NAMED, created_by_id=user_id
    ).first()
    if perspective is None:
        session.pop(_session_key(debate), None)
    return perspective


def choose_voting_as(session: SessionBase, debate: Debate, perspective: Perspective | None) -> None:
    """Vote as `perspective` (one the reader created) from now on, or as themselves."""
    if perspective is None:
        session.pop(_session_key(debate), None)
    else:
        session[_session_key(debate)] = perspective.pk
