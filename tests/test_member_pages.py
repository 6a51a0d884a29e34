"""A member's debate page kept whole per reader (arguments/views/member_pages.py): after every
kind of write, the page served from the store is the page rendered afresh; one member's page
is never another's; an ended, forged or outdated session gets no member page; the token in a
kept page is good for the session it is served to; a hit costs one query at any size."""

from __future__ import annotations

import contextlib
import difflib
import random
import re
from collections.abc import Callable
from urllib.parse import unquote_plus

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from arguments import selectors, services
from arguments.live import polls
from arguments.models import Claim, Debate, Membership, Notification, Role, Stance, Task
from arguments.reading import perspectives
from arguments.rules.limits import RateLimited
from arguments.services import tasks
from arguments.structure import first_screen, loader
from arguments.views import member_pages, visitor_pages
from tests import test_first_screen
from tests.conftest import build_debate
from tests.factories import UserFactory

argued = test_first_screen.argued  # a debate with every kind of row the page shows

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')
NONCE = re.compile(r"nonce=\"[^\"]+\"|'nonce-[^']+'")
TICKET = re.compile(r"ticket=[^\"&]+")  # signed with the time: a second apart, it differs
# "N minutes ago": a page is kept up to a minute by design, and two renders a second apart
# may straddle a minute.
SINCE = re.compile(r"\d+\xa0\w+(?:, \d+\xa0\w+)?")
PERSONAS = ["anonymous", "suggester", "writer", "moderator", "owner"]


def _diff(served: str, fresh: str) -> str:
    lines = difflib.unified_diff(served.splitlines(), fresh.splitlines(), lineterm="", n=1)
    return "\n" + "\n".join(list(lines)[:40])


def _plain(html: str) -> str:
    return SINCE.sub("N", TICKET.sub("ticket", NONCE.sub("nonce", TOKEN.sub("csrf", html))))


class Served:
    """Counts the pages answered from the store (a test that never hits proves nothing)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.hits = 0
        answer = member_pages._answer

        def counted(*args: object) -> object:
            self.hits += 1
            return answer(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(member_pages, "_answer", counted)


def _page(client: Client, url: str) -> tuple[int, str, str]:
    response = client.get(url)
    for name, morsel in list(client.cookies.items()):
        if morsel["max-age"] == 0:  # deleted by the answer: a browser drops it
            del client.cookies[name]
    return (
        response.status_code,
        response.get("Content-Language", ""),
        _plain(response.content.decode()),
    )


def _fresh(client: Client, url: str) -> tuple[int, str, str]:
    member_pages.forget_pages()
    visitor_pages.forget_pages()
    return _page(client, url)


def _signed_in_as(html: str) -> str | None:
    """The name in the page's header link to the reader's profile, if any."""
    found = re.search(rf'<a href="{reverse("arguments:profile")}">([^<]+)</a>', html)
    return found.group(1) if found else None


def _sign_in(client: Client, user) -> None:
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
        client.get("/")  # the CSRF cookie, as a member's first page sets it


@pytest.fixture
def served(monkeypatch) -> Served:
    return Served(monkeypatch)


def _kept_pages() -> list[member_pages.MemberPage]:
    return [
        kept for kept in member_pages._pages.values() if isinstance(kept, member_pages.MemberPage)
    ]


def test_a_kept_page_is_served_and_is_the_page_rendered_afresh(client, cast, argued, served):
    url = argued.get_absolute_url()
    _sign_in(client, cast.writer)
    fresh = _fresh(client, url)
    assert served.hits == 0 and len(_kept_pages()) == 1
    again = _page(client, url)
    assert served.hits == 1
    assert again == fresh
    assert _signed_in_as(again[2]) == "wren"


# Writes, each given the reader, the debate and a seeded random source.
Write = Callable[[object, Debate, object, random.Random], None]


def _claims(debate: Debate) -> list[Claim]:
    return list(Claim.objects.filter(debate=debate, status=Claim.Status.PUBLISHED).order_by("id"))


def _own_vote(cast, debate, reader, rng):
    if reader.is_authenticated:
        relation = rng.choice(list(debate.relations.order_by("id")))
        services.vote_cast(user=reader, point=relation, value=rng.randint(0, 4))


def _another_vote(cast, debate, reader, rng):
    relation = rng.choice(list(debate.relations.order_by("id")))
    services.vote_cast(user=cast.editor, point=relation, value=rng.randint(0, 4))


def _claim_added(cast, debate, reader, rng):
    parent = rng.choice(_claims(debate))
    stance = rng.choice([Stance.PRO, Stance.CON])
    services.claim_add(actor=cast.writer, parent=parent, stance=stance, text=f"A {rng.random()}")


def _flag_on_their_claim(cast, debate, reader, rng):
    theirs = Claim.objects.filter(debate=debate, author_id=getattr(reader, "pk", None)).first()
    target = theirs or rng.choice(_claims(debate))
    services.flag_raise(actor=cast.viewer, reason="unclear", claim=target)


def _their_own_flag(cast, debate, reader, rng):
    if reader.is_authenticated:
        services.flag_raise(actor=reader, reason="off_topic", claim=rng.choice(_claims(debate)))


def _notification(cast, debate, reader, rng):
    if reader.is_authenticated:
        claim = rng.choice(_claims(debate))
        Notification.objects.create(
            recipient=reader,
            debate=debate,
            claim=claim,
            kind=Notification.Kind.values[0],
            about=claim.text[:200],
            text="Someone answered your claim.",
            url=claim.get_absolute_url() if hasattr(claim, "get_absolute_url") else "/",
        )


def _follow(cast, debate, reader, rng):
    if reader.is_authenticated:
        services.follow_set(user=reader, debate=debate, claim=None, on=rng.random() < 0.6)


def _role_change(cast, debate, reader, rng):
    name = rng.choice(["viewer", "suggester", "writer", "editor", "moderator"])
    services.membership_grant(
        actor=cast.owner, debate=debate, user=cast[name], role=rng.choice(Role.values[1:])
    )


def _role_change_by_bulk_update(cast, debate, reader, rng):
    # Not through a service: a queryset's update() moves the write count all the same.
    name = rng.choice(["suggester", "writer", "moderator"])
    Membership.objects.filter(debate=debate, user=cast[name]).update(
        role=rng.choice([Role.WRITER, Role.MODERATOR, Role.SUGGESTER])
    )


def _task(cast, debate, reader, rng):
    existing = list(debate.tasks.all())
    if existing and rng.random() < 0.5:
        tasks.task_remove(actor=cast.owner, task=rng.choice(existing))
    else:
        tasks.task_add(actor=cast.owner, debate=debate, kind=rng.choice(Task.Kind.values), count=2)


WRITES: list[Write] = [
    _own_vote,
    _another_vote,
    _claim_added,
    _flag_on_their_claim,
    _their_own_flag,
    _notification,
    _follow,
    _role_change,
    _role_change_by_bulk_update,
    _task,
]


def _language(client: Client, url: str, rng: random.Random) -> None:
    language = rng.choice(["fr", "de", "en", "ar"])
    client.post(reverse("arguments:language"), {"language": language, "next": url})


MESSAGES = ("Your claim is saved.", "Now following the debate.")


def _message(client: Client, url: str, rng: random.Random) -> None:
    """A message waiting in its cookie, where Django's default storage keeps it."""
    storage = CookieStorage(HttpRequest())
    text = MESSAGES[0] if rng.random() < 0.5 else MESSAGES[1]
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, text)])


