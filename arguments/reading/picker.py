"""The perspective picker of a debate's pages: the perspectives a reader may see the debate
through ("See as": named ones for everyone; groups and participants for those who manage its
members) and the named perspectives they may vote as ("Voting as").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import gettext as _

from arguments import caches, selectors
from arguments.models import Perspective
from arguments.reading import activity
from arguments.reading.lens import Lens
from arguments.reading.perspectives import (
    PARTICIPANTS_KEPT_SECONDS,
    PARTICIPANTS_LISTED,
    Viewpoint,
    participants_of,
)
from arguments.rules.permissions import Action

caches.register(
    "participants",
    kept=caches.Kept.SHARED,
    key="`participants:<debate id>:<creation time>:<tally version>`: the voters and members "
    "a moderator may look through",
    stale="a vote (a new tally version); a member who joined without voting, or an account "
    f"renamed, shows within {PARTICIPANTS_KEPT_SECONDS} seconds, when the entry expires",
)


def voters_listed(lens: Lens) -> list[tuple[int, str]]:
    """(id, name as the reader sees it) of the participants a moderator may look through.

    They are found through the stored activity counts (a row a participant): reading every
    vote of the debate cost 14 ms at 20,000 claims and grew with it (issue 35). Counts behind
    the votes are brought up to date first (once: the votes keep them current after), and
    where they cannot be stored (a read snapshot) the votes are read. The rows are shared
    through the cache per tally version: a new vote lists its voter at once; a member who
    joined without voting (nothing to look through yet) shows within a minute."""
    debate = lens.debate
    key = f"participants:{debate.pk}:{debate.created_at.timestamp()}:{debate.tally_version}"
    rows = cache.get(key)
    if rows is None:
        rows = selectors.participants_counted(debate, PARTICIPANTS_LISTED)
        if rows is None:
            activity.counted_now(debate, ())
            rows = selectors.participants_counted(debate, PARTICIPANTS_LISTED)
        if rows is None:
            rows = list(
                participants_of(debate)
                .order_by("username")
                .values_list("pk", "username")[:PARTICIPANTS_LISTED]
            )
        cache.set(key, rows, PARTICIPANTS_KEPT_SECONDS)
    return sorted(
        ((pk, lens.author_name(pk, username)) for pk, username in rows),
        key=lambda pair: pair[1].lower(),
    )


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    selected: bool = False


@dataclass
class Picker:
    """What the debate page offers a reader: perspectives to see it through ("See as"), the
    named perspectives they may vote as ("Voting as"), and where each form goes."""

    current: Viewpoint | None
    named: list[Choice] = field(default_factory=list)
    groups: list[Choice] = field(default_factory=list)
    participants: list[Choice] = field(default_factory=list)
    opinion: list[Choice] = field(default_factory=list)  # the opinion group looked through
    voting_as: list[Choice] = field(default_factory=list)  # the reader's own named ones
    may_create: bool = False  # may start a named perspective (may vote)
    create_url: str = ""
    voting_as_url: str = ""
    groups_url: str = ""  # the settings page of groups, for those who manage them

    @property
    def offers(self) -> bool:
        """Whether there is anything to see the debate through besides everyone's votes."""
        return bool(self.current or self.named or self.groups or self.participants)

    @property
    def voting_as_label(self) -> str:
        """The named perspective the reader votes as ("" when as themselves)."""
        return next((c.label for c in self.voting_as if c.selected and c.value), "")


def picker_of(lens: Lens) -> Picker:
    """The reader's picker: nothing (no query) for a visitor, who may still follow a link to
    a named perspective; one query for a participant, two for a moderator (the voters)."""
    current = lens.viewpoint
    picker = Picker(current=current)
    if current is not None and current.kind == "opinion":
        # Offered from the opinion page, not listed here: the select keeps it chosen.
        picker.opinion = [
            Choice(current.key, _("Opinion group %(label)s") % {"label": current.label}, True)
        ]
    if lens.user_id is None:
        return picker
    chosen = current.key if current is not None else ""
    voting_as = lens.voting_as.pk if lens.voting_as is not None else None
    managing = lens.manages
    picker.may_create = lens.may(Action.VOTE)
    picker.create_url = lens.urls.perspective_new
    picker.voting_as_url = lens.urls.voting_as
    if managing:
        picker.groups_url = lens.urls.perspective_groups
    mine = [Choice("", "Myself", voting_as is None)]
    rows = Perspective.objects.filter(debate=lens.debate).values_list(
        "pk", "kind", "name", "created_by_id"
    )
    for pk, kind, name, creator in rows:
        value = f"{kind}:{pk}"
        if kind == Perspective.Kind.NAMED:
            picker.named.append(Choice(value, name, value == chosen))
            if creator == lens.user_id:
                mine.append(Choice(str(pk), name, pk == voting_as))
        elif managing:
            picker.groups.append(Choice(value, name, value == chosen))
    if len(mine) > 1:
        picker.voting_as = mine
    if managing:
        picker.participants = [
            Choice(f"user:{pk}", name, f"user:{pk}" == chosen) for pk, name in voters_listed(lens)
        ]
    return picker
