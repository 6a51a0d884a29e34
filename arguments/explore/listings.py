"""Which debates Explore and the home page list, and in what order.

- **Featured**: chosen by site staff in the admin (`Debate.featured`).
- **Active**: most recent activity first. `Debate.updated_at` moves with every write and
  every vote (`bump_version`, `vote_cast`), so it is the debate's last activity at no cost.
- **New**: most recently started first.
- **Popular**: most participants (people who wrote a published claim), then most votes (the
  tallies of its points), so a few people voting often do not outrank a crowd.

A reader is listed the debates they may read and that are meant to be found: public ones, and
unlisted or private ones only when they own or belong to them (`search.readable_debates`).
Each list is cut (`ROWS`) and read a page at a time: the page's ids through an index on its
order (migration 0029), then the claim counts of those rows alone (subqueries on indexed
foreign keys). Participants and votes are stored on the debate's row, stamped with the
versions they were counted at, and counted again by the next listing that finds them stale
(`count_stale`): "Popular" orders every debate the reader may find by them, which counted
live read every claim and relation of the site on each request (issue 35). So a list costs
a fixed number of queries whatever the number of debates and claims; the tags of every
listed debate one more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce

from arguments import caches
from arguments.explore.search import debate_matches
from arguments.models import Claim, Debate, Relation, Tag

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django_stubs_ext import WithAnnotations

    AnyUser = User | AnonymousUser

ROWS = 6  # debates in each list of Explore
TAG_ROWS = 60  # debates listed under one tag
PUBLISHED = Claim.Status.PUBLISHED


def _count(queryset: QuerySet, expression: object) -> Coalesce:
    """One number per debate from a subquery over its rows (0 when it has none)."""
    subquery = queryset.filter(debate=OuterRef("pk")).order_by().values("debate")
    return Coalesce(
        Subquery(subquery.annotate(n=expression).values("n")[:1], output_field=IntegerField()),
        Value(0),
    )


def _tally() -> CombinedExpression:
    return F("votes_0") + F("votes_1") + F("votes_2") + F("votes_3") + F("votes_4")


class Counts(TypedDict):
    """What `with_counts` adds to each debate (its participants and votes are columns)."""

    claim_count: int


def _votes() -> CombinedExpression:
    """A debate's votes: the tallies of its points (relations, theses)."""
    return _count(Relation.objects.all(), Sum(_tally())) + _count(
        Claim.objects.filter(is_thesis=True), Sum(_tally())
    )


caches.register(
    "debate counts",
    kept=caches.Kept.DATABASE,
    key="`Debate.participant_count` and `vote_count`, stamped with the versions they were "
    "counted at (`counted_structure_version`, `counted_tally_version`)",
    stale="the stamp differs from the debate's versions: the next listing that reads the "
    "debate counts it again (`count_stale`)",
)


def count_stale(debates: QuerySet[Debate]) -> int:
    """Count again the participants and votes of those of `debates` whose counts are stale
    (stamped with versions that are not the debate's): one query finds and counts them, one
    stores them, none when every count is current. How many were counted.

    Every write and vote moves a debate's versions, so the stamp says when its counts are
    behind, as the stored strengths' stamp does; counting while listing keeps writes as
    cheap as they were. The counts and versions come from one statement (one snapshot), so
    a count stored is exactly the one of the versions it is stamped with; a write after it
    makes it stale again, and an older count stored after a newer one (two readers at once)
    carries its older stamp, so the next listing counts it again."""
    stale = debates.filter(
        Q(counted_structure_version=None)
        | Q(counted_tally_version=None)
        | ~Q(counted_structure_version=F("structure_version"))
        | ~Q(counted_tally_version=F("tally_version"))
    )
    published = Claim.objects.filter(status=PUBLISHED)
    counted = [
        Debate(
            pk=pk,
            participant_count=participants,
            vote_count=votes,
            counted_structure_version=structure,
            counted_tally_version=tally,
        )
        for pk, structure, tally, participants, votes in stale.order_by()
        .annotate(participants=_count(published, Count("author", distinct=True)), votes=_votes())
        .values_list("pk", "structure_version", "tally_version", "participants", "votes")
    ]
    if counted:
        Debate.objects.bulk_update(
            counted,
            [
                "participant_count",
                "vote_count",
                "counted_structure_version",
                "counted_tally_version",
            ],
            batch_size=500,
        )
    return len(counted)


def with_counts(debates: QuerySet[Debate]) -> QuerySet[WithAnnotations[Debate, Counts]]:
    """The debates with `claim_count` (a subquery on an index, for the rows read only);
    their `participant_count` and `vote_count` are columns, current once `count_stale` ran
    over them."""
    published = Claim.objects.filter(status=PUBLISHED)
    return debates.annotate(claim_count=_count(published, Count("pk")))


def findable(user: AnyUser) -> QuerySet[Debate]:
    """The debates a reader is listed: public ones, and those they own or belong to."""
    scope = Q(visibility=Debate.Visibility.PUBLIC)
    if user.is_authenticated:
        scope |= Q(owner=user) | Q(pk__in=user.memberships.values("debate"))
    return Debate.objects.filter(scope, archived_at__isnull=True)


