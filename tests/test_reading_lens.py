"""The reading lens closes a class of bugs: a control shown to a reader that refuses them when
they use it, and an act they may do that no control offers.

For every persona (visitor, viewer, suggester, writer, editor, moderator, owner, site staff)
and every state of the debate (open, locked, closed, private), the test reads the debate
page, the focus page of each claim and the moderation page of each claim the persona knows
of, as a user would (links, hx-get fragments, forms), with claims in every state (published,
their own and others' pending, hidden, under a hidden one, merged, linked in a second place).
Then:

1. every control shown succeeds when that persona uses it: each link and fragment answers
   200; each form (on the page, or the one a link opens) submitted with plain input answers
   with a redirect, never a refusal. Each use is rolled back before the next.
2. every act `permissions.permits` allows on a claim, a place, a note or a flag the persona
   sees is offered where that item is shown, and nothing else is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from arguments import services
from arguments.models import Annotation, Claim, Debate, Flag, Membership, Relation, Role, Stance
from arguments.rules.permissions import Action, at_least, permits, role_in, sees_note
from arguments.structure.loader import forget_structures
from tests.factories import FlagFactory, UserFactory
from tests.pages import Form, Page, read, template_syntax

pytestmark = pytest.mark.django_db

PERSONAS = ["visitor", "viewer", "suggester", "writer", "editor", "moderator", "owner", "staff"]
DEBATE_STATES = ["open", "locked", "closed", "private"]
HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class World:
    debate: Debate
    thesis: Claim
    pro: Claim  # the writer's; a straw-man flag on it was upheld
    con: Claim  # the writer's; carries notes
    rebuttal: Claim  # the editor's, under the con; also linked under the pro
    pending: Claim  # the suggester's suggestion
    hidden: Claim  # the writer's, hidden by a moderator
    under_hidden: Claim  # the editor's, under the hidden claim
    merged: Claim  # the editor's duplicate of the pro, merged into it
    link: Relation  # the rebuttal's second place: a con of the pro
    flag: Flag
    notes: list[Annotation]

    @property
    def claims(self) -> list[Claim]:
        return [
            self.thesis,
            self.pro,
            self.con,
            self.rebuttal,
            self.pending,
            self.hidden,
            self.under_hidden,
            self.merged,
        ]


def build_world(cast: Any, state: str) -> World:
    debate = services.debate_create(
        owner=cast.owner,
        title=f"Should model weights be released openly ({state})?",
        thesis="Developers should release model weights openly.",
        default_role=Role.SUGGESTER,
        visibility=Debate.Visibility.PRIVATE if state == "private" else Debate.Visibility.PUBLIC,
    )
    for role in ("moderator", "editor", "writer", "suggester", "viewer"):
        Membership.objects.create(debate=debate, user=cast[role], role=role)
    thesis = debate.claims.get()

    def add(actor: Any, parent: Claim, text: str, stance: str = Stance.PRO) -> Claim:
        return services.claim_add(actor=actor, parent=parent, stance=stance, text=text)

    pro = add(cast.writer, thesis, "Open weights spread access.")
    con = add(cast.writer, thesis, "Released weights cannot be recalled.", Stance.CON)
    rebuttal = add(cast.editor, con, "Recalls rarely work for software anyway.")
    pending = add(cast.suggester, thesis, "A suggestion waits for approval.")
    hidden = add(cast.writer, thesis, "Hide me, I am off-topic.", Stance.CON)
    under_hidden = add(cast.editor, hidden, "A reply to the off-topic claim.")
    services.claim_hide(actor=cast.moderator, claim=hidden)
    merged = add(cast.editor, thesis, "Open weights give everyone access.")
    services.claim_merge(actor=cast.moderator, duplicate=merged, into=pro)
    link = services.claim_link(actor=cast.writer, claim=rebuttal, parent=pro, stance=Stance.CON)
    flag = services.flag_raise(
        actor=cast.viewer, claim=pro, reason=Flag.Reason.FALLACY, fallacy=Flag.Fallacy.STRAW_MAN
    )
    services.flag_resolve(actor=cast.moderator, flag=flag, uphold=True, note="Restate it.")
    public = services.annotation_add(actor=cast.viewer, claim=con, body="Which recalls?")
    reply = services.annotation_add(actor=cast.writer, claim=con, body="Any.", parent=public)
    private = services.annotation_add(
        actor=cast.writer, claim=con, body="Check this.", visibility="private"
    )
    services.vote_cast(user=cast.viewer, point=con.parent_relations.get(), value=3)
    if state in ("locked", "closed"):
        services.debate_lock(
            actor=cast.moderator, debate=debate, status=state, conclusion="Staged release."
        )
    return World(
        debate=Debate.objects.get(pk=debate.pk),
        thesis=thesis,
        pro=pro,
        con=con,
        rebuttal=rebuttal,
        pending=pending,
        hidden=hidden,
        under_hidden=under_hidden,
        merged=merged,
        link=link,
        flag=flag,
        notes=[public, reply, private],
    )


@contextmanager
def undone() -> Iterator[None]:
    """Whatever happens inside is rolled back, and the caches that remember it forgotten."""
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        forget_structures()
        cache.clear()


def url_of(debate: Debate, name: str, *args: object) -> str:
    return reverse(f"arguments:{name}", args=[debate.slug, *args])


def url(name: str, world: World, *args: object) -> str:
    return url_of(world.debate, name, *args)


def pages_of(client: Any, world: World) -> dict[str, str]:
    """The pages the persona can open: the debate page, each claim in focus, and the
    moderation page of each claim they know of without seeing it. Address -> HTML."""
    pages: dict[str, str] = {}
    addresses = [world.debate.get_absolute_url()]
    addresses += [url("claim", world, c.pk) for c in world.claims]
    addresses += [url("claim_moderation", world, c.pk) for c in world.claims]
    for address in addresses:
        response = client.get(address)
        if response.status_code == 200:
            pages[address] = response.content.decode()
        else:
            assert response.status_code in (302, 404), (address, response.status_code)
    return pages


def _internal(href: str) -> bool:
    return href.startswith("/") and not href.startswith("//")


def _post(client: Any, form: Form, button: tuple[str, str, str] | None, where: str) -> None:
    data = form.data(button=button)
    response = client.post(form.action, data)
    assert response.status_code == 302, (
        f"{form.action} ({form.context}, on {where}) with {data}: {response.status_code} "
        f"{response.content[:400]!r}"
    )
    assert not urlsplit(response["Location"]).path.startswith("/accounts/login"), form.action


def use_every_control(client: Any, pages: dict[str, Page]) -> int:
    """Follow every link and fragment and submit every form the pages show; each must work.
    `pages`: what `pages_of` read, each page read once. Returns how many controls were used."""
    links: set[str] = set()
    fragments: set[str] = set()
    forms: list[tuple[Form, str]] = []
    for address, page in pages.items():
        links |= {href for href, _ in page.links if _internal(href)}
        fragments |= set(page.hx_gets)
        forms += [(form, address) for form in page.forms]
    used = 0
    for href in sorted(links):
        # A link to a page `pages_of` opened is the same request (this persona, this state:
        # every use before was rolled back): it answered 200 there, and what it shows is read.
        if href in pages:
            shown = pages[href]
        else:
            with undone():
                response = client.get(href)
                assert response.status_code == 200, (href, response.status_code)
                shown = read(response.content.decode())
        # A link that opens a form of the debate (add, edit, cite, link, annotate, flag):
        # submit it too. (Signing in is allauth's, tested there.)
        opened = [
            form
            for form in shown.forms
            if form.method == "post"
            and form.action == urlsplit(href).path
            and href.startswith("/d/")
        ]
        for form in opened:
            with undone():
                _post(client, form, None, href)
        used += 1
    for href in sorted(fragments):
        with undone():
            response = client.get(href, **HTMX)
            assert response.status_code == 200, (href, response.status_code)
        used += 1
    seen_forms: set[tuple[str, str]] = set()
    for form, address in forms:
        if form.method != "post":
            with undone():
                response = client.get(form.action or address, form.data())
                assert response.status_code == 200, (form.action, response.status_code)
            continue
        variants = [b for b in form.buttons if b[0]] or [None]
        for button in variants:
            key = (form.action, repr(button))
            if key in seen_forms:
                continue
            seen_forms.add(key)
            with undone():
                _post(client, form, button, address)
            used += 1
    return used


# Each act on a claim, and the address only its control carries.
CLAIM_CONTROLS: dict[Action, str] = {
    Action.ADD_CLAIM: "claim_add",
    Action.EDIT_CLAIM: "claim_edit",
    Action.CITE_SOURCE: "claim_cite",
    Action.LINK_CLAIM: "claim_link",
    Action.ANNOTATE: "claim_annotate",
    Action.VOTE: "claim_vote",
    Action.FLAG: "claim_flag",
    Action.APPROVE_CLAIM: "claim_approve",
    Action.HIDE_CLAIM: "claim_hide",
    Action.RESTORE_CLAIM: "claim_restore",
}
# What a claim's moderation page offers (it shows no tree).
MODERATION_CONTROLS = {
    Action.FLAG,
    Action.APPROVE_CLAIM,
    Action.HIDE_CLAIM,
    Action.RESTORE_CLAIM,
}


def check_what_is_offered(world: World, user: Any, pages: dict[str, str]) -> None:
    """Every act permits() allows on an item the persona sees is offered there; no other."""
    debate = Debate.objects.get(pk=world.debate.pk)
    lone_thesis = debate.claims.theses().published().count() == 1
    for claim in world.claims:
        claim = Claim.objects.select_related("debate").get(pk=claim.pk)
        focus = pages.get(url("claim", world, claim.pk))
        moderation = pages.get(url("claim_moderation", world, claim.pk))
        html, actions = (focus, set(CLAIM_CONTROLS)) if focus else (moderation, MODERATION_CONTROLS)
        if html is None:
            continue  # not for this persona to know of
        region = _region(html, claim.pk)
        for action in actions:
            allowed = permits(user, action, debate, claim=claim)
            if action is Action.HIDE_CLAIM and claim.is_thesis and lone_thesis:
                allowed = False  # a debate's last thesis is closed with it, not hidden
            if action is Action.VOTE and not claim.is_thesis:
                place = claim.parent_relations.originals().get()
                shown = f'name="relation" value="{place.pk}"' in region
            elif action is Action.ADD_CLAIM:
                shown = f'href="{url("claim_add", world, claim.pk)}?stance=pro"' in region
            else:
                shown = f'"{url(CLAIM_CONTROLS[action], world, claim.pk)}"' in region
            assert shown == allowed, f"{action} on “{claim.text}”: shown {shown}, allowed {allowed}"
    # The linked place is voted on in its own right, where it stands (under the pro).
    pro_page = pages.get(url("claim", world, world.pro.pk))
    if pro_page:
        allowed = permits(user, Action.VOTE, debate, claim=world.rebuttal)
        shown = f'name="relation" value="{world.link.pk}"' in pro_page
        assert shown == allowed, f"vote on the linked place: shown {shown}, allowed {allowed}"
        review = url("flag_review", world, world.flag.pk)
        flag = Flag.objects.get(pk=world.flag.pk)
        allowed = permits(user, Action.REQUEST_REVIEW, debate, claim=world.pro, flag=flag)
        assert (f'"{review}"' in pro_page) == allowed, f"review: allowed {allowed}"
    con_page = pages.get(url("claim", world, world.con.pk))
    if con_page:
        user_id = user.pk if user.is_authenticated else None
        moderates = at_least(role_in(user, debate), Role.MODERATOR)
        for note in world.notes:
            note.refresh_from_db()
            visible = sees_note(
                note,
                user_id=user_id,
                participant=user.is_authenticated and permits(user, Action.VIEW, debate),
                moderates=moderates,
            )
            assert (f'id="note-{note.pk}"' in con_page) == visible, f"note {note.body}"
            if not visible:
                continue
            for action, name in ((Action.EDIT_NOTE, "note_edit"), (Action.FLAG, "note_flag")):
                allowed = permits(user, action, debate, note=note)
                shown = f'"{reverse(f"arguments:{name}", args=[debate.slug, note.pk])}"' in con_page
                assert shown == allowed, f"{action} on note {note.body}: shown {shown}"
            if note.parent_id is None:
                allowed = permits(user, Action.ANNOTATE, debate, claim=world.con)
                reply = reverse("arguments:note_reply", args=[debate.slug, note.pk])
                assert (f'"{reply}"' in con_page) == allowed, f"reply to {note.body}"


def _region(html: str, claim_id: int) -> str:
    """The claim's own body on a page (its controls), not its children's."""
    start = html.find(f'id="body-{claim_id}"')
    if start == -1:
        start = html.find('class="moderation"')
    end = html.find("</article>", start)
    return html[start : end if end != -1 else None]


@pytest.mark.parametrize("state", DEBATE_STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_control_shown_works_and_every_permitted_act_is_shown(
    client, cast, persona: str, state: str
) -> None:
    world = build_world(cast, state)
    user = cast.anonymous if persona == "visitor" else cast[persona]
    if persona != "visitor":
        client.force_login(user)
    forget_structures()
    pages = pages_of(client, world)
    if persona == "visitor" and state == "private":
        assert pages == {}, "a private debate shows nothing to visitors"
        return
    assert world.debate.get_absolute_url() in pages
    read_pages = {address: read(html) for address, html in pages.items()}
    for address, page in read_pages.items():
        assert not template_syntax(page), (address, template_syntax(page))
    check_what_is_offered(world, user, pages)
    used = use_every_control(client, read_pages)
    assert used >= 5  # at least the claims' own pages and fragments


def test_a_suggester_is_not_offered_edit_on_their_own_pending_claim(client, cast, debate, thesis):
    """The bug the lens was built to end: the tree treated "may add" as "may edit own",
    offered Edit, and the edit page answered 403."""
    pending = services.claim_add(
        actor=cast.suggester, parent=thesis, stance=Stance.PRO, text="Mine, awaiting approval."
    )
    client.force_login(cast.suggester)
    page = client.get(pending.get_absolute_url()).content.decode()
    assert pending.text in page and "Awaiting approval" in page
    edit = reverse("arguments:claim_edit", args=[debate.slug, pending.pk])
    assert edit not in page
    assert client.get(edit).status_code == 403
    # A writer's own pending claim (the debate asks for approval) is theirs to edit.
    Debate.objects.filter(pk=debate.pk).update(requires_approval=True)
    waiting = services.claim_add(
        actor=cast.writer, parent=thesis, stance=Stance.CON, text="Mine waits too."
    )
    client.force_login(cast.writer)
    page = client.get(waiting.get_absolute_url()).content.decode()
    edit = reverse("arguments:claim_edit", args=[debate.slug, waiting.pk])
    assert edit in page and client.get(edit).status_code == 200


# -- what the one visibility rule closes ------------------------------------------------------


@pytest.mark.security
def test_a_claim_under_a_hidden_one_is_hidden_everywhere(client, cast):
    """Hiding a claim hides its branch: not in the tree, nor behind any other door."""
    world = build_world(cast, "open")
    slug, under = world.debate.slug, world.under_hidden
    services.annotation_add(actor=cast.viewer, claim=under, body="A public note on it.")
    services.annotation_add(actor=cast.viewer, claim=world.con, body="A public note on con.")
    client.force_login(cast.writer)
    picker = client.get(url("claim_link", world, world.pro.pk), {"q": "reply"})
    assert under.text not in picker.content.decode()
    flag_form = client.get(url("claim_flag", world, world.rebuttal.pk)).content.decode()
    assert f'value="{under.pk}"' not in flag_form
    assert client.get(url("claim", world, under.pk)).status_code == 404
    chosen = client.post(
        url("claim_link", world, world.pro.pk), {"claim": under.pk, "stance": "con"}
    )
    assert chosen.status_code == 422 and not world.pro.child_relations.filter(child=under)
    client.logout()
    annotations = client.get(reverse("arguments:debate_annotations", args=[slug])).json()
    bodies = [item["body"][0]["value"] for item in annotations["first"]["items"]]
    assert "A public note on con." in bodies and "A public note on it." not in bodies
    kialo = client.get(reverse("arguments:export", args=[slug, "kialo"])).content.decode()
    assert world.rebuttal.text in kialo and under.text not in kialo
    assert client.get(f"/embed/d/{slug}/claims/{under.pk}/").status_code == 404


def test_a_merged_claim_leads_everyone_to_the_claim_it_was_merged_into(client, cast):
    world = build_world(cast, "open")
    for persona in ("viewer", "moderator", "staff"):
        client.force_login(cast[persona])
        response = client.get(url("claim", world, world.merged.pk))
        assert response.status_code == 302, persona
        assert response["Location"] == url("claim", world, world.pro.pk)


@pytest.mark.security
def test_a_moderator_can_neither_demote_nor_remove_another_moderator(client, cast, debate):
    other = Membership.objects.create(
        debate=debate, user=UserFactory(username="other-mod"), role=Role.MODERATOR
    )
    client.force_login(cast.moderator)
    grant = reverse("arguments:member_grant", args=[debate.slug])
    demoted = client.post(grant, {"username": "other-mod", "role": "viewer"})
    assert demoted.status_code == 403
    settings = client.get(reverse("arguments:debate_settings", args=[debate.slug]))
    assert f'id="role-{other.user_id}"' not in settings.content.decode()  # no control either
    client.force_login(cast.owner)
    assert client.post(grant, {"username": "other-mod", "role": "viewer"}).status_code == 302
    other.refresh_from_db()
    assert other.role == Role.VIEWER


def test_too_many_flags_say_when_to_try_again(client, cast, debate, thesis, pro):
    """One place answers RateLimited: 429, the words, and the seconds until the oldest of the
    hour's flags leaves the hour."""
    half_an_hour_ago = timezone.now() - timedelta(minutes=30)
    for i in range(services.FLAGS_PER_HOUR):
        claim = Claim.objects.create(debate=debate, text=f"Filler {i}", author=cast.writer)
        Flag.objects.filter(pk=FlagFactory(reporter=cast.viewer, claim=claim).pk).update(
            created_at=half_an_hour_ago
        )
    client.force_login(cast.viewer)
    page = client.post(url_of(debate, "claim_flag", pro.pk), {"reason": "unclear"})
    fragment = client.post(url_of(debate, "claim_flag", pro.pk), {"reason": "unclear"}, **HTMX)
    for response in (page, fragment):
        assert response.status_code == 429
        assert 1790 <= int(response["Retry-After"]) <= 1800
        assert "please wait 30 minutes" in response.content.decode()
    assert b"<html" in page.content and b"<html" not in fragment.content
    assert not Flag.objects.filter(claim=pro).exists()
