"""A claim written in a worker that holds nothing of its debate (issue 35, 35x): the write's
own request and the pages after it never load the debate whole, and the stored strengths
and branch sizes they bring up to date from the rows around the change
(arguments/structure/stored_writes.py) are exactly what a whole load computes."""

from __future__ import annotations

import contextlib
import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from arguments import services
from arguments.models import (
    Claim,
    Debate,
    Notification,
    Relation,
    Role,
    Stance,
    StoredBranchSize,
)
from arguments.reading.lens import Lens
from arguments.structure import first_screen, loader, stored_sizes, stored_strengths, stored_writes
from arguments.structure.loader import claim_strengths, debate_structure, holds
from tests import test_first_screen
from tests.conftest import build_debate
from tests.factories import MembershipFactory
from tests.test_first_screen import NONCE, TICKET, TOKEN, _cold

# A worker that holds nothing catches these debates up as it would a 200,000-claim one.
pytestmark = pytest.mark.usefixtures("too_big_to_hold")

argued = test_first_screen.argued  # a debate with every kind of row the pages show

HTMX = {"HTTP_HX_REQUEST": "true"}


def _fresh(debate: Debate) -> Debate:
    return Debate.objects.get(pk=debate.pk)


def _stored(debate: Debate) -> tuple[dict[int, float | None], dict[int, int]]:
    strengths = dict(
        Claim.objects.filter(debate=debate).values_list("id", "stored_strength__strength")
    )
    sizes = dict(
        StoredBranchSize.objects.filter(claim__debate=debate).values_list("claim_id", "size")
    )
    return strengths, sizes


def _computed(debate: Debate) -> tuple[dict[int, float | None], dict[int, int]]:
    """Every claim's strength and a visitor's branch sizes as a whole load computes them now
    (nothing stored by it)."""
    structure, _now, _stored_before = loader._read_whole(_fresh(debate))
    _base, strength = claim_strengths(structure)
    structure.strength = strength
    strengths = {claim_id: strength.get(claim_id) for claim_id in structure.nodes}
    return strengths, stored_sizes.stored_sizes(structure)


def _no_whole_load(monkeypatch) -> None:
    monkeypatch.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))


def _current_without_the_debate(debate: Debate) -> None:
    """A worker holding nothing brings both copies up to date, and they are a whole load's."""
    _cold()
    assert stored_writes.after_writes(_fresh(debate), sizes=True)
    fresh = _fresh(debate)
    assert stored_strengths.current(fresh) and stored_sizes.current(fresh)
    assert not holds(fresh)
    assert _stored(debate) == _computed(debate)


def _published(debate: Debate) -> list[Claim]:
    return list(Claim.objects.filter(debate=debate, status=Claim.Status.PUBLISHED).order_by("id"))


def _random_write(rng: random.Random, cast, debate: Debate) -> str:
    """One write or vote of a random kind, by someone allowed to make it; its kind."""
    claims = _published(debate)
    parent = rng.choice(claims)
    writer = rng.choice([cast.writer, cast.editor, cast.owner])
    act = rng.randrange(11)
    if act <= 2:
        services.claim_add(
            actor=writer,
            parent=parent,
            stance=rng.choice([Stance.PRO, Stance.CON]),
            text=f"Claim {rng.random():.6f}",
        )
        return "add"
    if act == 3:
        services.claim_add(
            actor=cast.suggester, parent=parent, stance=Stance.CON, text=f"Wait {rng.random()}"
        )
        return "pending"
    if act == 4:
        waiting = list(Claim.objects.filter(debate=debate, status=Claim.Status.PENDING))
        if waiting:
            services.claim_approve(actor=cast.moderator, claim=rng.choice(waiting))
            return "approve"
    if act == 5 and not parent.is_thesis:
        services.claim_hide(actor=cast.moderator, claim=parent)
        return "hide"
    if act == 6:
        hidden = list(Claim.objects.filter(debate=debate, status=Claim.Status.HIDDEN))
        if hidden:
            services.claim_restore(actor=cast.moderator, claim=rng.choice(hidden))
            return "restore"
    if act == 7 and not parent.is_thesis:
        target = rng.choice(claims)
        if target.pk != parent.pk and not target.is_thesis:
            with contextlib.suppress(ValidationError):  # already there, a cycle…
                services.claim_link(actor=writer, claim=target, parent=parent, stance=Stance.CON)
                return "link"
    if act == 8:
        links = list(Relation.objects.filter(debate=debate, is_link=True, is_hidden=False))
        if links:
            services.claim_unlink(actor=cast.owner, relation=rng.choice(links))
            return "unlink"
    if act == 9 and not parent.is_thesis:
        where = rng.choice(claims)
        with contextlib.suppress(ValidationError):  # under itself…
            services.claim_move(actor=cast.owner, claim=parent, parent=where)
            return "move"
    point = parent.parent_relations.filter(is_link=False, is_hidden=False).first() or (
        parent if parent.is_thesis else None
    )
    if point is not None:
        services.vote_cast(user=writer, point=point, value=rng.randint(0, 4))
        return "vote"
    services.claim_edit(actor=writer, claim=parent, text=f"Edited {rng.random():.6f}")
    return "edit"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_copies_caught_up_without_the_debate_equal_a_whole_load(
    cast, argued, seed, monkeypatch
):
    """Seeded random writes of every kind the tree knows, one to three between catch-ups,
    each caught up by a worker holding nothing: the stored strengths and sizes are a whole
    load's, byte for byte, and the debate is never loaded whole to get there."""
    loader.store_strengths(argued)
    rng = random.Random(seed)
    kinds: set[str] = set()
    for _step in range(30):
        for _write in range(rng.randint(1, 3)):
            kinds.add(_random_write(rng, cast, argued))
        with monkeypatch.context() as patched:
            _no_whole_load(patched)
            _current_without_the_debate(argued)
    assert {"add", "pending", "hide", "link", "move", "vote"} <= kinds


