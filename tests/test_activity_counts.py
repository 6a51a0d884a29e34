"""The activity table's stored counts (issue 35): equal to counting the rows after seeded
random writes of every kind, kept current by votes without a recount, a page of the table
costing the same queries whatever the debate's size and number of participants."""

from __future__ import annotations

import csv
import io
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments import caches, services
from arguments.models import (
    ActivityStamp,
    Annotation,
    Claim,
    Debate,
    Flag,
    Membership,
    ParticipantActivity,
    Perspective,
    Relation,
    Role,
    Stance,
    Vote,
)
from arguments.reading import activity
from arguments.reading.activity import activity_of, counted_from_rows
from arguments.rules.limits import RateLimited
from arguments.structure import loader
from tests.conftest import build_debate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _stored(debate) -> dict[int, activity.Counted]:
    rows = ParticipantActivity.objects.filter(debate=debate)
    return {
        uid: activity.Counted(*figures)
        for uid, *figures in rows.values_list("user_id", *activity.COUNTED)
    }


def _stamp_current(debate) -> bool:
    debate.refresh_from_db(fields=["structure_version", "tally_version"])
    stamp = ActivityStamp.objects.filter(debate=debate).first()
    return stamp is not None and (stamp.structure_version, stamp.tally_version) == (
        debate.structure_version,
        debate.tally_version,
    )


def _csv(client, persona, debate) -> list[dict[str, str]]:
    client.force_login(persona)
    body = client.get(reverse("arguments:debate_activity_csv", args=[debate.slug])).content
    return list(csv.DictReader(io.StringIO(body.decode())))


def _computed_csv(client, persona, debate, monkeypatch) -> list[dict[str, str]]:
    """The CSV as it reads when every count comes from the rows (the code before issue 35)."""
    with monkeypatch.context() as patched:
        patched.setattr(
            activity,
            "counted_now",
            lambda d, ids=None: {
                uid: c for uid, c in counted_from_rows(d).items() if ids is None or uid in ids
            },
        )
        return _csv(client, persona, debate)


def _points(debate) -> list[Relation | Claim]:
    relations = list(Relation.objects.filter(debate=debate, is_hidden=False, is_link=False))
    return [*Claim.objects.filter(debate=debate, is_thesis=True), *relations]


def _participants(cast, debate: Debate, newcomers: int, role: Role) -> tuple[list, Perspective]:
    """The cast's writer, viewer, editor and owner and `newcomers` members of `role`, a named
    perspective, and the debate's counts stored once."""
    people = [cast.writer, cast.viewer, cast.editor, cast.owner]
    people += [UserFactory() for _ in range(newcomers)]
    for person in people[4:]:
        Membership.objects.create(debate=debate, user=person, role=role)
    economist = services.perspective_create(actor=cast.writer, debate=debate, name="Economist")
    activity_of(debate)  # stored once
    return people, economist


def _one_write(rng: random.Random, cast, debate, people, economist) -> str:
    """One random write of a random kind, through the services; what it was."""
    published = list(Claim.objects.filter(debate=debate, status=Claim.Status.PUBLISHED))
    kind = rng.choice(
        ["vote", "vote", "vote", "revote", "withdraw", "as", "unas", "claim", "suggest",
         "approve", "hide", "restore", "merge", "cite", "note", "unnote", "flag", "resolve"]
    )  # fmt: skip
    voter = rng.choice(people)
    try:
        if kind in ("vote", "revote"):
            services.vote_cast(
                user=voter, point=rng.choice(_points(debate)), value=rng.randint(0, 4)
            )
        elif kind == "withdraw":
            services.vote_withdraw(user=voter, point=rng.choice(_points(debate)))
        elif kind in ("as", "unas"):
            point = rng.choice(_points(debate))
            if kind == "as":
                services.vote_cast(
                    user=cast.writer, point=point, value=rng.randint(0, 4), perspective=economist
                )
            else:
                services.vote_withdraw(user=cast.writer, point=point, perspective=economist)
        elif kind == "claim":
            services.claim_add(
                actor=rng.choice([cast.writer, cast.editor, cast.owner]),
                parent=rng.choice(published),
                stance=rng.choice(Stance.values),
                text=f"Claim {rng.random()}",
            )
        elif kind == "suggest":
            services.claim_add(
                actor=cast.suggester,
                parent=rng.choice(published),
                stance=Stance.CON,
                text=f"Suggestion {rng.random()}",
            )
        elif kind == "approve":
            pending = Claim.objects.filter(debate=debate, status=Claim.Status.PENDING).first()
            if pending:
                services.claim_approve(actor=cast.moderator, claim=pending)
        elif kind == "hide":
            claim = rng.choice([c for c in published if not c.is_thesis] or published)
            if not claim.is_thesis:
                services.claim_hide(actor=cast.moderator, claim=claim)
        elif kind == "restore":
            hidden = Claim.objects.filter(debate=debate, status=Claim.Status.HIDDEN).first()
            if hidden and hidden.merged_into_id is None:
                services.claim_restore(actor=cast.moderator, claim=hidden)
        elif kind == "merge":
            leaves = [c for c in published if not c.is_thesis]
            if len(leaves) >= 2:
                duplicate, into = rng.sample(leaves, 2)
                services.claim_merge(actor=cast.moderator, duplicate=duplicate, into=into)
        elif kind == "cite":
            services.source_cite(
                actor=rng.choice([cast.writer, cast.editor]),
                claim=rng.choice(published),
                url=f"https://example.org/{rng.randint(0, 10**6)}",
                title="A source",
            )
        elif kind == "note":
            services.annotation_add(
                actor=rng.choice([cast.writer, cast.viewer]),
                claim=rng.choice(published),
                body=f"Note {rng.random()}",
            )
        elif kind == "unnote":
            note = Annotation.objects.filter(
                claim__debate=debate, status=Annotation.Status.PUBLISHED
            ).first()
            if note:
                services.annotation_delete(actor=cast.moderator, annotation=note)
        elif kind == "flag":
            services.flag_raise(
                actor=rng.choice(people), claim=rng.choice(published), reason=Flag.Reason.UNCLEAR
            )
        elif kind == "resolve":
            flag = Flag.objects.filter(claim__debate=debate, status=Flag.Status.OPEN).first()
            if flag:
                services.flag_resolve(
                    actor=cast.moderator, flag=flag, uphold=rng.random() < 0.5, hide=False
                )
    except (ValidationError, PermissionDenied, RateLimited):
        return f"{kind} refused"
    return kind


