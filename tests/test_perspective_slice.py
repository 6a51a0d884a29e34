"""A worker holding nothing of a debate shows its first screen, a focus page and a branch
through a perspective from the slice with the perspective's stored strengths
(arguments/reading/perspectives.py, `structure_for`): the same page, for every persona and
every kind of perspective, as the whole structure seen as it gives, in a few queries
whatever the debate's size."""

from __future__ import annotations

import contextlib
import random
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from arguments import services
from arguments.models import (
    Claim,
    Debate,
    OpinionMap,
    Perspective,
    PerspectiveStamp,
    Relation,
    Vote,
)
from arguments.structure import loader
from arguments.structure.loader import debate_structure, holds
from tests import test_first_screen, test_focus_slice
from tests.conftest import build_debate
from tests.factories import UserFactory
from tests.test_first_screen import NONCE, TICKET, TOKEN, _cold

argued = test_first_screen.argued  # every kind of row the first screen decides by
PERSONAS = test_focus_slice.PERSONAS
KINDS = ["named", "group", "user", "opinion"]
HTMX = {"HTTP_HX_REQUEST": "true"}


def _perspectives(cast, debate: Debate) -> dict[str, str]:
    """One perspective of each kind, each with votes of its own: the owner's named one, a
    group of the writer and the editor, the viewer alone, an opinion group of three."""
    thesis = debate.claims.get(is_thesis=True)
    points = [thesis, *Relation.objects.filter(debate=debate, is_link=False).order_by("id")]
    named = services.perspective_create(actor=cast.owner, debate=debate, name="an economist")
    for index, point in enumerate(points[:4]):
        services.vote_cast(user=cast.owner, point=point, value=index % 5, perspective=named)
    group = services.group_create(actor=cast.owner, debate=debate, name="Section A")
    services.group_members_set(
        actor=cast.owner, group=group, user_ids=[cast.writer.pk, cast.editor.pk]
    )
    voters = [cast.writer, cast.editor, cast.viewer]
    OpinionMap.objects.update_or_create(
        debate=debate,
        defaults={
            "computed_from": Debate.objects.get(pk=debate.pk).tally_version,
            "result": {
                "groups": [{"size": 3, "label": "A"}],
                "dots": [[user.pk, 0.0, 0.0, 0] for user in voters],
            },
        },
    )
    return {
        "named": f"named:{named.pk}",
        "group": f"group:{group.pk}",
        "user": f"user:{cast.viewer.pk}",
        "opinion": "opinion:0",
    }


def _get(client, user, url: str, perspective: str, *, part: str = "") -> tuple[int, str]:
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    if part == "branch":
        query = {"perspective": perspective, "part": "branch", "depth": "2"}
        response = client.get(url, query, **HTMX)
    else:
        response = client.get(url, {"perspective": perspective})
    html = TOKEN.sub("csrf", response.content.decode())
    return response.status_code, TICKET.sub("ticket", NONCE.sub("nonce", html))


def _same_cold_as_whole(client, user, debate, url, perspective, monkeypatch, part="") -> int:
    """The page from a worker that scored the perspective on the whole structure (and so
    stored its strengths), then from one holding nothing, the whole load forbidden."""
    _cold()
    debate_structure(debate)
    whole = _get(client, user, url, perspective, part=part)
    _cold()
    with monkeypatch.context() as patched:
        patched.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
        sliced = _get(client, user, url, perspective, part=part)
    assert not holds(debate), "the slice is never kept"
    assert sliced == whole, f"{url} {part}"
    return whole[0]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_cold_page_through_a_perspective_is_the_page_the_whole_structure_gives(
    client, cast, argued, persona, kind, monkeypatch
):
    user = cast[persona]
    perspective = _perspectives(cast, argued)[kind]
    argued.refresh_from_db()
    statuses = [
        _same_cold_as_whole(
            client, user, argued, argued.get_absolute_url(), perspective, monkeypatch
        )
    ]
    claims = list(Claim.objects.filter(debate=argued).order_by("id").values_list("pk", flat=True))
    for claim_id in [*claims, max(claims) + 1000]:  # every claim, and one that is none
        url = reverse("arguments:claim", args=[argued.slug, claim_id])
        for part in ("", "branch"):
            statuses.append(
                _same_cold_as_whole(client, user, argued, url, perspective, monkeypatch, part)
            )
    may_see_voters = persona in ("moderator", "owner") or kind in ("named", "opinion")
    if may_see_voters:
        assert statuses.count(200) >= 10 and 404 in statuses
    else:  # a participant's or a group's votes: the owner's and moderators' only
        assert set(statuses) == {403}


def test_a_visitors_slice_never_holds_a_moderators_claims(client, cast, argued):
    """The perspective's stored strengths cover hidden and pending claims' neighbours; what
    a reader sees of them is decided as on the whole structure."""
    perspective = _perspectives(cast, argued)["named"]
    _cold()
    client.force_login(cast.moderator)
    client.get(argued.get_absolute_url(), {"perspective": perspective})
    _cold()
    client.logout()
    page = client.get(argued.get_absolute_url(), {"perspective": perspective})
    assert "Waiting at the top." not in page.content.decode()
    client.force_login(cast.moderator)
    _cold()
    assert (
        "Waiting at the top."
        in client.get(argued.get_absolute_url(), {"perspective": perspective}).content.decode()
    )


