"""Plain reads: one row or one list of rows, with what a page needs of them in the same
query. A debate's whole structure is not read here but by `arguments.structure`.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from datetime import UTC, datetime
from itertools import pairwise
from typing import TYPE_CHECKING, Any, NamedTuple, TypedDict

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from lti_tool.models import Key, LtiRegistration

from arguments import replicas
from arguments.models import (
    AccessToken,
    ActivityStamp,
    Annotation,
    Citation,
    Claim,
    CourseActivity,
    Debate,
    Flag,
    ImportJob,
    Membership,
    ParticipantActivity,
    Perspective,
    Profile,
    Relation,
    Role,
    ScoreReport,
    ShareLink,
    SiteWrites,
    StructureChange,
    Task,
    Team,
    Vote,
    WriteRequest,
)

if TYPE_CHECKING:
    from uuid import UUID

    from django.contrib.auth.models import AnonymousUser, User
    from django_stubs_ext import WithAnnotations

    AnyUser = User | AnonymousUser


# The reader's role in the debate of the outer query (`debate_by_slug`), None when none.
READER_ROLE_SQL = (
    f"SELECT m.role FROM {Membership._meta.db_table} m "
    f"WHERE m.debate_id = {Debate._meta.db_table}.id AND m.user_id = %s"
)


def debate_by_slug(slug: str, *, reader: AnyUser | None = None) -> Debate | None:
    """The debate with this slug, with its owner; None when there is none. With a signed-in
    `reader`, their membership's role comes in the same query, remembered where `role_in`
    looks first (a query less on every signed-in page)."""
    debates = Debate.objects.select_related("owner")
    try:
        if reader is None or not reader.is_authenticated:
            return debates.get(slug=slug)
        # Plain SQL: the queryset's `Subquery` cost as much to compile as the rest of the
        # query, and joined the debate again for the membership's default ordering.
        role = RawSQL(READER_ROLE_SQL, [reader.pk])
        debate = debates.annotate(reader_role=role).get(slug=slug)
    except Debate.DoesNotExist:
        return None
    debate.__dict__.setdefault("_membership_roles", {})[reader.pk] = debate.reader_role
    return debate


def debate_by_id(debate_id: int) -> Debate | None:
    """The debate's row as it stands now, or None."""
    return Debate.objects.filter(pk=debate_id).first()


class DebateVersions(NamedTuple):
    """What the debate's stores are keyed by (arguments/caches.py), as one read gives it. A
    tuple: it is made on every visitor's page and idle poll, the hottest paths there are."""

    id: int
    structure: int  # `structure_version`: every write that changes what the tree shows
    tally: int  # `tally_version`: every vote
    # The row's last save (a settings change), as the driver gives it (`epoch_seconds`
    # compares it with a model's): only a visitor's page asks for it.
    updated_at: datetime | str
    visibility: str  # a private debate's poll ticket is checked against its members


# Plain SQL: compiling the equivalent queryset took a third of an unchanged poll's time.
VERSIONS_SQL = (
    "SELECT id, structure_version, tally_version, updated_at, visibility "
    f"FROM {Debate._meta.db_table} WHERE slug = %s"
)
# Whether a user still belongs to a debate (its owner or a member): one indexed read.
MEMBER_SQL = (
    f"SELECT 1 FROM {Debate._meta.db_table} WHERE id = %s AND owner_id = %s "
    f"UNION ALL SELECT 1 FROM {Membership._meta.db_table} WHERE debate_id = %s AND user_id = %s"
)
# Where a request keeps the versions it read: its WSGI environ, which Django's request.META
# is, so what the poll shortcut read before Django serves the view too.
VERSIONS_READ = "arguments.debate_versions"


def debate_versions(slug: str, environ: MutableMapping[str, Any]) -> DebateVersions | None:
    """The debate's id and versions, read once per request: one indexed query the first time
    the request (`environ`) asks, none after (what it read then: a request that writes asks
    nothing after its write); None when there is no such debate."""
    read = environ.get(VERSIONS_READ)
    if read is not None and read[0] == slug:
        return read[1]
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(VERSIONS_SQL, [slug])
        row = cursor.fetchone()
    found = None if row is None else DebateVersions(*row)
    environ[VERSIONS_READ] = (slug, found)
    return found