def test_stored_counts_equal_the_rows_after_seeded_random_writes(
    client, cast, debate, thesis, pro, con, monkeypatch
):
    rng = random.Random(35)
    people, economist = _participants(cast, debate, 4, Role.VIEWER)
    kinds: set[str] = set()
    for step in range(120):
        kinds.add(_one_write(rng, cast, debate, people, economist))
        if _stamp_current(debate):  # kept by the write itself (a vote): no recount
            assert _stored(debate) == counted_from_rows(debate), f"step {step}"
        if step % 10 == 9:
            for persona in (cast.owner, cast.moderator):
                assert _csv(client, persona, debate) == _computed_csv(
                    client, persona, debate, monkeypatch
                ), f"step {step}"
            assert _stamp_current(debate) and _stored(debate) == counted_from_rows(debate)
    assert {"vote", "revote", "withdraw", "as", "unas", "claim", "merge", "cite", "note"} <= kinds


def test_a_vote_keeps_the_counts_current_without_counting_the_rows(cast, debate, thesis, pro):
    activity_of(debate)
    point = pro.parent_relations.get()
    economist = services.perspective_create(actor=cast.viewer, debate=debate, name="Economist")
    services.vote_cast(user=cast.viewer, point=point, value=3)
    services.vote_cast(user=cast.viewer, point=point, value=1)
    services.vote_cast(user=cast.viewer, point=thesis, value=1, perspective=economist)
    services.vote_withdraw(user=cast.viewer, point=point)
    services.vote_cast(user=cast.writer, point=thesis, value=2)
    assert _stamp_current(debate)
    assert _stored(debate) == counted_from_rows(debate)
    vic = _stored(debate)[cast.viewer.pk]
    assert vic.votes == 1  # the vote as the economist


def test_a_reader_who_counted_before_a_vote_as_a_perspective_stores_nothing(cast, debate, thesis):
    """A vote as a named perspective moves no debate version: the stamp's count of votes
    counted in tells a reader who read the rows before it that its counts are behind."""
    economist = services.perspective_create(actor=cast.viewer, debate=debate, name="Economist")
    counted = counted_from_rows(debate)  # read before the vote
    services.vote_cast(user=cast.viewer, point=thesis, value=3, perspective=economist)
    debate.refresh_from_db()
    assert not activity.store_counts(
        debate.pk, debate.structure_version, debate.tally_version, None, counted
    )
    activity_of(debate)
    assert _stored(debate)[cast.viewer.pk].votes == 1


def _counted_once(client, slug: str, size: int, participants: int) -> tuple[Debate, Claim, str]:
    """A debate of `size` claims whose thesis `participants` voted on, its table read once by
    its owner (signed in on `client`): the debate, its thesis and the table's URL."""
    debate = build_debate(size, slug=f"{slug}-{size}-{participants}")
    thesis = debate.claims.get(is_thesis=True)
    for _ in range(participants):
        services.vote_cast(user=UserFactory(), point=thesis, value=2)
    client.force_login(debate.owner)
    url = reverse("arguments:debate_activity", args=[debate.slug])
    assert client.get(url).status_code == 200  # counts the rows once and stores them
    return debate, thesis, url