@dataclass(slots=True)
class Explore:
    featured: Sequence[Debate]
    active: Sequence[Debate]
    new: Sequence[Debate]
    popular: Sequence[Debate]
    tags: list[Tag]  # the tags of the reader's debates, with `debate_count`


def _listed(debates: QuerySet[Debate]) -> QuerySet[WithAnnotations[Debate, Counts]]:
    return with_counts(debates.select_related("owner"))


def _with_tags(*lists: Sequence[Debate]) -> None:
    """Each listed debate's tags, for all the lists in one query."""
    prefetch_related_objects([debate for debates in lists for debate in debates], "tags")


def tags_of(debates: QuerySet[Debate]) -> list[Tag]:
    """The tags these debates carry, each with how many of them carry it, most used first."""
    return list(
        Tag.objects.filter(debates__in=debates.values("pk"))
        .annotate(debate_count=Count("debates", distinct=True))
        .order_by("-debate_count", "name")[:40]
    )


def _ids(debates: QuerySet[Debate], *order: str, rows: int) -> list[int]:
    """The ids of the first `rows` debates in this order, through an index on the order
    however many debates there are."""
    return list(debates.order_by(*order).values_list("pk", flat=True)[:rows])


def _rows(*pages: list[int]) -> list[list[WithAnnotations[Debate, Counts]]]:
    """The debates of each page of ids, in its order, with their counts and owners: one
    query for all the pages, counting those rows alone."""
    wanted = {pk for ids in pages for pk in ids}
    by_id = {debate.pk: debate for debate in _listed(Debate.objects.filter(pk__in=wanted))}
    return [[by_id[pk] for pk in ids if pk in by_id] for ids in pages]


def explore(user: AnyUser) -> Explore:
    """Explore's lists for this reader: featured, active, new and popular debates (popular
    by the stored counts, those that were stale counted first), and tags. A fixed number of
    queries whatever the number of debates."""
    debates = findable(user)
    count_stale(debates)
    featured, active, new, popular = _rows(
        _ids(debates.filter(featured=True), "-updated_at", rows=ROWS),
        _ids(debates, "-updated_at", rows=ROWS),
        _ids(debates, "-created_at", rows=ROWS),
        _ids(debates, "-participant_count", "-vote_count", "-updated_at", rows=ROWS),
    )
    found = Explore(
        featured=featured, active=active, new=new, popular=popular, tags=tags_of(debates)
    )
    _with_tags(found.featured, found.active, found.new, found.popular)
    return found


def tagged(user: AnyUser, tag: Tag) -> Sequence[Debate]:
    """The reader's debates carrying the tag, most recently active first."""
    carrying = findable(user).filter(tags=tag)
    count_stale(carrying)
    (debates,) = _rows(_ids(carrying, "-featured", "-updated_at", rows=TAG_ROWS))
    _with_tags(debates)
    return debates


HOME_ROWS = 30  # debates on a page of the home page


@dataclass(slots=True)
class HomePage:
    debates: list[Debate]  # with `claim_count`, `participant_count`, `published_theses`
    number: int  # from 1
    more: bool  # a next page follows


def debates_for_listing(*, search: str = "", page: int = 1) -> HomePage:
    """A page of public debates (those whose title or description matches `search`, when
    given), featured ones first, then the most recently active, with their claim and
    participant counts, published theses (`published_theses`) and tags: five queries (six
    when a count was stale), and only the page's debates counted, however many the site
    holds. The page's ids come first
    through the index of listed debates (migration 0029); counting every debate of the site
    to show thirty cost a query a debate's claims long each (issue 35)."""
    debates = Debate.objects.listed()
    if search:
        debates = debates.filter(debate_matches(search))
    start = (max(page, 1) - 1) * HOME_ROWS
    ids = list(
        debates.order_by("-featured", "-updated_at", "-pk").values_list("pk", flat=True)[
            start : start + HOME_ROWS + 1
        ]
    )
    shown = ids[:HOME_ROWS]
    count_stale(Debate.objects.filter(pk__in=shown))
    theses = Claim.objects.theses().published().order_by("id")
    rows = _listed(Debate.objects.filter(pk__in=shown)).prefetch_related(
        Prefetch("claims", queryset=theses, to_attr="published_theses"), "tags"
    )
    by_id = {debate.pk: debate for debate in rows}
    return HomePage(
        debates=[by_id[pk] for pk in shown if pk in by_id],
        number=max(page, 1),
        more=len(ids) > HOME_ROWS,
    )


def listed_page(
    user: AnyUser, *, search: str = "", before: int | None = None, limit: int
) -> list[WithAnnotations[Debate, Counts]]:
    """A page of the debates the reader is listed (`findable`), newest first by id so that a
    cursor (`before`: the last id of the previous page) stays good as debates are added,
    with their counts and tags in two queries. `limit + 1` rows: one more says more follow."""
    debates = findable(user)
    if search:
        debates = debates.filter(debate_matches(search))
    if before is not None:
        debates = debates.filter(pk__lt=before)
    count_stale(debates)
    (page,) = _rows(_ids(debates, "-pk", rows=limit + 1))
    _with_tags(page)
    return page