def _session_message(client: Client, url: str, rng: random.Random) -> None:
    """A message in the session, where Django's storage puts what its cookie cannot hold."""
    session = client.session
    request = HttpRequest()
    request.session = session
    SessionStorage(request)._store([Message(constants.SUCCESS, "Saved.")], None)
    session.save()


def _voting_as(client: Client, url: str, rng: random.Random, *, reader, debate) -> None:
    perspective = services.perspective_create(actor=reader, debate=debate, name=f"P{rng.random()}")
    session = client.session
    perspectives.choose_voting_as(session, debate, perspective)
    session.save()


def _password(reader) -> None:
    reader.set_password(f"another-{random.random()}")
    reader.save()


@pytest.mark.parametrize("seed", [1, 2])
def test_after_every_kind_of_write_the_kept_page_is_the_page_rendered_afresh(
    cast, argued, served, seed, django_capture_on_commit_callbacks
):
    """Seeded random steps; after each, every persona's page as the store serves it equals
    their page rendered afresh (which the store then keeps for the next step)."""
    rng = random.Random(seed)
    url = argued.get_absolute_url()
    clients = {name: Client() for name in PERSONAS}
    for name, client in clients.items():
        _sign_in(client, cast[name])
        _fresh(client, url)
    kinds: dict[str, int] = {}
    for _step in range(24):
        name = rng.choice(PERSONAS)
        reader, client = cast[name], clients[name]
        kind = rng.choice(
            [w.__name__ for w in WRITES]
            + ["nothing", "language", "message", "session_message", "voting_as", "logout"]
            + ["password"]
        )
        kinds[kind] = kinds.get(kind, 0) + 1
        with (
            django_capture_on_commit_callbacks(execute=True),
            contextlib.suppress(ValidationError, PermissionDenied, RateLimited),
        ):
            if kind == "language":
                _language(client, url, rng)
            elif kind == "message":
                _message(client, url, rng)
            elif kind == "session_message" and reader.is_authenticated:
                _session_message(client, url, rng)
            elif kind == "voting_as" and reader.is_authenticated:
                _voting_as(client, url, rng, reader=reader, debate=argued)
            elif kind == "logout":
                client.logout()
            elif kind == "password" and reader.is_authenticated:
                _password(reader)
            elif kind.startswith("_"):
                next(w for w in WRITES if w.__name__ == kind)(cast, argued, reader, rng)
        for other, each in clients.items():
            kept = _page(each, url)
            fresh = _fresh(each, url)
            if other == name and kind == "message":  # shown once, by Django: then gone
                assert MESSAGES[0] in kept[2] or MESSAGES[1] in kept[2]
                assert MESSAGES[0] not in fresh[2] and MESSAGES[1] not in fresh[2]
            else:
                assert kept == fresh, f"{other}'s page after {kind} (step {_step})" + _diff(
                    kept[2], fresh[2]
                )
            assert _page(each, url) == fresh, f"{other}'s page kept after {kind} (step {_step})"
        if kind in {"logout", "password", "session_message", "voting_as"}:
            _sign_in(client, reader)  # back to a plain signed-in reader for what follows
            _fresh(client, url)
    assert served.hits >= 24 * 2, "the store served pages between writes"