def _page_queries(client, monkeypatch, size: int, participants: int) -> int:
    _debate, thesis, url = _counted_once(client, "paged", size, participants)
    services.vote_cast(user=UserFactory(), point=thesis, value=1)  # kept current by the vote
    caches.forget_all()
    with monkeypatch.context() as patched:
        patched.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
        patched.setattr(activity, "counted_from_rows", lambda *a: pytest.fail("counted rows"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + "?page=2")
    assert response.status_code == 200
    return len(queries)


def test_a_page_of_the_table_costs_the_same_queries_at_any_size(client, monkeypatch):
    """The rows are not counted again (the votes kept the counts), and a debate 200 times
    bigger with three times the participants costs no more queries: whoever changes this
    count, say why."""
    small = _page_queries(client, monkeypatch, 10, 110)
    big = _page_queries(client, monkeypatch, 2000, 330)
    assert small == big <= 16, (small, big)


def test_the_table_pages_participants_by_name(client, cast, debate, thesis):
    voters = [UserFactory(username=f"student{i:03}") for i in range(230)]
    for voter in voters:
        services.vote_cast(user=voter, point=thesis, value=2)
    client.force_login(cast.owner)
    url = reverse("arguments:debate_activity", args=[debate.slug])
    first = client.get(url).content.decode()
    last = client.get(url + "?page=3").content.decode()
    assert first.count("<tr>") - 1 == 100  # a page of 100 (the header's row aside)
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert "student229" in last and "student000" not in last and 'rel="next"' not in last
    everyone = [row["username"] for row in _csv(client, cast.owner, debate)]
    assert len(everyone) == len(set(everyone)) == 230 + 6


# -- after a claim write: counting again only the people it touched ------------------------


def _spy_recounts(monkeypatch) -> list[bool]:
    """Each count from the rows `_current` makes: True when of some people only."""
    made: list[bool] = []
    real = activity.counted_from_rows

    def spy(debate, at=None, *, users=None):
        made.append(users is not None)
        return real(debate, at, users=users)

    monkeypatch.setattr(activity, "counted_from_rows", spy)
    return made


def _one_structure_write(rng: random.Random, cast, debate, people, economist) -> str:
    """A random write of the kinds the people-only count must follow (edits and moves too),
    or any other kind now and then (votes make the next count whole: the stamp's tally)."""
    published = list(Claim.objects.filter(debate=debate, status=Claim.Status.PUBLISHED))
    leaves = [c for c in published if not c.is_thesis]
    kind = rng.choice(["edit", "move", "other", "other", "other"])
    try:
        if kind == "edit" and published:
            services.claim_edit(
                actor=cast.editor, claim=rng.choice(published), text=f"Edited {rng.random()}"
            )
        elif kind == "move" and leaves:
            claim = rng.choice(leaves)
            below = {claim.pk}
            frontier = [claim.pk]
            while frontier:  # not under itself
                kids = Relation.objects.filter(parent_id__in=frontier, is_link=False)
                frontier = [k for k in kids.values_list("child_id", flat=True) if k not in below]
                below.update(frontier)
            parents = [c for c in published if c.pk not in below]
            services.claim_move(actor=cast.moderator, claim=claim, parent=rng.choice(parents))
        else:
            return _one_write(rng, cast, debate, people, economist)
    except (ValidationError, PermissionDenied, RateLimited):
        return f"{kind} refused"
    return kind


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counting_the_touched_people_equals_counting_everyone_after_random_writes(
    cast, debate, thesis, pro, con, monkeypatch, seed
):
    """After every write of every kind (claims added, suggested, approved, hidden, restored,
    edited, moved, merged; sources cited; notes added and deleted; votes; flags), the table's
    counts equal a count of every participant from the rows, and most writes that moved no
    vote were caught up by counting only the people they touched."""
    rng = random.Random(seed)
    people, economist = _participants(cast, debate, 3, Role.WRITER)
    made = _spy_recounts(monkeypatch)
    kinds: set[str] = set()
    for step in range(60):
        kinds.add(_one_structure_write(rng, cast, debate, people, economist))
        activity.people_of(debate)  # brings the stored counts up to date
        assert _stamp_current(debate), f"step {step}"
        assert _stored(debate) == counted_from_rows(debate), f"step {step}: {kinds}"
    assert {"edit", "move", "claim", "cite", "note"} <= kinds, kinds
    assert sum(made) >= 20, made  # most writes: their people only


def test_after_a_claim_write_only_its_people_are_counted_at_any_size(client, monkeypatch):
    """The first read of the table after claims are added, a source cited and a note written
    counts only the people those writes touched (not every participant, not the debate) and
    costs the same queries on a debate 200 times bigger with three times the participants:
    whoever changes this count, say why."""

    def queries(size: int, participants: int) -> int:
        debate, thesis, url = _counted_once(client, "touched", size, participants)
        writer = UserFactory()
        Membership.objects.create(debate=debate, user=writer, role=Role.WRITER)
        claim = services.claim_add(actor=writer, parent=thesis, stance=Stance.PRO, text="New")
        services.source_cite(actor=debate.owner, claim=claim, url="https://example.org/a")
        services.annotation_add(actor=writer, claim=thesis, body="A note")
        caches.forget_all()
        with monkeypatch.context() as patched:
            made = _spy_recounts(patched)
            patched.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url + "?page=2")
        assert response.status_code == 200
        assert made == [True], made
        assert _stamp_current(debate)
        assert _stored(debate) == counted_from_rows(debate)
        assert _stored(debate)[writer.pk].claims == 1 and _stored(debate)[writer.pk].notes == 1
        return len(captured)

    small = queries(10, 110)
    big = queries(2000, 330)
    # 26, and 2 to keep the page: the debate's versions with the site's write counts before
    # it renders and the counts after (views/kept_reads.py).
    assert small == big <= 28, (small, big)