def test_a_branch_hidden_and_restored_moves_the_sizes_of_the_claims_linking_into_it(
    cast, argued, monkeypatch
):
    """A link into a branch counts for its parent only while a visitor sees the branch."""
    loader.store_strengths(argued)
    pro = Claim.objects.get(debate=argued, text="Open weights spread access.")
    beneath = Claim.objects.get(debate=argued, text="Beneath the pro.")
    con = Claim.objects.get(debate=argued, text="Released weights cannot be recalled.")
    services.claim_link(actor=cast.owner, claim=beneath, parent=con, stance=Stance.PRO)
    _no_whole_load(monkeypatch)
    _current_without_the_debate(argued)
    before = _stored(argued)[1][con.pk]
    services.claim_hide(actor=cast.moderator, claim=pro)
    _current_without_the_debate(argued)
    assert _stored(argued)[1][con.pk] < before  # its links into the pro's branch count 0
    services.claim_restore(actor=cast.moderator, claim=pro)
    _current_without_the_debate(argued)
    assert _stored(argued)[1][con.pk] == before


def test_a_write_that_cannot_say_what_it_changed_is_left_for_a_whole_load(
    cast, argued, monkeypatch
):
    loader.store_strengths(argued)
    services.debate_lock(actor=cast.owner, debate=argued, status=Debate.Status.LOCKED)
    _cold()
    assert not stored_writes.after_writes(_fresh(argued), sizes=True)
    assert not stored_strengths.current(_fresh(argued))


def _writer_on(debate: Debate, cast) -> None:
    MembershipFactory(debate=debate, user=cast.writer, role=Role.WRITER)


@pytest.mark.parametrize("size", [10, 2000])
def test_a_claim_written_in_a_worker_holding_nothing_never_loads_the_debate(
    client, cast, size, monkeypatch, django_assert_max_num_queries
):
    """The htmx write, its answer and the pages after it, each in a worker holding nothing,
    read the rows around the change, at any size; and the answer is the one the whole
    structure gives."""
    debate = build_debate(size, slug=f"write-{size}", owner=cast.owner)
    _writer_on(debate, cast)
    loader.store_strengths(debate)
    deep = Relation.objects.filter(debate=debate, is_link=False).order_by("-id").first().parent_id
    add = reverse("arguments:claim_add", kwargs={"slug": debate.slug, "pk": deep})
    focus = reverse("arguments:claim", args=[debate.slug, deep])
    client.force_login(cast.writer)
    client.get(focus)  # the CSRF cookie, and the session, as a writer's first page sets them
    _no_whole_load(monkeypatch)
    _cold()
    # Session, user, debate with the role, the parent's way up (2: the slice around it is
    # read after the write only, 35n), the parent, the similar claims, the write's own
    # statements (18), the versions after it, the stored copies brought up to date (the
    # claims named, the strengths' two reads, the sizes' six, both stores: 4 and their
    # rows), the slice around the parent (7), the reader's notices and votes. The same at
    # 10 and 2,000 claims; if this grows, say why.
    with django_assert_max_num_queries(46):
        response = client.post(add, {"text": "Written cold.", "stance": "pro"}, **HTMX)
    assert response.status_code == 200, response.content[:300]
    assert "Written cold." in response.content.decode()
    fresh = _fresh(debate)
    assert stored_strengths.current(fresh) and stored_sizes.current(fresh)
    assert not holds(fresh)
    _cold()  # a plain write (no JavaScript), past the similar claims: a redirect
    response = client.post(add, {"text": "Written plainly.", "stance": "con", "anyway": "1"})
    assert response.status_code == 302
    # Whether the reader still sees the parent is read around it: brought up to date.
    assert stored_strengths.current(_fresh(debate)) and not holds(debate)
    for url in (debate.get_absolute_url(), focus):
        _cold()
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200
    client.logout()
    _cold()
    with django_assert_max_num_queries(9):
        assert client.get(debate.get_absolute_url()).status_code == 200


