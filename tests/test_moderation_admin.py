"""The moderators' admin at /moderate/ (issue 28, item 4): open to every owner and moderator of
a debate, scoped to their debates. The isolation test walks every page and action of the
scoped admin as the moderator of debate A and proves nothing of debate B is reachable: lists,
filters, change forms, history (simple_history's and Django's), the autocomplete, actions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from arguments import moderation_admin, services
from arguments.models import (
    Annotation,
    Claim,
    Debate,
    Flag,
    Membership,
    Merge,
    Relation,
    Role,
    ShareLink,
    Source,
    Stance,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = ["debate", "claim", "relation", "merge", "flag", "annotation", "source", "membership",
          "sharelink"]  # fmt: skip
B_WORDS = ["Bravo debate", "Bravo claim", "Bravo note", "Bravo source", "bravo-owner"]


def admin_url(name: str, *args: object) -> str:
    return reverse(f"moderation:{name}", args=args)


def build(owner, moderator, word: str) -> dict:
    """A debate with every kind of thing the scoped admin shows, its texts starting `word`."""
    debate = services.debate_create(owner=owner, title=f"{word} debate?", thesis=f"{word} thesis.")
    if moderator is not None:
        Membership.objects.create(debate=debate, user=moderator, role=Role.MODERATOR)
    thesis = debate.claims.get()
    one = services.claim_add(actor=owner, parent=thesis, stance=Stance.PRO, text=f"{word} claim.")
    two = services.claim_add(actor=owner, parent=thesis, stance=Stance.PRO, text=f"{word} claim!")
    three = services.claim_add(
        actor=owner, parent=thesis, stance=Stance.CON, text=f"{word} claim, third."
    )
    merged = services.claim_merge(actor=owner, duplicate=three, into=two, reason="same")
    note = services.annotation_add(actor=owner, claim=one, body=f"{word} note.")
    services.source_cite(
        actor=owner, claim=one, url=f"https://{word.lower()}.example/report", title=f"{word} source"
    )
    reporter = UserFactory(username=f"{word.lower()}-reporter")
    Membership.objects.create(debate=debate, user=reporter, role=Role.VIEWER)
    flag = services.flag_raise(actor=reporter, claim=one, reason=Flag.Reason.SPAM)
    services.share_link_create(actor=owner, debate=debate, role=Role.WRITER)
    return {
        "debate": debate,
        "claim": one,
        "other": two,
        "relation": Relation.objects.get(child=one),
        "merge": Merge.objects.get(duplicate=three),
        "flag": flag,
        "annotation": note,
        "source": Source.objects.get(title=f"{word} source"),
        "membership": Membership.objects.get(debate=debate, user=reporter),
        "sharelink": ShareLink.objects.get(debate=debate),
        "merged_into": merged,
    }


@pytest.fixture
def scene(cast):
    a = build(cast.owner, cast.moderator, "Alpha")
    b = build(UserFactory(username="bravo-owner"), None, "Bravo")
    return a, b


@pytest.fixture
def mo(client, cast):
    client.force_login(cast.moderator)
    return client


def shows_nothing_of_b(body: str) -> None:
    for word in B_WORDS:
        assert word not in body, word


# -- who gets in ------------------------------------------------------------------------------


def test_a_moderator_who_is_not_staff_gets_in(mo, scene):
    response = mo.get(admin_url("index"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Claims" in body and "Flags" in body
    shows_nothing_of_b(body)


def test_someone_who_moderates_nothing_is_refused(client, cast, scene):
    client.force_login(cast.writer)

    assert client.get(admin_url("index"), follow=True).status_code == 403


def test_a_visitor_is_sent_to_the_sites_sign_in(client, scene):
    response = client.get(admin_url("index"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_the_staff_admin_stays_staff_only(mo, scene):
    response = mo.get(reverse("admin:index"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_owners_and_moderators_moderate_their_debates_only(cast, scene):
    a, b = scene
    request = RequestFactory().get("/")
    for user, expected in (
        (cast.moderator, [a["debate"].pk]),
        (cast.owner, [a["debate"].pk]),
        (cast.writer, []),
        (AnonymousUser(), []),
        (cast.staff, sorted([a["debate"].pk, b["debate"].pk])),
    ):
        request.user = user
        assert moderation_admin.moderated(request) == expected
        del request.__dict__["_moderated_debates"]


# -- the isolation test -----------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS)
def test_every_list_shows_a_and_nothing_of_b(mo, scene, model):
    a, b = scene

    for query in ({}, {"q": "Bravo"}, {"debate__id__exact": b["debate"].pk}, {"all": ""}):
        # A filter the list does not have sends it back to itself with `?e=1`.
        response = mo.get(admin_url(f"arguments_{model}_changelist"), query, follow=True)
        assert response.status_code == 200, (model, query)
        shows_nothing_of_b(response.content.decode())
    body = mo.get(admin_url(f"arguments_{model}_changelist")).content.decode()
    assert admin_url(f"arguments_{model}_change", a[model].pk) in body


@pytest.mark.parametrize("model", MODELS)
def test_no_page_of_bs_items_opens(mo, scene, model):
    a, b = scene
    item = b[model]

    change = mo.get(admin_url(f"arguments_{model}_change", item.pk), follow=True)
    history = mo.get(admin_url(f"arguments_{model}_history", item.pk), follow=True)

    for response in (change, history):
        assert response.status_code in (200, 403, 404)
        shows_nothing_of_b(response.content.decode())
    assert mo.get(admin_url(f"arguments_{model}_change", a[model].pk)).status_code == 200
    assert mo.get(admin_url(f"arguments_{model}_history", a[model].pk)).status_code == 200


@pytest.mark.parametrize("model", ["debate", "claim", "annotation", "source"])
def test_no_past_version_of_bs_items_opens(mo, scene, model):
    """simple_history shows a past version even when the row is not in the admin's list:
    the object itself is checked."""
    _a, b = scene
    item = b[model]
    version = type(item).history.filter(id=item.pk).latest("history_date").history_id

    response = mo.get(admin_url(f"arguments_{model}_simple_history", item.pk, version))

    assert response.status_code == 403
    shows_nothing_of_b(response.content.decode())
    # Reverting one (a POST) is refused too, and changes nothing.
    reverted = mo.post(admin_url(f"arguments_{model}_simple_history", item.pk, version))
    assert reverted.status_code in (403, 404)


def test_the_autocomplete_finds_a_claims_only(mo, scene):
    a, b = scene
    query = {"app_label": "arguments", "model_name": "merge", "field_name": "into"}

    bravo = mo.get(admin_url("autocomplete"), {**query, "term": "Bravo"}).json()
    alpha = mo.get(admin_url("autocomplete"), {**query, "term": "Alpha claim"}).json()

    assert bravo["results"] == []
    assert str(a["claim"].pk) in {row["id"] for row in alpha["results"]}
    everything = mo.get(admin_url("autocomplete"), {**query, "term": ""}).json()
    assert not {str(b["claim"].pk), str(b["other"].pk)} & {r["id"] for r in everything["results"]}


def _act(client, model: str, action: str, items, **data):
    payload = {"action": action, "_selected_action": [i.pk for i in items], **data}
    return client.post(admin_url(f"arguments_{model}_changelist"), payload, follow=True)


def test_no_action_reaches_bs_items(mo, scene):
    a, b = scene
    _act(mo, "claim", "hide_claims", [b["claim"]])
    _act(mo, "flag", "uphold_and_hide", [b["flag"]], reason="no")
    _act(mo, "flag", "dismiss_flags", [b["flag"]])
    _act(mo, "debate", "lock_debates", [b["debate"]])
    _act(mo, "merge", "revert_merges", [b["merge"]])
    _act(mo, "claim", "unmerge_claims", [b["merge"].duplicate])
    # A's claim merged into B's, or moved under it: B's claim is not a choice.
    merge = _act(mo, "claim", "merge_claims", [a["claim"]], apply="Merge", into=b["other"].pk)
    move = _act(mo, "claim", "move_claims", [a["claim"]], apply="Move", parent=b["other"].pk)

    assert merge.status_code == 422 and move.status_code == 422
    shows_nothing_of_b(merge.content.decode() + move.content.decode())
    assert Claim.objects.get(pk=b["claim"].pk).status == Claim.Status.PUBLISHED
    assert Flag.objects.get(pk=b["flag"].pk).status == Flag.Status.OPEN
    assert Debate.objects.get(pk=b["debate"].pk).status == Debate.Status.OPEN
    assert Merge.objects.get(pk=b["merge"].pk).reverted_at is None
    assert Claim.objects.get(pk=a["claim"].pk).merged_into_id is None


def test_no_change_form_writes_to_b(mo, scene):
    _a, b = scene
    note = b["annotation"]

    mo.post(
        admin_url("arguments_annotation_change", note.pk), {"body": "Changed", "status": "hidden"}
    )
    mo.post(admin_url("arguments_claim_change", b["claim"].pk), {"text": "Changed by A's mo."})

    assert Annotation.objects.get(pk=note.pk).body == "Bravo note."
    assert Claim.objects.get(pk=b["claim"].pk).text == "Bravo claim."


# -- what a moderator does there --------------------------------------------------------------


def test_merge_with_the_autocomplete_keeps_the_reason(mo, scene):
    a, _ = scene
    duplicate, into = a["claim"], a["other"]

    page = _act(mo, "claim", "merge_claims", [duplicate], reason="Says the same.")
    body = page.content.decode()
    assert "admin-autocomplete" in body and admin_url("autocomplete") in body
    assert 'value="Says the same."' in body  # the why typed in the action bar, carried over

    done = _act(mo, "claim", "merge_claims", [duplicate], apply="Merge", into=into.pk,
                reason="Says the same.")  # fmt: skip

    assert done.status_code == 200
    merge = Merge.objects.get(duplicate=duplicate)
    assert (merge.into_id, merge.reason) == (into.pk, "Says the same.")


def test_a_flag_is_resolved_with_a_reason(mo, cast, scene):
    a, _ = scene

    _act(mo, "flag", "uphold_flags", [a["flag"]], reason="It is spam.")

    flag = Flag.objects.get(pk=a["flag"].pk)
    assert (flag.status, flag.resolution_note, flag.handled_by) == (
        Flag.Status.UPHELD,
        "It is spam.",
        cast.moderator,
    )


def test_links_in_a_claims_page_stay_in_the_moderators_admin(mo, scene):
    a, _ = scene

    body = mo.get(admin_url("arguments_claim_change", a["claim"].pk)).content.decode()

    assert "/moderate/arguments/" in body and "/admin/arguments/" not in body


# -- the permission matrix of the scoped admin ------------------------------------------------

SCOPED_EXPECTED = {
    # persona: (the index, after redirects; the hide action done?)
    "owner": (200, True),
    "moderator": (200, True),
    "editor": (403, False),
    "writer": (403, False),
    "suggester": (403, False),
    "viewer": (403, False),
    "stranger": (403, False),
    "staff": (200, True),
}


@pytest.mark.parametrize("persona", [*SCOPED_EXPECTED, "anonymous"])
def test_the_scoped_admin_for_every_persona(client, cast, debate, pro, persona):
    if persona != "anonymous":
        client.force_login(cast[persona])

    index = client.get(admin_url("index"), follow=True)
    hidden = _act(client, "claim", "hide_claims", [pro], reason="Off topic.")

    done = Claim.objects.get(pk=pro.pk).status == Claim.Status.HIDDEN
    if persona == "anonymous":
        assert index.redirect_chain[-1][0].startswith(reverse("account_login"))
        assert not done
        return
    status, allowed = SCOPED_EXPECTED[persona]
    assert (index.status_code, done) == (status, allowed), persona
    if allowed:
        assert "Hid: 1 claim." in hidden.content.decode()