class MemberReading(NamedTuple):
    """What a member's kept page is checked against (arguments/views/member_pages.py)."""

    versions: DebateVersions
    password: str  # the stored hash: the session's auth hash is made from it
    is_active: bool
    writes: int  # the site's write count (`SiteWrites`), votes aside
    tallies: int  # the site's count of votes' writes (`SiteWrites.tallies`)
    session_data: str | None  # the session's row as it stands, when asked (None: ended)


_USERS = get_user_model()._meta
WRITES_SQL = f"SELECT COALESCE(SUM(writes), 0) FROM {SiteWrites._meta.db_table}"
TALLIES_SQL = f"SELECT COALESCE(SUM(tallies), 0) FROM {SiteWrites._meta.db_table}"
COUNTS_SQL = (
    f"SELECT COALESCE(SUM(writes), 0), COALESCE(SUM(tallies), 0) FROM {SiteWrites._meta.db_table}"
)
_SESSION_DATA = (
    f"(SELECT session_data FROM {Session._meta.db_table} "
    "WHERE session_key = %s AND expire_date > %s)"
)
_MEMBER_READING = (
    "SELECT d.id, d.structure_version, d.tally_version, d.updated_at, d.visibility, "
    f"u.password, u.is_active, ({WRITES_SQL}), {{session}}, ({TALLIES_SQL}) "
    f"FROM {Debate._meta.db_table} d, {_USERS.db_table} u "
    f"WHERE d.slug = %s AND u.{_USERS.pk.column} = %s"
)
MEMBER_READING_SQL = _MEMBER_READING.format(session="NULL")
MEMBER_READING_WITH_SESSION_SQL = _MEMBER_READING.format(session=_SESSION_DATA)