def _answer(response) -> str:
    html = TOKEN.sub("csrf", response.content.decode())
    return TICKET.sub("ticket", NONCE.sub("nonce", html))


@pytest.mark.parametrize("persona", ["writer", "owner", "suggester"])
def test_the_writes_answer_from_the_slice_is_the_whole_structures(
    client, cast, argued, persona, monkeypatch
):
    """The same write answered by a worker holding the debate and by one holding nothing
    (the second on a copy of the first's state: the twin check returns the same claim)."""
    user = cast[persona]
    pro = Claim.objects.get(debate=argued, text="Open weights spread access.")
    add = reverse("arguments:claim_add", kwargs={"slug": argued.slug, "pk": pro.pk})
    client.force_login(user)
    form = {"text": "The same words twice.", "stance": "pro", "anyway": "1"}
    debate_structure(_fresh(argued))  # a worker holding the debate
    whole = client.post(add, form, **HTMX)
    assert holds(_fresh(argued))
    _cold()  # another worker, holding nothing; the same words return the same claim
    with monkeypatch.context() as patched:
        _no_whole_load(patched)
        sliced = client.post(add, form, **HTMX)
    assert (sliced.status_code, _answer(sliced)) == (whole.status_code, _answer(whole))
    assert whole.status_code == 200


def test_the_notices_of_a_new_claim_are_read_around_it(cast, argued, now, monkeypatch):
    """The task worker tells the parent's followers (its author follows it) of a new claim
    from the slice around the claim, not from a whole load of the debate."""
    loader.store_strengths(argued)
    pro = Claim.objects.get(debate=argued, text="Open weights spread access.")
    _cold()
    _no_whole_load(monkeypatch)
    with now():
        services.claim_add(actor=cast.editor, parent=pro, stance=Stance.CON, text="Told around.")
    told = Notification.objects.filter(recipient=cast.writer, claim=pro)
    assert told.filter(text__contains="Told around.").exists()
    assert not holds(argued)


@pytest.mark.parametrize("persona", ["writer", "moderator"])
def test_an_edit_and_a_citation_in_a_worker_holding_nothing_answer_as_the_whole_structure(
    client, cast, argued, persona, monkeypatch
):
    """An edit's and a citation's answer (the claim's body) read around the claim: the same
    edit answered by a worker holding the debate and by one holding nothing is the same."""
    deep = Claim.objects.get(debate=argued, text="Beneath the pro.")
    edit = reverse("arguments:claim_edit", args=[argued.slug, deep.pk])
    cite = reverse("arguments:claim_cite", args=[argued.slug, deep.pk])
    client.force_login(cast[persona] if persona != "writer" else cast.writer)
    form = {"text": "Beneath the pro, reworded.", "elaboration": ""}
    source = {"url": "https://example.org/a", "title": "A source", "kind": "article"}
    debate_structure(_fresh(argued))
    whole = client.post(edit, form, **HTMX)
    _cold()  # another worker, holding nothing: the same words again
    with monkeypatch.context() as patched:
        _no_whole_load(patched)
        sliced = client.post(edit, form, **HTMX)
    assert (sliced.status_code, _answer(sliced)) == (whole.status_code, _answer(whole))
    assert whole.status_code == 200
    debate_structure(_fresh(argued))
    cited_whole = client.post(cite, source, **HTMX)
    _cold()  # and another source
    with monkeypatch.context() as patched:
        _no_whole_load(patched)
        cited = client.post(cite, source | {"url": "https://example.org/b"}, **HTMX)
    assert cited.status_code == 200
    # Both sources shown, each as the whole structure shows the first.
    assert _answer(cited).count("example.org") == 2 * _answer(cited_whole).count("example.org") > 0
    _current_without_the_debate(argued)