def test_votes_after_a_write_stay_counted_and_only_the_touched_are_counted(
    cast, debate, thesis, pro, monkeypatch
):
    """A vote cast or withdrawn while the counts wait for a write keeps the votes counted
    (a write moves no vote): the next reader still counts only the write's people."""
    services.vote_cast(user=cast.editor, point=thesis, value=2)
    activity_of(debate)
    services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="Behind")
    services.vote_cast(user=cast.viewer, point=thesis, value=1)
    services.vote_withdraw(user=cast.editor, point=thesis)
    made = _spy_recounts(monkeypatch)
    activity_of(debate)
    assert made == [True]
    assert _stamp_current(debate)
    assert _stored(debate) == counted_from_rows(debate)
    assert _stored(debate)[cast.viewer.pk].votes == 1 and cast.editor.pk not in _stored(debate)


def test_a_tally_moved_without_its_votes_counted_counts_everyone(
    cast, debate, thesis, pro, monkeypatch
):
    """Tallies fixed behind the votes (a recount, a merge) move the tally version past the
    stamp's: the votes are not known to be counted, so everyone is counted."""
    activity_of(debate)
    services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="Behind")
    Vote.objects.create(user=cast.viewer, thesis=thesis, value=3)  # as a bulk insert would
    Debate.objects.filter(pk=debate.pk).update(tally_version=F("tally_version") + 1)
    made = _spy_recounts(monkeypatch)
    activity_of(debate)
    assert made == [False]
    assert _stored(debate) == counted_from_rows(debate)
    assert _stored(debate)[cast.viewer.pk].votes == 1


def test_a_citation_or_note_deleted_outside_the_services_counts_everyone(
    cast, debate, thesis, pro, monkeypatch
):
    """A deleted row leaves nothing to find its adder or author by: the deletion moves the
    debate to a version no named change catches up (`rebuilt_in`), and everyone is counted."""
    services.source_cite(actor=cast.editor, claim=pro, url="https://example.org/gone")
    note = services.annotation_add(actor=cast.viewer, claim=pro, body="Gone too")
    activity_of(debate)
    assert _stored(debate)[cast.editor.pk].sources == 1
    pro.citations.get().delete()
    Annotation.objects.filter(pk=note.pk).delete()
    made = _spy_recounts(monkeypatch)
    activity_of(debate)
    assert made == [False]
    assert _stored(debate) == counted_from_rows(debate)
    assert cast.editor.pk not in _stored(debate) or _stored(debate)[cast.editor.pk].sources == 0


def test_a_vote_between_the_count_and_its_store_counts_the_people_once_more(
    cast, debate, thesis, pro, monkeypatch
):
    """The store refuses counts read before a vote it did not see (`votes_counted`): the
    reader counts the write's people again, and the vote is in what it stores."""
    activity_of(debate)
    services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="Raced")
    made: list[bool] = []
    real = activity.counted_from_rows

    def counted_then_a_vote(debate, at=None, *, users=None):
        made.append(users is not None)
        counted = real(debate, at, users=users)
        if len(made) == 1:
            services.vote_cast(user=cast.viewer, point=thesis, value=4)
        return counted

    monkeypatch.setattr(activity, "counted_from_rows", counted_then_a_vote)
    activity_of(debate)
    assert made == [True, True]
    monkeypatch.undo()
    assert _stamp_current(debate)
    assert _stored(debate) == counted_from_rows(debate)
    assert _stored(debate)[cast.viewer.pk].votes == 1