def member_reading(
    slug: str, user_id: int, environ: MutableMapping[str, Any], *, session_key: str = ""
) -> MemberReading | None:
    """The debate's versions (kept in `environ` as `debate_versions` keeps them), the user's
    password hash and activity, the site's write count and, given its key, the session's
    row in the database: one indexed query. None when there is no such debate or user."""
    with connections[replicas.reads_from()].cursor() as cursor:
        if session_key:
            params: list[Any] = [session_key, timezone.now(), slug, user_id]
            cursor.execute(MEMBER_READING_WITH_SESSION_SQL, params)
        else:
            cursor.execute(MEMBER_READING_SQL, [slug, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    versions = DebateVersions(*row[:5])
    environ[VERSIONS_READ] = (slug, versions)
    return MemberReading(versions, row[5], bool(row[6]), int(row[7]), int(row[9]), row[8])


def site_writes() -> int:
    """The site's write count now (`SiteWrites`), votes aside."""
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(WRITES_SQL)
        return int(cursor.fetchone()[0])


def site_counts() -> tuple[int, int]:
    """The site's write count and its count of votes' writes now (`SiteWrites`)."""
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(COUNTS_SQL)
        writes, tallies = cursor.fetchone()
        return int(writes), int(tallies)


VERSIONS_AND_COUNTS_SQL = (
    "SELECT id, structure_version, tally_version, updated_at, visibility, "
    f"({WRITES_SQL}), ({TALLIES_SQL}) FROM {Debate._meta.db_table} WHERE slug = %s"
)


def debate_versions_and_counts(
    slug: str, environ: MutableMapping[str, Any]
) -> tuple[DebateVersions, int, int] | None:
    """The debate's versions (kept in `environ` as `debate_versions` keeps them) and the
    site's write counts, in one indexed query (arguments/views/kept_reads.py); None when
    there is no such debate."""
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(VERSIONS_AND_COUNTS_SQL, [slug])
        row = cursor.fetchone()
    if row is None:
        return None
    versions = DebateVersions(*row[:5])
    environ[VERSIONS_READ] = (slug, versions)
    return versions, int(row[5]), int(row[6])


def own_votes_on(user_id: int, relations: Sequence[int], theses: Sequence[int]) -> dict[str, int]:
    """The user's own votes (not as a perspective) on these points, keyed as `my_votes`
    keys them: one indexed query (plain SQL: a member's kept page asks it before Django)."""
    if not relations and not theses:
        return {}
    places = []
    params: list[int] = [user_id]
    if relations:
        places.append(f"relation_id IN ({', '.join(['%s'] * len(relations))})")
        params.extend(relations)
    if theses:
        places.append(f"thesis_id IN ({', '.join(['%s'] * len(theses))})")
        params.extend(theses)
    sql = (
        f"SELECT relation_id, thesis_id, value FROM {Vote._meta.db_table} "
        f"WHERE user_id = %s AND perspective_id IS NULL AND ({' OR '.join(places)})"
    )
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        (f"r{relation}" if relation else f"c{thesis}"): int(value)
        for relation, thesis, value in rows
    }


class Likeness(NamedTuple):
    """What a member's page may show of its reader beyond their votes, when nothing else
    points at them (`reader_likeness`): readers with equal likenesses see one page."""

    role: str | None  # their membership's role in the debate, None: the debate's default
    is_staff: bool
    is_superuser: bool


class AlikeReading(NamedTuple):
    likeness: Likeness | None  # None: some row of theirs may show
    username: str
    writes: int  # the site's write count, read in the same statement


def likeness_statement(owned: Sequence[tuple[str, str]]) -> str:
    """The statement `reader_likeness` asks. `owned`: every (table, column) whose rows point
    at a user and may change a page; a reader with any such row has no likeness."""
    rows = " OR ".join(
        f"EXISTS (SELECT 1 FROM {table} WHERE {column} = u.{_USERS.pk.column})"
        for table, column in owned
    )
    return (
        f"SELECT u.username, u.is_staff, u.is_superuser, ({rows or 'FALSE'}), "
        f"(SELECT m.role FROM {Membership._meta.db_table} m "
        f"WHERE m.debate_id = %s AND m.user_id = u.{_USERS.pk.column}), ({WRITES_SQL}) "
        f"FROM {_USERS.db_table} u WHERE u.{_USERS.pk.column} = %s"
    )


def reader_likeness(debate_id: int, user_id: int, sql: str) -> AlikeReading | None:
    """The reader's likeness in the debate, their name and the site's write count: one
    statement of indexed reads (`likeness_statement`). None: no such user."""
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(sql, [debate_id, user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    username, is_staff, is_superuser, owns, role, writes = row
    likeness = None if owns else Likeness(role, bool(is_staff), bool(is_superuser))
    return AlikeReading(likeness, username, int(writes))


def still_member(debate_id: int, user_id: int) -> bool:
    """Whether the user owns the debate or holds a membership in it now (plain SQL: the
    poll shortcut asks it before Django, for a private debate's unchanged poll)."""
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(MEMBER_SQL, [debate_id, user_id, debate_id, user_id])
        return cursor.fetchone() is not None


def epoch_seconds(moment: datetime | str) -> float:
    """A stored time as seconds since the epoch, however the database driver gave it."""
    if isinstance(moment, str):  # SQLite, read without the model's converters
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:  # stored in UTC (USE_TZ)
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def debates_to_pick() -> list[Debate]:
    """Public debates by title, for an instructor choosing one for a course."""
    return list(Debate.objects.listed().order_by("title")[:200])


def claim_in(debate: Debate, claim_id: int) -> Claim | None:
    """One claim of the debate (its `debate` set, so services ask no query for it)."""
    claim = Claim.objects.filter(pk=claim_id, debate=debate).first()
    if claim is not None:
        claim.debate = debate
    return claim


def note_in(debate: Debate, note_id: int) -> Annotation | None:
    """A published annotation on a claim of the debate, with its claim."""
    note = (
        Annotation.objects.select_related("claim")
        .filter(pk=note_id, claim__debate=debate, status=Annotation.Status.PUBLISHED)
        .first()
    )
    if note is not None:
        note.claim.debate = debate
    return note


def flag_in(debate: Debate, flag_id: int) -> Flag | None:
    """A flag on a claim of the debate, or on a note on one, with what it flags."""
    flag = (
        Flag.objects.select_related("claim", "annotation__claim")
        .filter(Q(claim__debate=debate) | Q(annotation__claim__debate=debate), pk=flag_id)
        .first()
    )
    if flag is not None:
        flag.flagged_claim.debate = debate
    return flag


def vote_point(debate: Debate, claim_id: int, relation_id: int | None) -> Relation | Claim | None:
    """The point voted on: the given place of the claim, its original place, or the thesis
    itself; one query (a relation comes with its claim)."""
    places = Relation.objects.select_related("child").filter(child_id=claim_id, debate=debate)
    if relation_id is not None:
        point: Relation | Claim | None = places.active().filter(pk=relation_id).first()
    else:
        point = places.originals().first() or (
            Claim.objects.theses().filter(pk=claim_id, debate=debate).first()
        )
    if point is not None:
        (point.child if isinstance(point, Relation) else point).debate = debate
    return point


def course_activities_of(debate: Debate) -> list[CourseActivity]:
    """The LMS course links of a debate, with their courses and the scores sent (settings)."""
    return list(
        CourseActivity.objects.filter(debate=debate)
        .select_related("resource_link__context")
        .prefetch_related(
            Prefetch(
                "scores", ScoreReport.objects.select_related("user").order_by("user__username")
            )
        )
    )


def course_activity_of(debate: Debate, activity_id: int) -> CourseActivity | None:
    return (
        CourseActivity.objects.filter(debate=debate, pk=activity_id)
        .select_related("debate", "resource_link__context__deployment__registration")
        .first()
    )


def members_of(debate: Debate) -> list[Membership]:
    return list(Membership.objects.filter(debate=debate).select_related("user").order_by("id"))


def membership_of(debate: Debate, user_id: int) -> Membership | None:
    membership = (
        Membership.objects.select_related("user").filter(debate=debate, user_id=user_id).first()
    )
    if membership is not None:
        membership.debate = debate
    return membership


def pending_claims(debate: Debate, *, limit: int) -> list[Claim]:
    """Suggestions awaiting approval, oldest first."""
    return list(
        Claim.objects.filter(debate=debate, status=Claim.Status.PENDING)
        .select_related("author")
        .order_by("created_at")[:limit]
    )


def open_flag_count(debate: Debate) -> int:
    return Flag.objects.filter(
        Q(claim__debate=debate) | Q(annotation__claim__debate=debate), status=Flag.Status.OPEN
    ).count()


def debates_of(user: User) -> list[Debate]:
    """The debates a user owns or is a member of."""
    return list(Debate.objects.filter(Q(owner=user) | Q(memberships__user=user)).distinct())


def claims_by(user: User, *, limit: int = 100) -> list[Claim]:
    """A user's latest claims (not the deleted ones), with their debates."""
    return list(
        Claim.objects.filter(author=user)
        .exclude(status=Claim.Status.DELETED)
        .select_related("debate")
        .order_by("-created_at")[:limit]
    )


def my_votes(
    user: AnyUser, debate: Debate, *, perspective: Perspective | None = None
) -> dict[str, int]:
    """The reader's votes in the debate, keyed "r<relation id>" and "c<thesis id>": their own,
    or those they cast as a named `perspective`; one query."""
    if not user.is_authenticated:
        return {}
    # Two parts, each by the partial index of its kind of vote (the voter's own, or as a
    # perspective; on relations, or on theses): as one OR, the database walked every vote of
    # the user, those cast as a perspective on every point of a debate too (23 ms at 200,000).
    mine = Vote.objects.filter(user=user, perspective=perspective)
    rows = (
        mine.filter(relation__isnull=False, relation__debate=debate)
        .values_list("relation_id", "thesis_id", "value")
        .union(
            mine.filter(thesis__isnull=False, thesis__debate=debate).values_list(
                "relation_id", "thesis_id", "value"
            ),
            all=True,
        )
    )
    return {
        (f"r{relation}" if relation else f"c{thesis}"): value for relation, thesis, value in rows
    }


def public_annotations(debate: Debate) -> list[Annotation]:
    """Published public annotations on published claims, for export; one query."""
    return list(
        Annotation.objects.filter(
            claim__debate=debate,
            claim__status=Claim.Status.PUBLISHED,
            status=Annotation.Status.PUBLISHED,
            visibility=Annotation.Visibility.PUBLIC,
        )
        .select_related("author")
        .order_by("id")
    )


def user_by_id(user_id: int) -> User | None:
    """The account with this id, or None."""
    return get_user_model().objects.filter(pk=user_id).first()


def user_named(username: str) -> User | None:
    """The account with this username, whatever its case, or None."""
    return get_user_model().objects.filter(username__iexact=username).first()


def claims_in_by(debate: Debate, author: User, *, limit: int = 200) -> list[Claim]:
    """The author's claims in the debate in every state, newest first."""
    return list(Claim.objects.filter(debate=debate, author=author).order_by("-created_at")[:limit])


def citations_in_by(debate: Debate, user: User, *, limit: int = 200) -> list[Citation]:
    """The citations a user added to claims of the debate, newest first, with their sources
    and claims."""
    return list(
        Citation.objects.filter(claim__debate=debate, added_by=user)
        .select_related("source", "claim")
        .order_by("-created_at")[:limit]
    )


def notes_in_by(debate: Debate, author: User, *, limit: int = 200) -> list[Annotation]:
    """The author's annotations on claims of the debate in every state, newest first, with
    their claims."""
    return list(
        Annotation.objects.filter(claim__debate=debate, author=author)
        .select_related("claim")
        .order_by("-created_at")[:limit]
    )


def perspective_in(debate: Debate, perspective_id: int, *, kind: str) -> Perspective | None:
    """A perspective of the debate of this kind (named or group), its `debate` set."""
    perspective = Perspective.objects.filter(pk=perspective_id, debate=debate, kind=kind).first()
    if perspective is not None:
        perspective.debate = debate
    return perspective


def groups_of(debate: Debate) -> list[Perspective]:
    """The debate's groups by name, with their members; two queries."""
    return list(
        Perspective.objects.filter(debate=debate, kind=Perspective.Kind.GROUP)
        .prefetch_related("members")
        .order_by("name")
    )


def named_perspectives_of(debate: Debate) -> list[Perspective]:
    """The debate's named perspectives by name."""
    return list(
        Perspective.objects.filter(debate=debate, kind=Perspective.Kind.NAMED).order_by("name")
    )


class LinkFigures(TypedDict):
    account_count: int
    maker_role: str | None


def share_links_of(debate: Debate) -> list[WithAnnotations[ShareLink, LinkFigures]]:
    """The debate's share links, newest first, each with its maker, the maker's role in the
    debate now (`maker_role`, None when not a member) and its count of accounts made through
    it (`account_count`); one query however many links and accounts."""
    maker_role = Membership.objects.filter(
        debate=OuterRef("debate"), user=OuterRef("created_by")
    ).values("role")[:1]
    return list(
        ShareLink.objects.filter(debate=debate)
        .select_related("created_by")
        .annotate(account_count=Count("accounts"), maker_role=Subquery(maker_role))
    )


def share_link_in(debate: Debate, link_id: int) -> ShareLink | None:
    """One share link of the debate (its `debate` set)."""
    link = ShareLink.objects.filter(debate=debate, pk=link_id).first()
    if link is not None:
        link.debate = debate
    return link


def share_link_by_token(token: str) -> ShareLink | None:
    """The share link a token opens, with its debate."""
    return ShareLink.objects.select_related("debate").filter(token=token).first()


def import_job_of(owner: User, job_id: UUID) -> ImportJob | None:
    """One of the owner's imports, with the debate it made."""
    return ImportJob.objects.filter(pk=job_id, owner=owner).select_related("debate").first()


def lti_registration(uuid: object) -> LtiRegistration | None:
    """An active LTI platform registration by the UUID in our tool's URL."""
    return LtiRegistration.objects.active().filter(uuid=uuid).first()


def lti_tool_jwks() -> dict[str, object]:
    """Our public keys as a JSON Web Key Set."""
    return Key.objects.as_jwks()


class QueueState(NamedTuple):
    """The task queue as a readiness check sees it."""

    ready: int  # tasks waiting for a worker now
    oldest_ready_seconds: float | None  # how long the oldest of them has waited


def database_answers() -> bool:
    """Whether the database answers a trivial query (the health check): the primary."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def queue_state() -> QueueState:
    """How many tasks wait for a worker and for how long (one query)."""
    counted = DBTaskResult.objects.ready().aggregate(n=Count("pk"), oldest=Min("enqueued_at"))
    oldest = counted["oldest"]
    waited = (timezone.now() - oldest).total_seconds() if oldest is not None else None
    return QueueState(counted["n"], waited)


class SettingChange(NamedTuple):
    """One setting of a debate changed, as its history tells it."""

    at: datetime
    user_id: int | None
    username: str
    field: str
    value: Any


# The settings a participant notices (who may reach the debate, what they may do there).
ANNOUNCED_SETTINGS = (
    "title",
    "visibility",
    "default_role",
    "requires_approval",
    "hide_votes_until_voted",
    "voting_enabled",
    "annotations_enabled",
    "status",
)


def debate_setting_changes(debate: Debate, *, limit: int = 100) -> list[SettingChange]:
    """The debate's announced settings as they changed, newest first: its latest `limit`
    history rows (one query), each compared with the one before it. simple_history's manager
    is untyped (`services/guards.history_of` is its typed door; selectors sit below it)."""
    history = Debate.history  # added by simple_history (django-stubs do not know it)
    rows = list(
        history.filter(id=debate.pk)
        .order_by("-history_date", "-history_id")
        .values("history_date", "history_user_id", "history_user__username", *ANNOUNCED_SETTINGS)[
            : limit + 1
        ]
    )
    changes: list[SettingChange] = []
    for newer, older in pairwise(rows):
        for name in ANNOUNCED_SETTINGS:
            if newer[name] != older[name]:
                changes.append(
                    SettingChange(
                        newer["history_date"],
                        newer["history_user_id"],
                        newer["history_user__username"] or "",
                        name,
                        newer[name],
                    )
                )
    return changes


def open_flags_of(debate: Debate, *, claim_id: int | None = None, limit: int = 100) -> list[Flag]:
    """The debate's open flags (on one claim, or on a note on it, when `claim_id` is given),
    oldest first with review requests first: the queue a moderator works through. One query."""
    flags = Flag.objects.filter(
        Q(claim__debate=debate) | Q(annotation__claim__debate=debate), status=Flag.Status.OPEN
    )
    if claim_id is not None:
        flags = flags.filter(Q(claim_id=claim_id) | Q(annotation__claim_id=claim_id))
    rows = list(
        flags.select_related("claim", "annotation__claim", "reporter", "duplicate_of")
        # Review requests first (NULLs sort differently on SQLite and PostgreSQL: say it).
        .order_by(F("review_requested_at").asc(nulls_last=True), "created_at")[:limit]
    )
    for flag in rows:
        flag.flagged_claim.debate = debate
    return rows


def moderated_debate_ids(user: AnyUser) -> list[int]:
    """The debates a user keeps order in, as `permissions.role_in` decides (owner or
    moderator; site staff: every debate), archived ones only for staff. One query."""
    if not user.is_authenticated:
        return []
    debates = Debate.objects.all()
    if not user.is_staff:
        roles = [Role.OWNER, Role.MODERATOR]
        debates = debates.filter(
            Q(owner=user) | Q(memberships__user=user, memberships__role__in=roles),
            archived_at__isnull=True,
        )
    return list(debates.order_by("pk").values_list("pk", flat=True).distinct())


def structure_changes_since(debate_id: int, version: int) -> list[tuple[int, int]]:
    """The claims writes changed after the debate's structure `version`: (version, claim id)
    pairs, one indexed query (the live notice asks whether the reader sees any of them)."""
    rows = StructureChange.objects.filter(debate_id=debate_id, version__gt=version)
    return list(rows.values_list("version", "claim_id").order_by("version")[:5000])


def claims_changed_since(debate_id: int, version: int) -> list[int]:
    """The claims writes changed after the debate's structure `version`, by id, each once
    (a stored derived copy's catch-up: gap places, claims with no place)."""
    rows = StructureChange.objects.filter(debate_id=debate_id, version__gt=version)
    return sorted(set(rows.values_list("claim_id", flat=True)))


def tokens_of(user: User) -> list[AccessToken]:
    """A user's API tokens, newest first, the revoked ones too (so they can tell which went)."""
    return list(AccessToken.objects.filter(user=user))


def token_by_digest(digest: str) -> AccessToken | None:
    """The live token with this digest, with its owner (one query per API request)."""
    return (
        AccessToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def write_requests_of(debate: Debate) -> list[WriteRequest]:
    """A debate's requests to write, waiting ones first, newest first, with their askers."""
    return sorted(
        WriteRequest.objects.filter(debate=debate).select_related("user", "decided_by")[:200],
        key=lambda r: r.status != WriteRequest.Status.OPEN,
    )


def write_request_in(debate: Debate, request_id: int) -> WriteRequest | None:
    """One request to write of this debate, or None."""
    return (
        WriteRequest.objects.filter(debate=debate, pk=request_id).select_related("debate").first()
    )


def task_in(debate: Debate, task_id: int) -> Task | None:
    """One task of this debate that is not removed, or None."""
    return Task.objects.filter(debate=debate, pk=task_id, removed_at__isnull=True).first()


def teams_of(debate: Debate) -> list[tuple[Team, int, datetime | None]]:
    """A template debate's teams with their members and copies, each with its copy's
    published claims and when the last was written, and its open join links (`open_links`):
    four queries."""
    teams = list(
        Team.objects.filter(template=debate)
        .select_related("copy")
        .prefetch_related(
            Prefetch("members", get_user_model().objects.order_by("username")),
            Prefetch(
                "share_links",
                ShareLink.objects.filter(is_active=True, revoked_at__isnull=True),
                to_attr="open_links",
            ),
        )
    )
    copies = [team.copy_id for team in teams if team.copy_id is not None]
    figures = {
        debate_id: (n, last)
        for debate_id, n, last in Claim.objects.filter(
            debate_id__in=copies, status=Claim.Status.PUBLISHED
        )
        .values_list("debate_id")
        .annotate(n=Count("id"), last=Max("created_at"))
        .values_list("debate_id", "n", "last")
    }
    return [(team, *figures.get(team.copy_id or 0, (0, None))) for team in teams]


def team_in(debate: Debate, raw_id: str) -> Team | None:
    """The debate's team by its id as a form sent it (None when garbled or another
    debate's)."""
    if not (raw_id.isascii() and raw_id.isdigit()) or len(raw_id) > 18:
        return None
    return Team.objects.filter(template=debate, pk=int(raw_id)).first()


def takes_part(debate: Debate, user: User) -> bool:
    """Whether someone is in the debate's class list: a member, or one who wrote, cited,
    voted or annotated there, counted as `reading.activity.activity_of` counts its rows (a
    signed-in stranger is not), without building the whole table."""
    published = Claim.Status.PUBLISHED
    return (
        Membership.objects.filter(debate=debate, user=user).exists()
        or Claim.objects.filter(debate=debate, author=user, status=published).exists()
        or Citation.objects.filter(
            claim__debate=debate, claim__status=published, added_by=user
        ).exists()
        or Vote.objects.filter(
            Q(relation__debate=debate) | Q(thesis__debate=debate), user=user
        ).exists()
        or Annotation.objects.filter(
            claim__debate=debate, author=user, status=Annotation.Status.PUBLISHED
        ).exists()
    )


def member_language(user_id: int) -> str:
    """The interface language a member keeps in their profile ("" when none)."""
    found = Profile.objects.filter(user_id=user_id).values_list("language", flat=True).first()
    return found or ""


def member_languages(user_ids: list[int]) -> dict[int, str]:
    """The interface languages members keep in their profiles, by user id (those who chose
    one): what their notices and digests are written in. One query, none for no one."""
    if not user_ids:
        return {}
    return dict(
        Profile.objects.filter(user_id__in=user_ids)
        .exclude(language="")
        .values_list("user_id", "language")
    )


def participants_counted(debate: Debate, limit: int) -> list[tuple[int, str]] | None:
    """(id, username) of the debate's members and own voters (`perspectives.participants_of`),
    by username, at most `limit`, found through the stored activity counts: a row a
    participant, not a read of every vote. None when the counts are behind the debate's votes
    (its activity stamp's tally version is not the debate's). Two queries."""
    tally = Debate.objects.filter(pk=debate.pk).values("tally_version")[:1]
    if not ActivityStamp.objects.filter(debate_id=debate.pk, tally_version=tally).exists():
        return None
    # While the stamp's tally is current, every own voter has a row with votes (which also
    # counts votes as a named perspective: hence each one's own vote looked up, by their
    # index, stopping at the first).
    own = Vote.objects.filter(user_id=OuterRef("user_id"), perspective__isnull=True)
    voted = Exists(own.filter(relation__debate=debate)) | Exists(own.filter(thesis__debate=debate))
    voters = ParticipantActivity.objects.filter(voted, debate=debate, votes__gt=0)
    members = Membership.objects.filter(debate=debate).values("user_id")
    found = get_user_model().objects.filter(Q(pk__in=voters.values("user_id")) | Q(pk__in=members))
    return list(found.order_by("username").values_list("pk", "username")[:limit])