def test_two_workers_catching_up_one_write_store_it_once(cast, argued, monkeypatch):
    """Another worker stores the same catch-up between this one's reads and its store: this
    one stores nothing (the stamps moved), answers from them, and the copies are exact."""
    loader.store_strengths(argued)
    pro = Claim.objects.get(debate=argued, text="Open weights spread access.")
    services.claim_add(actor=cast.writer, parent=pro, stance=Stance.PRO, text="Raced.")
    store = stored_strengths.store_rescored
    outcomes: list[bool] = []
    raced: list[bool] = []

    def the_other_worker_first(*args, **kwargs):
        if not raced:
            raced.append(True)
            outcomes.append(stored_writes.after_writes(_fresh(argued), sizes=True))
        outcomes.append(store(*args, **kwargs))
        return outcomes[-1]

    monkeypatch.setattr(stored_strengths, "store_rescored", the_other_worker_first)
    _no_whole_load(monkeypatch)
    _cold()
    assert stored_writes.after_writes(_fresh(argued), sizes=True)
    # The other's store, the other's answer, then this one's store: refused.
    assert outcomes == [True, True, False], "the other stored; this one found the stamp moved"
    fresh = _fresh(argued)
    assert stored_strengths.current(fresh) and stored_sizes.current(fresh)
    assert _stored(argued) == _computed(argued)


def test_a_write_in_a_worker_holding_nothing_reads_around_its_parent_once(
    client, cast, argued, monkeypatch, django_assert_max_num_queries
):
    """Issue 35 (35n): before the write, whether the writer sees the parent is read from its
    way up alone; the slice around it, and the stored copies' catch-up (of the writes and
    votes since their stamp, and of this one), are read once, after the write (they were
    read before it too: a class's write at 200,000 claims paid both twice)."""
    loader.store_strengths(argued)
    pro = Claim.objects.get(debate=argued, text="Open weights spread access.")
    add = reverse("arguments:claim_add", kwargs={"slug": argued.slug, "pk": pro.pk})
    client.force_login(cast.writer)
    client.get(reverse("arguments:claim", args=[argued.slug, pro.pk]))  # the CSRF cookie
    services.vote_cast(
        user=cast.viewer, point=Relation.objects.get(child=pro, is_link=False), value=4
    )  # elsewhere
    slices, catch_ups = [], []
    load, after_writes = first_screen.load, stored_writes.after_writes
    monkeypatch.setattr(
        first_screen, "load", lambda *a, **k: slices.append(k.get("around")) or load(*a, **k)
    )
    monkeypatch.setattr(
        stored_writes, "after_writes", lambda *a, **k: catch_ups.append(1) or after_writes(*a, **k)
    )
    _no_whole_load(monkeypatch)
    _cold()
    form = {"text": "Read around once.", "stance": "pro", "anyway": "1"}
    with django_assert_max_num_queries(44):
        response = client.post(add, form, **HTMX)
    assert response.status_code == 200 and "Read around once." in response.content.decode()
    assert slices == [pro.pk] and len(catch_ups) == 1
    assert stored_strengths.current(_fresh(argued)) and not holds(argued)


@pytest.mark.parametrize("persona", ["anonymous", "viewer", "writer", "suggester", "moderator"])
def test_whether_a_claim_is_seen_before_a_write_is_what_the_slice_says(cast, argued, persona):
    """The way up alone (`Lens.sees_before_write`) and the slice around the claim (`sees`)
    answer alike for every claim of a debate with hidden and pending claims and links."""
    loader.store_strengths(argued)
    user = cast[persona]
    for claim_id in Claim.objects.filter(debate=argued).values_list("id", flat=True):
        _cold()
        before = Lens.of(_fresh(argued), user, around=claim_id).sees_before_write(claim_id)
        _cold()
        assert before == Lens.of(_fresh(argued), user, around=claim_id).sees(claim_id), claim_id