def test_a_message_is_shown_by_django_then_the_page_is_kept_again(cast, argued, served):
    url = argued.get_absolute_url()
    wren = Client()
    _sign_in(wren, cast.writer)
    kept = _page(wren, url)
    _page(wren, url)
    assert served.hits == 1
    _message(wren, url, random.Random(1))
    shown = _page(wren, url)
    assert served.hits == 1 and "Your claim is saved." in shown[2]
    assert _page(wren, url) == kept  # the message was read: its cookie is gone
    assert served.hits == 2


def test_a_session_changed_in_place_is_read_anew(cast, argued, served):
    url = argued.get_absolute_url()
    wren = Client()
    _sign_in(wren, cast.writer)
    _page(wren, url)
    _page(wren, url)
    assert served.hits == 1
    session = wren.session
    session["language"] = "fr"  # what the switcher keeps for a member
    session.save()
    french = _page(wren, url)
    assert served.hits == 1 and french[1] == "fr"
    assert _page(wren, url) == french and served.hits == 2
    session = wren.session
    session["_messages"] = "[]"  # anything else: Django's way, every time
    session.save()
    _page(wren, url)
    _page(wren, url)
    assert served.hits == 2


def test_one_members_kept_page_is_never_anothers(cast, argued, served):
    url = argued.get_absolute_url()
    wren, mo = Client(), Client()
    _sign_in(wren, cast.writer)
    _sign_in(mo, cast.moderator)
    _page(wren, url)
    _page(wren, url)
    assert served.hits == 1
    moderators = _page(mo, url)[2]
    assert served.hits == 1, "another member's request never hits the first one's page"
    assert _signed_in_as(moderators) == "mo"


