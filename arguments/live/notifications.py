"""Notifications: who hears of what happened in a debate, written by the task worker.

Write services call `after_commit(event, **ids)`: it puts one task on the database queue
(`fan_out`) in the write's own transaction, so the write and its task commit together or not
at all (a rolled-back write notifies no one; a committed one is never without its task, even
if the process dies right after the commit). The worker (`manage.py run_tasks`) then runs the
event against what was committed: it writes one `Notification` per reader who should hear of
it, however many follow the claim or the debate, outside the writer's request. It writes
only for readers the reading lens lets see it: a pending claim reaches
no one but its author and the moderators, a private debate's news no one outside it. Names
are written as the debate names people (`Lens.author_name`: pseudonyms where the debate uses
them).

Each reader's notice is written in their language (their profile's, else the site's): the
events hand `tell` a wording, a function that makes the text, and `tell` calls it once per
reader under that language, so a French and an English member told of one event each read
their own. The text is stored as made (see `tell`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from arguments import caches, selectors
from arguments.models import (
    Annotation,
    Claim,
    ClaimFeedback,
    Debate,
    Flag,
    Follow,
    Membership,
    Notification,
    ParticipantGrade,
    Pseudonym,
    Relation,
    Role,
    Task,
    WriteRequest,
)
from arguments.reading.lens import Lens

Kind = Notification.Kind
# "@name" not preceded by a word character (an e-mail address is no mention).
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")
MENTIONS_PER_TEXT = 10
# A notice's words, made in the language active when it is called (one call per reader).
Wording = Callable[[], str]


def unread_key(user_id: int) -> str:
    """Where the bell's count of the reader's unread notifications is shared."""
    return f"notifications-unread:{user_id}"


caches.register(
    "unread counts",
    kept=caches.Kept.SHARED,
    key="`notifications-unread:<user id>` (`unread_key`), set by the bell (live/following.py)",
    stale="new notices for the reader, or notices marked read: both delete it; it expires "
    "after a minute (how long another worker's local-memory cache may lag)",
)


def after_commit(event: Callable[..., None], **ids: int | str | None) -> None:
    """Have the task worker run `event(**ids)` once the current transaction commits: its
    task is a row written in that transaction (an autocommitted row outside one). A notice
    that fails then fails its task (logged, and kept in the queue's results), never the
    writer's request."""
    if event.__name__ not in EVENTS:
        # A name the worker could not run: fail now, in the test of the write, not later.
        raise ValueError(f"not a notification event: {event.__name__}")
    fan_out.enqueue(event.__name__, ids)


@task()
def fan_out(event: str, ids: dict[str, int | str | None]) -> None:
    """The queue's entry: the event named, by name (a task's arguments are JSON)."""
    EVENTS[event](**ids)


# Every notice's address ends with the claim it quotes (`_claim_url`): the new pro or con of a
# response, the claim itself otherwise.
QUOTED = re.compile(r"#claim-(\d+)$")


def still_seen(notices: Iterable[Notification]) -> list[Notification]:
    """The notices whose claims their reader may still know of: a notice keeps the words of
    the claims it quotes, so once a moderator hides one (or a branch above it), it drops from
    the notifications page and from any digest not yet sent, like the claim from the tree.
    One lens per (reader, debate); notices keep their order."""
    lenses: dict[tuple[int, int], Lens] = {}
    kept = []
    for notice in notices:
        key = (notice.recipient_id, notice.debate_id)
        lens = lenses.get(key)
        if lens is None:
            lens = lenses[key] = Lens.of(notice.debate, notice.recipient)
        quoted = QUOTED.search(notice.url)
        claims = {notice.claim_id, int(quoted.group(1))} if quoted else {notice.claim_id}
        if lens.readable and all(lens.knows(claim_id) for claim_id in claims):
            kept.append(notice)
    return kept


def _about(text: str) -> str:
    return Truncator(text).chars(120)


def _who(name: str) -> str:
    """How a notice names its actor: as the debate names them, else "Someone" in the
    reader's language (an act of the worker, or of an account since deleted)."""
    return name or _("Someone")


class _Event:
    """One thing that happened in a debate, and the notices it leaves."""

    def __init__(self, debate_id: int, actor_id: int | None, *, around: int | None = None) -> None:
        self.debate = Debate.objects.get(pk=debate_id)  # as committed: its current versions
        self.actor_id = actor_id
        # The one claim the event's notices are about, when they ask only whether their
        # readers see it: a task worker holding nothing of the debate reads the slice around
        # it (first_screen.py) instead of loading the whole debate for each new claim.
        self.around = around
        self.lenses: dict[int, Lens] = {}
        self.told: set[int] = set()  # one notice per reader per event
        self.notices: list[Notification] = []

    def lens(self, user) -> Lens:
        if user.pk not in self.lenses:
            self.lenses[user.pk] = Lens.of(self.debate, user, around=self.around)
        return self.lenses[user.pk]

    def actor_name(self, username: str) -> str:
        """The actor as the debate names them ("" for none: `_who` words it per reader)."""
        lens = Lens.visitor(self.debate)
        return lens.author_name(self.actor_id, username) if self.actor_id else ""

    def tell(
        self,
        users: Iterable,
        *,
        claim: Claim,
        kind: str,
        text: Wording,
        url: str,
        seen: Callable[[Lens], bool],
        **fields: str,
    ) -> None:
        """A notice to each of `users` who may see it, in their language. Its text is stored
        as made, not remade at each reading: it quotes the claim as it read when it happened,
        and the notifications page and the digests then read it without a catalog; a reader
        who changes language keeps their old notices in the old one."""
        told = []
        for user in users:
            if user.pk in self.told or user.pk == self.actor_id or not user.is_active:
                continue
            lens = self.lens(user)
            if not lens.readable or not seen(lens):
                continue
            self.told.add(user.pk)
            told.append(user)
        chosen = selectors.member_languages([user.pk for user in told])
        for user in told:
            with translation.override(chosen.get(user.pk) or settings.LANGUAGE_CODE):
                words = text()
            self.notices.append(
                Notification(
                    recipient=user,
                    debate=self.debate,
                    claim=claim,
                    kind=kind,
                    about=_about(claim.text),
                    text=words,
                    url=url,
                    **fields,
                )
            )

    def save(self) -> None:
        Notification.objects.bulk_create(self.notices)
        cache.delete_many([unread_key(n.recipient_id) for n in self.notices])


def _users(ids: Iterable[int | None]) -> list:
    wanted = {i for i in ids if i is not None}
    return list(get_user_model().objects.filter(pk__in=wanted)) if wanted else []


def _mentioned(text: str, debate: Debate) -> list:
    """Whom a text mentions: by username, or in a pseudonymous debate by pseudonym alone
    ("@BraveOtter" for Brave Otter: a username there would name the person behind a
    pseudonym). At most MENTIONS_PER_TEXT people: a text is no mailing list."""
    names = sorted({name.rstrip(".").casefold() for name in MENTION.findall(text)})[:50]
    if not names:
        return []
    if debate.pseudonymous:
        ids = [
            user_id
            for user_id, name in Pseudonym.objects.filter(debate=debate).values_list(
                "user_id", "name"
            )
            if mention_key(name) in names
        ]
        found = get_user_model().objects.filter(pk__in=ids)
    else:
        anyone = Q()
        for name in names:
            anyone |= Q(username__iexact=name)
        found = get_user_model().objects.filter(anyone)
    return list(found.distinct().order_by("pk")[:MENTIONS_PER_TEXT])


def mention_key(name: str) -> str:
    """How a name is written after "@": without spaces, any case (Brave Otter: @braveotter)."""
    return name.replace(" ", "").casefold()


def _claim_url(claim: Claim) -> str:
    return f"{claim.get_absolute_url()}#claim-{claim.pk}"


def follow_own(claim: Claim, *, new: bool = False) -> None:
    """Its writer follows what they wrote (they hear of its pros and cons): called by the
    write itself, so that the claim's page shows it followed at once. A `new` claim (made in
    this transaction) has no follower yet: one insert, no lookup."""
    if claim.author_id and new:
        Follow.objects.create(user_id=claim.author_id, debate_id=claim.debate_id, claim=claim)
    elif claim.author_id:
        Follow.objects.get_or_create(
            user_id=claim.author_id, debate_id=claim.debate_id, claim=claim
        )


def claim_added(*, claim_id: int) -> None:
    """A new pro or con: its parent's followers (its author follows it) and the debate's,
    and whoever it mentions."""
    claim = Claim.objects.select_related("author").get(pk=claim_id)
    relation = Relation.objects.select_related("parent").filter(child=claim, is_link=False).first()
    event = _Event(claim.debate_id, claim.author_id, around=claim.pk)
    name = event.actor_name(claim.author.username if claim.author else "")
    url = _claim_url(claim)
    sees = lambda lens: lens.sees(claim.pk)  # noqa: E731
    if relation is not None:
        parent = relation.parent
        followers = Follow.objects.filter(
            Q(claim=parent) | Q(debate_id=claim.debate_id, claim=None)
        ).values_list("user_id", flat=True)
        event.tell(
            _users(followers),
            claim=parent,
            kind=Kind.RESPONSE,
            stance=relation.stance,
            actor_name=name,
            text=lambda: (
                (
                    _("%(name)s added a pro under “%(parent)s”: “%(claim)s”")
                    if relation.stance == "pro"
                    else _("%(name)s added a con under “%(parent)s”: “%(claim)s”")
                )
                % {"name": _who(name), "parent": _about(parent.text), "claim": _about(claim.text)}
            ),
            url=url,
            seen=sees,
        )
    # A reader both answered and mentioned hears of the answer (one notice per event).
    event.tell(
        _mentioned(claim.text, event.debate),
        claim=claim,
        kind=Kind.MENTION,
        text=lambda: (
            _("%(name)s mentioned you in “%(claim)s”")
            % {"name": _who(name), "claim": _about(claim.text)}
        ),
        url=url,
        seen=sees,
    )
    event.save()


def claim_edited(*, claim_id: int, actor_id: int, old_text: str) -> None:
    """Someone else's edit of my claim, and mentions the new wording adds."""
    claim = Claim.objects.select_related("author").get(pk=claim_id)
    event = _Event(claim.debate_id, actor_id)
    actor = _users([actor_id])
    name = event.actor_name(actor[0].username if actor else "")
    url = _claim_url(claim)
    knows = lambda lens: lens.knows(claim.pk)  # noqa: E731
    before = {user.pk for user in _mentioned(old_text, event.debate)}
    added = [u for u in _mentioned(claim.text, event.debate) if u.pk not in before]
    event.tell(
        added,
        claim=claim,
        kind=Kind.MENTION,
        text=lambda: (
            _("%(name)s mentioned you in “%(claim)s”")
            % {"name": _who(name), "claim": _about(claim.text)}
        ),
        url=url,
        seen=lambda lens: lens.sees(claim.pk),
    )
    if claim.author_id:
        event.tell(
            _users([claim.author_id]),
            claim=claim,
            kind=Kind.EDIT,
            text=lambda: (
                _("%(name)s edited your claim: now “%(claim)s”")
                % {"name": _who(name), "claim": _about(claim.text)}
            ),
            url=url,
            seen=knows,
        )
    event.save()


def note_added(*, note_id: int) -> None:
    """A reply to my note, and mentions in a note, for readers who may see the note."""
    note = Annotation.objects.select_related("claim", "author", "parent").get(pk=note_id)
    claim = note.claim
    event = _Event(claim.debate_id, note.author_id)
    name = event.actor_name(note.author.username if note.author else "")
    url = _claim_url(claim)

    def sees(lens: Lens) -> bool:
        return lens.sees(claim.pk) and lens.sees_note(note)

    if note.parent is not None and note.parent.author_id:
        event.tell(
            _users([note.parent.author_id]),
            claim=claim,
            kind=Kind.REPLY,
            text=lambda: (
                _("%(name)s replied to your note on “%(claim)s”: “%(reply)s”")
                % {
                    "name": _who(name),
                    "claim": _about(claim.text),
                    "reply": Truncator(note.body).chars(160),
                }
            ),
            url=url,
            seen=sees,
        )
    event.tell(
        _mentioned(note.body, event.debate),
        claim=claim,
        kind=Kind.MENTION,
        text=lambda: (
            _("%(name)s mentioned you in a note on “%(claim)s”")
            % {"name": _who(name), "claim": _about(claim.text)}
        ),
        url=url,
        seen=sees,
    )
    event.save()


def claim_moderated(*, claim_id: int, actor_id: int, was: str) -> None:
    """A moderator approved, hid or restored my claim; approving a suggestion also brings
    the news of it to the followers that now may see it."""
    claim = Claim.objects.get(pk=claim_id)
    event = _Event(claim.debate_id, actor_id)
    status = claim.status
    kind = Kind.SUGGESTION if was == Claim.Status.PENDING else Kind.MODERATION

    def text() -> str:
        if was == Claim.Status.PENDING:
            wording = (
                _("A moderator approved your suggestion “%(claim)s”")
                if status == Claim.Status.PUBLISHED
                else _("A moderator declined your suggestion “%(claim)s”")
            )
        elif status == Claim.Status.HIDDEN:
            wording = _("A moderator hid your claim “%(claim)s”")
        else:
            wording = _("A moderator restored your claim “%(claim)s”")
        return wording % {"claim": _about(claim.text)}

    event.tell(
        _users([claim.author_id]),
        claim=claim,
        kind=kind,
        text=text,
        url=_claim_url(claim),
        seen=lambda lens: lens.knows(claim.pk),
    )
    event.save()
    if was == Claim.Status.PENDING and status == Claim.Status.PUBLISHED:
        claim_added(claim_id=claim.pk)


def flag_resolved(*, flag_id: int) -> None:
    """A moderator's decision on a flag: to its reporter, and (upheld) to the author of the
    flagged claim or note, each with the moderator's note."""
    flag = Flag.objects.select_related("claim", "annotation__claim").get(pk=flag_id)
    claim = flag.flagged_claim
    event = _Event(claim.debate_id, flag.handled_by_id)
    upheld = flag.status == Flag.Status.UPHELD
    url = _claim_url(claim)
    knows = lambda lens: lens.knows(claim.pk)  # noqa: E731

    def to_reporter() -> str:
        # Four whole sentences: a verdict put into one would need its grammar in each language.
        if flag.claim_id:
            wording = (
                _("Your flag on “%(claim)s” was upheld")
                if upheld
                else _("Your flag on “%(claim)s” was dismissed")
            )
        else:
            wording = (
                _("Your flag on a note on “%(claim)s” was upheld")
                if upheld
                else _("Your flag on a note on “%(claim)s” was dismissed")
            )
        return wording % {"claim": _about(claim.text)}

    event.tell(
        _users([flag.reporter_id]),
        claim=claim,
        kind=Kind.MODERATION,
        text=to_reporter,
        note=flag.resolution_note,
        url=url,
        # The reporter saw what they flagged; the decision reaches them even when it hid it.
        seen=lambda lens: True,
    )
    if upheld:
        author_id = flag.flagged.author_id
        event.tell(
            _users([author_id]),
            claim=claim,
            kind=Kind.MODERATION,
            # The reason as the flag form names it (a lazy choice: the reader's language).
            text=lambda: (
                (
                    _("A flag on your claim “%(claim)s” was upheld (reason: %(reason)s)")
                    if flag.claim_id
                    else _("A flag on your note on “%(claim)s” was upheld (reason: %(reason)s)")
                )
                % {"claim": _about(claim.text), "reason": flag.get_reason_display()}
            ),
            note=flag.resolution_note,
            url=url,
            seen=knows,
        )
    event.save()


def _feedback_url(debate: Debate) -> str:
    return reverse("arguments:my_feedback", args=[debate.slug])


def grades_released(*, debate_id: int, actor_id: int, user_id: int | None = None) -> None:
    """Feedback and grades released: to one participant (`user_id`), or to everyone a
    teacher wrote feedback or a grade for. Each is told of their own claim with feedback
    (else of the debate's first thesis); the notice names no teacher."""
    event = _Event(debate_id, actor_id)
    debate = event.debate
    feedback = ClaimFeedback.objects.filter(debate=debate).select_related("claim")
    graded = ParticipantGrade.objects.filter(debate=debate)
    if user_id is not None:
        feedback, graded = feedback.filter(claim__author_id=user_id), graded.filter(user_id=user_id)
    about: dict[int, Claim] = {}
    for row in feedback.order_by("claim_id"):
        if row.claim.author_id is not None:
            about.setdefault(row.claim.author_id, row.claim)
    thesis = Claim.objects.filter(debate=debate, is_thesis=True).order_by("pk").first()
    for uid in graded.values_list("user_id", flat=True):
        if uid not in about and thesis is not None:
            about[uid] = thesis
    url = _feedback_url(debate)
    for user in _users(about):
        claim = about[user.pk]

        def knows(lens: Lens, claim_id: int = claim.pk) -> bool:
            return lens.knows(claim_id)

        event.tell(
            [user],
            claim=claim,
            kind=Kind.FEEDBACK,
            text=lambda: (
                _("Your feedback and grades in “%(debate)s” are released")
                % {"debate": _about(debate.title)}
            ),
            url=url,
            seen=knows,
        )
    event.save()


def feedback_written(*, claim_id: int, actor_id: int) -> None:
    """New feedback on a claim whose author's grades are already released: they hear of it
    at once (before the release, the release itself tells them)."""
    claim = Claim.objects.select_related("debate").get(pk=claim_id)
    event = _Event(claim.debate_id, actor_id)
    event.tell(
        _users([claim.author_id]),
        claim=claim,
        kind=Kind.FEEDBACK,
        text=lambda: _("New feedback on your claim “%(claim)s”") % {"claim": _about(claim.text)},
        url=_feedback_url(claim.debate),
        seen=lambda lens: lens.knows(claim.pk),
    )
    event.save()


def write_requested(*, request_id: int) -> None:
    """A request to write: to the debate's owner and moderators, naming the asker as the
    debate names them (a pseudonym where it uses them)."""
    asked = WriteRequest.objects.select_related("user", "debate").get(pk=request_id)
    debate = asked.debate
    event = _Event(debate.pk, asked.user_id)
    name = event.actor_name(asked.user.username)
    thesis = Claim.objects.filter(debate=debate, is_thesis=True).order_by("pk").first()
    if thesis is None:
        return
    managers = Membership.objects.filter(debate=debate, role=Role.MODERATOR).values_list(
        "user_id", flat=True
    )
    event.tell(
        _users([debate.owner_id, *managers]),
        claim=thesis,
        kind=Kind.REQUEST,
        actor_name=name,
        text=lambda: (
            _("%(name)s asks to write in “%(debate)s”")
            % {"name": _who(name), "debate": _about(debate.title)}
        ),
        note=asked.message,
        url=reverse("arguments:write_requests", args=[debate.slug]),
        seen=lambda lens: lens.manages,
    )
    event.save()


def write_request_decided(*, request_id: int) -> None:
    """The asker hears whether they may now write."""
    asked = WriteRequest.objects.select_related("debate").get(pk=request_id)
    debate = asked.debate
    event = _Event(debate.pk, asked.decided_by_id)
    thesis = Claim.objects.filter(debate=debate, is_thesis=True).order_by("pk").first()
    if thesis is None:
        return
    accepted = asked.status == WriteRequest.Status.ACCEPTED
    event.tell(
        _users([asked.user_id]),
        claim=thesis,
        kind=Kind.REQUEST,
        text=lambda: (
            (
                _("You may now write in “%(debate)s”")
                if accepted
                else _("Your request to write in “%(debate)s” was declined")
            )
            % {"debate": _about(debate.title)}
        ),
        url=reverse("arguments:debate", args=[debate.slug]),
        seen=lambda lens: lens.sees(thesis.pk),
    )
    event.save()


def task_deadline_passed(*, task_id: int, links: int) -> None:
    """A task's deadline passed and the worker switched the debate's share links off: its
    maker (and the owner) hear of it, with how many links went off."""
    task = Task.objects.select_related("debate", "under").get(pk=task_id)
    debate = task.debate
    claim = task.under or (
        Claim.objects.filter(debate=debate, is_thesis=True).order_by("pk").first()
    )
    if claim is None:
        return
    event = _Event(debate.pk, None)
    event.tell(
        _users([task.created_by_id, debate.owner_id]),
        claim=claim,
        kind=Kind.DEADLINE,
        text=lambda: (
            ngettext(
                "The deadline of “%(task)s” passed: %(links)d share link was switched off",
                "The deadline of “%(task)s” passed: %(links)d share links were switched off",
                links,
            )
            % {"task": _about(task.describe()), "links": links}
        ),
        url=reverse("arguments:share_links", args=[debate.slug]),
        seen=lambda lens: lens.sees(claim.pk),
    )
    event.save()


# The events a task may name (`fan_out`): the write services' `after_commit` events.
EVENTS: dict[str, Callable[..., None]] = {
    event.__name__: event
    for event in (
        claim_added,
        claim_edited,
        note_added,
        claim_moderated,
        flag_resolved,
        grades_released,
        feedback_written,
        write_requested,
        write_request_decided,
        task_deadline_passed,
    )
}
