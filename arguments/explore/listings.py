"""Which debates Explore and the home page list, and in what order.

- **Featured**: chosen by site staff in the admin (`Debate.featured`).
- **Active**: most recent activity first. `Debate.updated_at` moves with every write and
  every vote (`bump_version`, `vote_cast`), so it is the debate's last activity at no cost.
- **New**: most recently started first.
- **Popular**: most participants (people who wrote a published claim), then most votes (the
  tallies of its points), so a few people voting often do not outrank a crowd.

A reader is listed the debates they may read and that are meant to be found: public ones, and
unlisted or private ones only when they own or belong to them (`search.readable_debates`).
Each list is cut (`ROWS`), and the counts come from subqueries on indexed foreign keys, so
a list costs one query whatever the number of claims; the tags of every listed debate one
more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
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
    """What `with_counts` adds to each debate."""

    claim_count: int
    participant_count: int
    vote_count: int


def with_counts(debates: QuerySet[Debate]) -> QuerySet[WithAnnotations[Debate, Counts]]:
    """The debates with `claim_count`, `participant_count` and `vote_count`."""
    published = Claim.objects.filter(status=PUBLISHED)
    return debates.annotate(
        claim_count=_count(published, Count("pk")),
        participant_count=_count(published, Count("author", distinct=True)),
        vote_count=_count(Relation.objects.all(), Sum(_tally()))
        + _count(Claim.objects.filter(is_thesis=True), Sum(_tally())),
    )


def findable(user: AnyUser) -> QuerySet[Debate]:
    """The debates a reader is listed: public ones, and those they own or belong to."""
    scope = Q(visibility=Debate.Visibility.PUBLIC)
    if user.is_authenticated:
        scope |= Q(owner=user) | Q(pk__in=user.memberships.values("debate"))
    return Debate.objects.filter(scope, archived_at__isnull=True)


@dataclass(slots=True)
class Explore:
    featured: list[Debate]
    active: list[Debate]
    new: list[Debate]
    popular: list[Debate]
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


def explore(user: AnyUser) -> Explore:
    """Explore's lists for this reader: featured, active, new and popular debates, and tags."""
    debates = findable(user)
    listed = _listed(debates)
    found = Explore(
        featured=list(listed.filter(featured=True).order_by("-updated_at")[:ROWS]),
        active=list(listed.order_by("-updated_at")[:ROWS]),
        new=list(listed.order_by("-created_at")[:ROWS]),
        popular=list(listed.order_by("-participant_count", "-vote_count", "-updated_at")[:ROWS]),
        tags=tags_of(debates),
    )
    _with_tags(found.featured, found.active, found.new, found.popular)
    return found


def tagged(user: AnyUser, tag: Tag) -> list[Debate]:
    """The reader's debates carrying the tag, most recently active first."""
    debates: list[Debate] = list(
        _listed(findable(user).filter(tags=tag)).order_by("-featured", "-updated_at")[:TAG_ROWS]
    )
    _with_tags(debates)
    return debates


def debates_for_listing(*, search: str = "") -> list[Debate]:
    """Public debates (those whose title or description matches `search`, when given) with
    their claim and participant counts, last activity, published theses (`published_theses`)
    and tags, in three queries: featured ones first, then the most recently active (the
    home page)."""
    debates = Debate.objects.listed().select_related("owner")
    if search:
        debates = debates.filter(debate_matches(search))
    theses = Claim.objects.theses().published().order_by("id")
    return list(
        debates.annotate(
            claim_count=Count("claims", filter=Q(claims__status=PUBLISHED), distinct=True),
            participant_count=Count("claims__author", distinct=True),
            last_activity=Max("claims__updated_at"),
        )
        .prefetch_related(Prefetch("claims", queryset=theses, to_attr="published_theses"), "tags")
        .order_by("-featured", "-updated_at")
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
    page = list(_listed(debates).order_by("-pk")[: limit + 1])
    _with_tags(page)
    return page