def test_an_ended_forged_or_outdated_session_gets_no_member_page(cast, argued, served):
    url = argued.get_absolute_url()
    wren = Client()
    _sign_in(wren, cast.writer)
    _page(wren, url)
    secret = wren.cookies["csrftoken"].value
    session_key = wren.cookies["sessionid"].value

    forged = Client()
    forged.cookies["csrftoken"] = secret
    forged.cookies["sessionid"] = session_key[:-4] + "abcd"
    assert _signed_in_as(_page(forged, url)[2]) is None

    Session.objects.filter(session_key=session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    member_pages.forget_pages()  # its decoding, not the page: a new key is read anyway
    assert _signed_in_as(_page(wren, url)[2]) is None

    _sign_in(wren, cast.writer)
    _page(wren, url)
    hits = served.hits
    cast.writer.is_active = False
    cast.writer.save()
    assert _signed_in_as(_page(wren, url)[2]) is None and served.hits == hits


def test_a_changed_password_signs_out_as_django_does(cast, argued, served):
    url = argued.get_absolute_url()
    wren = Client()
    _sign_in(wren, cast.writer)
    _page(wren, url)
    # A password changed without a write the count sees (another database's tool, say):
    # the session's auth hash no longer matches, so the kept page is not served.
    with connection.cursor() as cursor:
        member_pages._counting.on = False
        try:
            cast.writer.set_password("changed elsewhere")
            cast.writer.save()
        finally:
            member_pages._counting.on = True
    hits = served.hits
    page = _page(wren, url)
    assert served.hits == hits and _signed_in_as(page[2]) is None
    del cursor


def test_the_token_of_a_kept_page_is_good_for_the_session_it_is_served_to(cast, argued, served):
    url = argued.get_absolute_url()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for client in (first, second):
        _sign_in(client, cast.writer)
    for client in (first, second):
        _page(client, url)  # the same page, kept once with the first one's tokens marked
    responses = [client.get(url) for client in (first, second)]
    assert served.hits == 3, "the second session's first page and both pages here"
    follow = reverse("arguments:debate_follow", args=[argued.slug])
    for client, response in zip((first, second), responses, strict=True):
        found = TOKEN.search(response.content.decode())
        assert found is not None
        token = found.group(1) or found.group(2)
        assert _unmask_cipher_token(token) == client.cookies["csrftoken"].value
        assert response.cookies["csrftoken"].value == client.cookies["csrftoken"].value
        assert client.post(follow, {"on": "1"}, HTTP_X_CSRFTOKEN=token).status_code != 403
    # A token from another session's page is refused.
    stolen = TOKEN.search(first.get(url).content.decode())
    assert stolen is not None
    other = stolen.group(1) or stolen.group(2)
    assert second.post(follow, {"on": "1"}, HTTP_X_CSRFTOKEN=other).status_code == 403


def test_masked_tokens_unmask_to_the_secret():
    secret = "a" * 16 + "Z9" * 8
    tokens = {member_pages.masked(secret) for _ in range(20)}
    assert len(tokens) == 20
    assert all(_unmask_cipher_token(token) == secret for token in tokens)


@pytest.mark.parametrize("size", [10, 600])
def test_a_kept_page_costs_one_query_whatever_the_size(cast, size, served, monkeypatch):
    debate = build_debate(size, owner=cast.owner)
    url = debate.get_absolute_url()
    wren = Client()
    _sign_in(wren, cast.writer)
    _page(wren, url)

    def no_whole_load(*args: object, **kwargs: object) -> None:
        raise AssertionError("a kept page loads nothing of the debate")

    monkeypatch.setattr(loader, "_load_structure", no_whole_load)
    with CaptureQueriesContext(connection) as queries:
        _page(wren, url)
    assert served.hits == 1
    # One read of the session's row, the reader, the debate's versions and the count.
    # Whoever changes this: say why in docs/PERFORMANCE.md.
    assert len(queries) == 1, [q["sql"] for q in queries]


def test_the_write_count_moves_with_every_kind_of_write_to_a_shown_table(cast, debate):
    before = selectors.site_writes()
    Membership.objects.filter(debate=debate).update(role=Role.WRITER)
    after_update = selectors.site_writes()
    Notification.objects.bulk_create([])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE arguments_debate SET title = title WHERE id = %s", [debate.pk])
    after_raw = selectors.site_writes()
    session = Client()
    session.force_login(cast.writer)
    after_sign_in = selectors.site_writes()  # last_login: the user row is shown (the name)
    Session.objects.update(expire_date=timezone.now())
    assert before < after_update < after_raw < after_sign_in == selectors.site_writes()


# -- a class at work: votes fill a kept page's vote regions from a shared rendering ----------

CLASS = ["viewer", "suggester", "writer", "editor"]


class Rendered:
    """Counts the member pages the view rendered for the store (a miss), and the kept pages
    filled from shared vote regions (a hit after votes)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.renders = 0
        self.fills = 0
        self.alike = 0  # pages made from a reader alike's rendering
        regions, filled = member_pages.vote_regions, member_pages._filled
        personal = member_pages._personal

        def counted_personal(*args: object) -> object:
            self.alike += 1
            return personal(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(member_pages, "_personal", counted_personal)

        def counted_regions(*args: object, **kwargs: object) -> object:
            found = regions(*args, **kwargs)  # type: ignore[arg-type]
            self.renders += found is not None
            return found

        def counted_fills(*args: object) -> object:
            body = filled(*args)  # type: ignore[arg-type]
            self.fills += body is not None
            return body

        monkeypatch.setattr(member_pages, "vote_regions", counted_regions)
        monkeypatch.setattr(member_pages, "_filled", counted_fills)
        # Counted hits must not hang on the machine's speed: a page lives a minute by design.
        monkeypatch.setattr(member_pages, "KEPT_SECONDS", 3600)


@pytest.fixture
def rendered(monkeypatch) -> Rendered:
    return Rendered(monkeypatch)


def _fresh_aside(client: Client, url: str) -> tuple[int, str, str]:
    """The page rendered afresh, the store's pages left as they were (a fresh render keeps
    its own page, which would hide what the store would have served)."""
    pages, variants = dict(member_pages._pages), dict(member_pages._variants)
    try:
        return _fresh(client, url)
    finally:
        member_pages.forget_pages()
        for key, value in pages.items():
            member_pages._pages.keep(key, value)
        for key, value in variants.items():
            member_pages._variants.keep(key, value)


def _class_vote(cast, debate, rng) -> str:
    """A vote, a changed vote or a withdrawal by a student or by someone outside the class."""
    voter = cast[rng.choice([*CLASS, "moderator", "owner"])]
    points = [*debate.relations.order_by("id"), *debate.claims.filter(is_thesis=True)]
    point = rng.choice(points)
    if rng.random() < 0.2:
        services.vote_withdraw(user=voter, point=point)
    else:
        services.vote_cast(user=voter, point=point, value=rng.randint(0, 4))
    return voter.username


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_class_voting_is_served_from_one_shared_rendering_per_vote(
    cast, argued, served, rendered, seed, django_capture_on_commit_callbacks
):
    """Seeded random votes by the class and by others; after each, every student's page as
    the store serves it equals their page rendered afresh, and the store renders at most one
    page for the whole class (the first reader's), filling every other's vote regions."""
    rng = random.Random(seed)
    url = argued.get_absolute_url()
    clients = {name: Client() for name in CLASS}
    for name, client in clients.items():
        _sign_in(client, cast[name])  # a sign-in writes (the user's last login)
    for client in clients.values():
        _page(client, url)
    steps = 16
    for step in range(steps):
        with (
            django_capture_on_commit_callbacks(execute=True),
            contextlib.suppress(ValidationError, PermissionDenied, RateLimited),
        ):
            who = _class_vote(cast, argued, rng)
        renders = rendered.renders
        for name, client in clients.items():
            kept = _page(client, url)
            fresh = _fresh_aside(client, url)
            assert kept == fresh, f"{name}'s page after {who}'s vote (step {step})" + _diff(
                kept[2], fresh[2]
            )
        # The fresh renders aside, one rendering per way of seeing the debate's points (a
        # suggester sees their pending claim, an editor others' too), not one per reader.
        assert rendered.renders - renders <= 2 + len(CLASS), "one per view, and the fresh"
    assert rendered.fills >= steps


def test_a_class_of_one_role_costs_no_rendering_per_vote(cast, argued, served, rendered):
    """Students of one role see the debate's points the same way: after a vote, no page is
    rendered again; the regions are made from those before it and the debate's tallies and
    strengths now, and every page is filled from them."""
    students = [UserFactory(username=f"student{n}") for n in range(5)]
    for student in students:
        services.membership_grant(actor=cast.owner, debate=argued, user=student, role=Role.WRITER)
    url = argued.get_absolute_url()
    clients = []
    for student in students:
        clients.append(Client())
        _sign_in(clients[-1], student)  # a sign-in writes (the user's last login)
    for client in clients:
        _page(client, url)
    relations = list(argued.relations.order_by("id"))
    for step, relation in enumerate(relations[:4]):
        voter = students[step % len(students)]
        services.vote_cast(user=voter, point=relation, value=step % 5)
        renders, fills = rendered.renders, rendered.fills
        pages = [_page(client, url) for client in clients]
        assert rendered.renders - renders == 0 and rendered.fills - fills == len(students)
        for client, page in zip(clients, pages, strict=True):
            assert page == _fresh_aside(client, url)


def test_a_class_in_a_worker_holding_nothing_is_filled_from_the_points_alone(
    cast, argued, served, rendered, monkeypatch, too_big_to_hold
):
    """A worker holding nothing of the debate (a 200,000-claim one it does not load): after
    a vote, the regions are made from the points' rows (`first_screen.points_now`), not from
    a slice or the whole debate, and every page is the page rendered afresh."""
    students = [UserFactory(username=f"student{n}") for n in range(3)]
    for student in students:
        services.membership_grant(actor=cast.owner, debate=argued, user=student, role=Role.WRITER)
    loader.debate_structure(Debate.objects.get(pk=argued.pk))  # every strength stored
    loader.forget_structures()
    monkeypatch.setattr(loader, "_load_structure", lambda d: pytest.fail("loaded whole"))
    url = argued.get_absolute_url()
    clients = []
    for student in students:
        clients.append(Client())
        _sign_in(clients[-1], student)
    for client in clients:
        _page(client, url)
    thesis = argued.claims.get(is_thesis=True)
    points = [*argued.relations.filter(is_link=False).order_by("id")[:3], thesis]
    slices = []
    real = first_screen.load
    monkeypatch.setattr(first_screen, "load", lambda *a, **k: slices.append(1) or real(*a, **k))
    for step, point in enumerate(points):
        services.vote_cast(user=students[step % len(students)], point=point, value=step % 5)
        renders, fills, sliced = rendered.renders, rendered.fills, len(slices)
        pages = [_page(client, url) for client in clients]
        assert rendered.renders - renders == 0 and rendered.fills - fills == len(students)
        assert len(slices) == sliced, "no slice read for the regions"
        for client, page in zip(clients, pages, strict=True):
            assert page == _fresh_aside(client, url)
        assert not loader.holds(argued)


def _pressed(html: str, point: str) -> list[str]:
    """The vote buttons shown pressed in a point's region."""
    found = re.search(rf'<div class="votes" id="votes-{point}">(.*?)id="why-{point}"', html, re.S)
    assert found, point
    return re.findall(r'value="(\d)" class="step[^"]*" aria-pressed="true"', found.group(1))


def test_a_readers_vote_shows_at_once_and_never_to_another(cast, argued, served, rendered):
    url = argued.get_absolute_url()
    wren, vic = Client(), Client()
    _sign_in(wren, cast.writer)
    _sign_in(vic, cast.viewer)
    relation = argued.relations.order_by("id").first()
    point = f"r{relation.pk}"
    for client in (wren, vic):
        _page(client, url)
    services.vote_cast(user=cast.viewer, point=relation, value=1)
    services.vote_cast(user=cast.writer, point=relation, value=4)
    renders = rendered.renders
    assert _pressed(_page(wren, url)[2], point) == ["4"]  # filled from regions made anew
    assert _pressed(_page(vic, url)[2], point) == ["1"]  # filled from the same regions
    services.vote_cast(user=cast.writer, point=relation, value=0)
    assert _pressed(_page(vic, url)[2], point) == ["1"]
    assert _pressed(_page(wren, url)[2], point) == ["0"]  # no stale pressed button
    services.vote_withdraw(user=cast.writer, point=relation)
    assert _pressed(_page(wren, url)[2], point) == []
    assert _pressed(_page(vic, url)[2], point) == ["1"]
    assert rendered.fills == 6 and served.hits == 6 and rendered.renders == renders


def test_a_hit_after_votes_costs_two_queries(cast, argued, served, rendered):
    url = argued.get_absolute_url()
    wren, vic = Client(), Client()
    _sign_in(wren, cast.writer)
    _sign_in(vic, cast.viewer)
    _page(wren, url)
    _page(vic, url)
    services.vote_cast(user=cast.editor, point=argued.relations.order_by("id").first(), value=2)
    renders = rendered.renders
    with CaptureQueriesContext(connection) as first:
        _page(wren, url)  # the class's first reader after the vote: the regions made anew
    with CaptureQueriesContext(connection) as queries:
        _page(vic, url)
    assert rendered.fills == 2 and served.hits == 2 and rendered.renders == renders
    # The session, reader, versions and counts; then the reader's own votes on the shown
    # points. Whoever changes this: say why in docs/PERFORMANCE.md.
    assert len(queries) == 2, [q["sql"] for q in queries]
    # The first also reads the debate's row and catches its structure up to the vote.
    assert len(first) == 6, "\n".join(q["sql"][:120] for q in first)


def test_a_page_outlived_by_a_vote_is_kept_and_the_next_one_filled(
    cast, argued, served, rendered, monkeypatch
):
    """A vote landing elsewhere while a page renders (a class votes six times a second)
    leaves the page kept at the counts read before it, and the next reader's page after a
    vote is filled, not rendered again; a write landing meanwhile leaves nothing kept (the
    page may hold it, its key does not). The counts read after the render are moved here as
    another connection's vote or write would move them (the test's one connection cannot
    write while the view reads in its snapshot)."""
    url = argued.get_absolute_url()
    wren, vic = Client(), Client()
    _sign_in(wren, cast.writer)
    _sign_in(vic, cast.viewer)
    counts = selectors.site_counts
    moved = [0, 0]

    def counts_after_the_render() -> tuple[int, int]:
        writes, tallies = counts()
        return writes + moved[0], tallies + moved[1]

    monkeypatch.setattr(selectors, "site_counts", counts_after_the_render)
    moved[:] = [0, 1]  # a vote
    _page(wren, url)
    assert len(_kept_pages()) == 1, "kept at the counts read before the render"
    moved[:] = [0, 0]
    services.vote_cast(user=cast.editor, point=argued.relations.order_by("id").first(), value=2)
    renders, fills = rendered.renders, rendered.fills
    page = _page(wren, url)
    assert (rendered.renders, rendered.fills) == (renders, fills + 1), "filled, not rendered"
    assert page == _fresh_aside(wren, url)
    member_pages.forget_pages()
    moved[:] = [1, 0]  # a write
    _page(vic, url)
    assert not _kept_pages()


def test_a_write_that_is_not_a_vote_renders_the_page_again(cast, argued, served, rendered):
    url = argued.get_absolute_url()
    vic = Client()
    _sign_in(vic, cast.viewer)
    _page(vic, url)
    before = selectors.site_counts()
    services.vote_cast(user=cast.editor, point=argued.relations.order_by("id").first(), value=2)
    after_vote = selectors.site_counts()
    assert after_vote[0] == before[0] and after_vote[1] > before[1]
    claim = _claims(argued)[0]
    services.claim_add(actor=cast.writer, parent=claim, stance=Stance.PRO, text="New here.")
    assert selectors.site_counts()[0] > after_vote[0]
    assert _page(vic, url) == _fresh_aside(vic, url)
    assert rendered.fills == 0


def test_guided_voting_fills_each_readers_regions_as_a_fresh_page_shows_them(
    cast, argued, served, rendered
):
    """Others' votes hidden until one votes: a region for an own vote no reader needed
    before is rendered when a reader first needs it, and equals their page rendered afresh."""
    argued.hide_votes_until_voted = True
    argued.save(update_fields=["hide_votes_until_voted"])
    url = argued.get_absolute_url()
    readers = {name: Client() for name in ("writer", "viewer", "editor")}
    for name, client in readers.items():
        _sign_in(client, cast[name])
        _page(client, url)
    relations = list(argued.relations.order_by("id")[:3])
    steps = [("viewer", 0, 1), ("writer", 0, 3), ("editor", 1, 4), ("viewer", 0, None)]
    start = rendered.fills
    for name, index, value in steps:
        if value is None:
            services.vote_withdraw(user=cast[name], point=relations[index])
        else:
            services.vote_cast(user=cast[name], point=relations[index], value=value)
        fills = rendered.fills
        for other, client in readers.items():
            kept = _page(client, url)
            assert kept == _fresh_aside(client, url), f"{other}'s page after {name}'s vote" + (
                _diff(kept[2], _fresh_aside(client, url)[2])
            )
        assert rendered.fills > fills, "a reader's page filled, not rendered again"
    # After a vote one reader renders and the others' pages are filled (the very first
    # step's renders also stand for the set-up's pages).
    assert rendered.fills - start >= 2 * len(steps) - 1
    point = f"r{relations[0].pk}"
    assert _pressed(_page(readers["writer"], url)[2], point) == ["3"]
    assert "vote-hint" not in _region_of(_page(readers["writer"], url)[2], point)
    assert _pressed(_page(readers["viewer"], url)[2], point) == []
    assert "vote-hint" in _region_of(_page(readers["viewer"], url)[2], point)


def _region_of(html: str, point: str) -> str:
    found = re.search(rf'<div class="votes" id="votes-{point}">(.*?)id="why-{point}"', html, re.S)
    assert found, point
    return found.group(1)


def _ticket_of(html: str) -> tuple[int, int, str] | None:
    found = re.search(r'data-live-url="[^"]*?ticket=([^"&]+)"', html)
    assert found, "the page's poll URL"
    return polls._ticket(unquote_plus(found.group(1)))


def _students(debate: Debate, owner, count: int, role: Role | None) -> list:
    """Readers with nothing of their own in the site: a membership of `role` (None: the
    debate's default role) and, later, votes."""
    students = [UserFactory(username=f"student{n}") for n in range(count)]
    if role is not None:
        for student in students:
            services.membership_grant(actor=owner, debate=debate, user=student, role=role)
    return students


def test_readers_alike_share_one_rendering_after_a_write(cast, argued, served, rendered):
    """After a write every page is rendered again; readers whom nothing but their votes and
    role points at see one rendering per role, each made theirs (name, ticket, token, own
    votes), and each equal to their page rendered afresh."""
    url = argued.get_absolute_url()
    members = _students(argued, cast.owner, 3, Role.WRITER)
    newcomers = [UserFactory(username=f"newcomer{n}") for n in range(2)]  # the default role
    clients = {}
    for reader in [*members, *newcomers]:
        clients[reader.username] = Client()
        _sign_in(clients[reader.username], reader)
    relations = list(argued.relations.order_by("id"))
    services.vote_cast(user=members[1], point=relations[0], value=4)
    services.vote_cast(user=newcomers[0], point=relations[1], value=0)
    for step in range(2):
        services.claim_add(
            actor=cast.editor, parent=_claims(argued)[0], stance=Stance.CON, text=f"New {step}."
        )
        renders, alike = rendered.renders, rendered.alike
        pages = {name: _page(client, url) for name, client in clients.items()}
        assert rendered.renders - renders == 2, "one rendering for each role, not one a reader"
        assert rendered.alike - alike == 3, "the others' pages made from those"
        for reader in [*members, *newcomers]:
            client, page = clients[reader.username], pages[reader.username]
            assert page == _fresh_aside(client, url), reader.username + _diff(
                page[2], _fresh_aside(client, url)[2]
            )
            assert _signed_in_as(page[2]) == reader.username
            served_page = client.get(url).content.decode()
            assert _ticket_of(served_page) == (
                argued.pk,
                reader.pk,
                polls.session_digest(client.session.session_key),
            )
    assert _pressed(pages["student1"][2], f"r{relations[0].pk}") == ["4"]
    assert _pressed(pages["student0"][2], f"r{relations[0].pk}") == []
    assert _pressed(pages["newcomer0"][2], f"r{relations[1].pk}") == ["0"]


def test_a_reader_with_a_row_of_their_own_gets_their_own_rendering(cast, argued, served, rendered):
    """A student who wrote a claim sees its controls: their page is never made from a reader
    alike's; and once the claim is theirs no more, it is again."""
    url = argued.get_absolute_url()
    students = _students(argued, cast.owner, 3, Role.WRITER)
    clients = []
    for student in students:
        clients.append(Client())
        _sign_in(clients[-1], student)
    claim = services.claim_add(
        actor=students[2], parent=_claims(argued)[0], stance=Stance.PRO, text="Mine alone."
    )
    renders = rendered.renders
    pages = [_page(client, url) for client in clients]
    assert rendered.renders - renders == 2, "the class's one rendering and the author's own"
    for client, page in zip(clients, pages, strict=True):
        assert page == _fresh_aside(client, url)
    edit = reverse("arguments:claim_edit", args=[argued.slug, claim.pk])
    assert edit in pages[2][2] and edit not in pages[0][2]
    services.follow_set(user=students[1], debate=argued, claim=None, on=True)
    pages = [_page(client, url) for client in clients]
    for client, page in zip(clients, pages, strict=True):
        assert page == _fresh_aside(client, url)


def test_a_page_showing_its_readers_name_elsewhere_is_not_shared(cast, argued, served, rendered):
    """A claim that names a reader: that reader's rendering is not the class's (their name
    would be cut where it is the claim's text); every page still equals its fresh one."""
    url = argued.get_absolute_url()
    students = _students(argued, cast.owner, 3, Role.WRITER)
    services.claim_add(
        actor=cast.editor, parent=_claims(argued)[0], stance=Stance.PRO, text="As student0 said."
    )
    clients = []
    for student in students:
        clients.append(Client())
        _sign_in(clients[-1], student)
    renders = rendered.renders
    pages = [_page(client, url) for client in clients]
    assert rendered.renders - renders == 2, "student0's page is theirs; student1's is shared"
    for client, page in zip(clients, pages, strict=True):
        assert page == _fresh_aside(client, url)
        assert "As student0 said." in page[2]


def test_the_rows_that_make_a_page_its_readers_own_are_read_from_the_models():
    """Every table with a column pointing at a user is asked, but those named as shown on no
    debate page (each with its reason)."""
    owned = set(member_pages._owned_rows())
    assert {("arguments_claim", "author_id"), ("arguments_follow", "user_id")} <= owned
    assert ("arguments_team_members", "user_id") in owned  # many-to-many links too
    assert not owned & set(member_pages.ALIKE_UNSHOWN)
    assert ("arguments_vote", "user_id") in member_pages.ALIKE_UNSHOWN


@pytest.mark.parametrize("seed", [1, 2])
def test_a_class_at_work_is_served_pages_rendered_afresh_after_every_step(
    cast, argued, served, rendered, seed, django_capture_on_commit_callbacks
):
    """Seeded random steps by a class whose students start alike (votes, claims, follows,
    flags, notifications, role changes, another language): after each, every student's
    page as the store serves it equals their page rendered afresh."""
    rng = random.Random(seed)
    url = argued.get_absolute_url()
    students = [
        *_students(argued, cast.owner, 3, Role.WRITER),
        *[UserFactory(username=f"newcomer{n}") for n in range(2)],
    ]
    clients = [Client() for _ in students]
    for student, client in zip(students, clients, strict=True):
        _sign_in(client, student)
    steps = {
        "vote": lambda who: services.vote_cast(
            user=who,
            point=rng.choice(list(argued.relations.order_by("id"))),
            value=rng.randint(0, 4),
        ),
        "claim": lambda who: services.claim_add(
            actor=who, parent=rng.choice(_claims(argued)), stance=Stance.PRO, text=f"{rng.random()}"
        ),
        "others_claim": lambda who: _claim_added(cast, argued, who, rng),
        "follow": lambda who: services.follow_set(
            user=who, debate=argued, claim=None, on=rng.random() < 0.6
        ),
        "flag": lambda who: services.flag_raise(
            actor=who, reason="unclear", claim=rng.choice(_claims(argued))
        ),
        "notification": lambda who: _notification(cast, argued, who, rng),
        "role": lambda who: services.membership_grant(
            actor=cast.owner, debate=argued, user=who, role=rng.choice(Role.values[1:4])
        ),
    }
    for step in range(14):
        kind = rng.choice([*steps, "language"])
        index = rng.randrange(len(students))
        with (
            django_capture_on_commit_callbacks(execute=True),
            contextlib.suppress(ValidationError, PermissionDenied, RateLimited),
        ):
            if kind == "language":
                _language(clients[index], url, rng)
            else:
                steps[kind](students[index])
        for student, client in zip(students, clients, strict=True):
            kept = _page(client, url)
            fresh = _fresh_aside(client, url)
            assert kept == fresh, f"{student}'s page after {kind} (step {step})" + _diff(
                kept[2], fresh[2]
            )
    assert served.hits >= 14 and rendered.alike >= 5, "pages made from a reader alike's"