def test_others_votes_leave_the_stored_strengths_current_and_the_perspectives_do_not(
    client, cast, argued, monkeypatch
):
    """The stamp is the tallies' digest, not the debate's tally version: a vote by someone
    outside the perspective keeps the slice; a vote cast as it sends the reader to the whole
    structure, which stores the new strengths."""
    perspective = _perspectives(cast, argued)["named"]
    url = argued.get_absolute_url()
    _cold()
    client.get(url, {"perspective": perspective})
    stamp = PerspectiveStamp.objects.get(debate=argued, key=perspective)
    pro = Relation.objects.filter(debate=argued, is_link=False).order_by("id").first()
    services.vote_cast(user=cast.moderator, point=pro, value=4)
    _same_cold_as_whole(client, cast.anonymous, argued, url, perspective, monkeypatch)
    assert PerspectiveStamp.objects.get(pk=stamp.pk).tallies_digest == stamp.tallies_digest
    named = Perspective.objects.get(pk=int(perspective.split(":")[1]))
    services.vote_cast(user=cast.owner, point=pro, value=0, perspective=named)
    _cold()
    client.get(url, {"perspective": perspective})
    assert holds(argued), "behind: the whole structure"
    assert PerspectiveStamp.objects.get(pk=stamp.pk).tallies_digest != stamp.tallies_digest


@pytest.mark.parametrize("seed", [3, 4])
def test_the_perspectives_slice_agrees_with_the_whole_after_random_writes(
    client, cast, debate, seed, monkeypatch
):
    rng = random.Random(seed)
    kinds = _perspectives(cast, debate)
    named = Perspective.objects.get(pk=int(kinds["named"].split(":")[1]))
    for step in range(24):
        test_focus_slice._random_write(rng, cast, debate)
        if rng.random() < 0.4:  # a vote cast as the named perspective: its stamp is behind
            point = rng.choice(
                [
                    *Claim.objects.filter(debate=debate, is_thesis=True),
                    *Relation.objects.filter(debate=debate, is_link=False, is_hidden=False),
                ]
            )
            with contextlib.suppress(PermissionDenied, ValidationError):  # a hidden claim's
                services.vote_cast(
                    user=cast.owner, point=point, value=rng.randint(0, 4), perspective=named
                )
        if step % 8 != 7:
            continue
        debate.refresh_from_db()
        ids = list(Claim.objects.filter(debate=debate).values_list("pk", flat=True))
        for claim_id in rng.sample(ids, min(4, len(ids))):
            url = reverse("arguments:claim", args=[debate.slug, claim_id])
            for kind in ("named", "group"):
                for user in (cast.anonymous, cast.moderator):
                    _same_cold_as_whole(client, user, debate, url, kinds[kind], monkeypatch)


@pytest.mark.parametrize("size", [10, 2000])
def test_a_cold_perspective_page_reads_a_few_rows_at_any_size(
    client, cast, size, monkeypatch, django_assert_max_num_queries
):
    debate = build_debate(size, slug=f"seen-{size}")
    voters = [UserFactory() for _ in range(3)]
    group = Perspective.objects.create(debate=debate, kind="group", name="Section A")
    group.members.set(voters[:2])
    relations = Relation.objects.filter(debate=debate, is_link=False).order_by("id")[:40]
    Vote.objects.bulk_create(
        Vote(user=user, relation=relation, value=(i + j) % 5)
        for i, user in enumerate(voters)
        for j, relation in enumerate(relations)
    )
    seen_as = {"perspective": f"group:{group.pk}"}
    client.force_login(debate.owner)
    client.get(debate.get_absolute_url(), seen_as)  # scored whole once: stored
    monkeypatch.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
    deep = Relation.objects.filter(debate=debate, is_link=False).order_by("-id").first().parent_id
    focus = reverse("arguments:claim", args=[debate.slug, deep])
    # The owner's page as a visitor's slice (7 in one snapshot, test_focus_slice.py) and
    # the perspective's part: the group's row (the parameter), its stamp, its tallies (one
    # grouped query), the slice's strengths; then session, user, notices, my votes, the
    # picker's perspectives and participants, following; a page (not the htmx branch) also
    # reads the debate's versions with the site's write counts before it renders and the
    # counts again after, to keep it (views/kept_reads.py: 2). If this grows, say why.
    for url, extra in ((debate.get_absolute_url(), {}), (focus, {}), (focus, HTMX)):
        _cold()
        query = {**seen_as, "part": "branch"} if extra else seen_as
        with django_assert_max_num_queries(20 if extra else 22):
            assert client.get(url, query, **extra).status_code == 200
    assert not holds(debate)


@pytest.mark.django_db(transaction=True)
def test_racing_stores_leave_rows_that_match_their_stamp(cast, debate):
    """Two processes storing one perspective's strengths scored on different tallies at the
    same moment: whichever lands last, the stamp names the tallies its rows were scored on
    (the stamp's row lock makes the two take turns). PostgreSQL makes them race for real."""
    from django.db import connection as default_connection
    from django.db import connections

    from arguments.models import PerspectiveStrength
    from arguments.reading import perspectives

    claims = list(Claim.objects.filter(debate=debate).values_list("pk", flat=True))
    version = Debate.objects.get(pk=debate.pk).structure_version
    scored = {
        "a" * 32: dict.fromkeys(claims, 0.25),
        "b" * 32: dict.fromkeys(claims, 0.75),
    }
    for round_ in range(6):
        barrier = threading.Barrier(2)

        def store(digest: str, round_: int = round_, barrier=barrier) -> None:
            try:
                barrier.wait()
                perspectives.store(debate.pk, f"named:{round_}", version, digest, scored[digest])
            finally:
                connections.close_all()

        threads = [threading.Thread(target=store, args=(digest,)) for digest in scored]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stamp = PerspectiveStamp.objects.get(debate=debate, key=f"named:{round_}")
        rows = dict(
            PerspectiveStrength.objects.filter(stamp=stamp).values_list("claim_id", "strength")
        )
        assert rows == scored[stamp.tallies_digest], default_connection.vendor
