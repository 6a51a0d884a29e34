"""Regression tests for the security review of issue 13, one (or more) per finding, each named
after the attack it stops. The LTI launch findings are in test_lti.py; the framework defences
(CSP, cookies, settings) in test_security_defaults.py."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse

from arguments import services
from arguments.models import Annotation, Claim, Debate, Flag, Relation, Source, Stance, Vote
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.security]

User = get_user_model()


def hidden_branch(cast, thesis: Claim, pro: Claim) -> Claim:
    """A claim under `pro`, which a moderator then hides: published, but hidden with it."""
    under = services.claim_add(
        actor=cast.writer, parent=pro, stance=Stance.CON, text="Only said under a hidden claim."
    )
    services.claim_hide(actor=cast.moderator, claim=pro)
    return under


# Finding 3: claims under a hidden claim ------------------------------------------------------


def test_a_writer_cannot_link_a_claim_under_a_hidden_one_back_into_the_tree(
    cast, debate, thesis, pro, con
):
    under = hidden_branch(cast, thesis, pro)
    under.refresh_from_db()
    assert under.status == Claim.Status.PUBLISHED  # the claim's own state allows it...
    with pytest.raises(ValidationError, match="you can see"):  # ...where it stands does not
        services.claim_link(actor=cast.writer, claim=under, parent=con, stance=Stance.CON)
    assert not Relation.objects.filter(child=under, is_link=True).exists()


def test_a_link_made_before_the_hide_does_not_show_the_hidden_branch(
    client, cast, debate, thesis, pro, con
):
    under = hidden_branch(cast, thesis, pro)
    services.claim_restore(actor=cast.moderator, claim=pro)
    services.claim_link(actor=cast.writer, claim=under, parent=con, stance=Stance.CON)
    con_page = reverse("arguments:claim", args=[debate.slug, con.pk])
    assert under.text in client.get(con_page).content.decode()  # the link, under the con
    services.claim_hide(actor=cast.moderator, claim=pro)
    client.force_login(cast.viewer)
    assert under.text not in client.get(debate.get_absolute_url()).content.decode()
    focus = client.get(reverse("arguments:claim", args=[debate.slug, con.pk]))
    assert under.text not in focus.content.decode()


# Finding 4: rewriting an approved claim -------------------------------------------------------


def test_an_author_cannot_rewrite_an_approved_claim_without_a_new_review(
    client, cast, debate, thesis
):
    Debate.objects.filter(pk=debate.pk).update(requires_approval=True)
    debate.refresh_from_db()
    claim = services.claim_add(
        actor=cast.writer, parent=thesis, stance=Stance.PRO, text="Audits need the weights."
    )
    assert claim.status == Claim.Status.PENDING
    services.claim_approve(actor=cast.moderator, claim=claim)
    client.force_login(cast.writer)
    response = client.post(
        reverse("arguments:claim_edit", args=[debate.slug, claim.pk]),
        {"text": "Everyone should be able to build bioweapons.", "elaboration": ""},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PENDING
    client.logout()
    assert claim.text not in client.get(debate.get_absolute_url()).content.decode()
    # An editor's own edits need no review, as their claims need none.
    services.claim_approve(actor=cast.moderator, claim=claim)
    services.claim_edit(actor=cast.editor, claim=claim, text="Audits need the weights.")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED


def test_an_unchanged_save_of_an_approved_claim_keeps_it_approved(cast, debate, thesis):
    Debate.objects.filter(pk=debate.pk).update(requires_approval=True)
    debate.refresh_from_db()
    claim = services.claim_add(
        actor=cast.writer, parent=thesis, stance=Stance.PRO, text="Audits need the weights."
    )
    services.claim_approve(actor=cast.moderator, claim=claim)
    services.claim_edit(actor=cast.writer, claim=claim, text="Audits need the weights.")
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED


# Finding 6: the low ones --------------------------------------------------------------------


@pytest.mark.parametrize("status", [Debate.Status.LOCKED, Debate.Status.CLOSED])
def test_a_vote_cannot_be_withdrawn_in_a_locked_or_closed_debate(
    client, cast, debate, thesis, pro, status
):
    relation = pro.parent_relations.get()
    services.vote_cast(user=cast.viewer, point=relation, value=4)
    Debate.objects.filter(pk=debate.pk).update(status=status)
    client.force_login(cast.viewer)
    response = client.post(
        reverse("arguments:claim_vote", args=[debate.slug, pro.pk]),
        {"relation": relation.pk, "withdraw": "1"},
    )
    assert response.status_code == 403
    debate.refresh_from_db()
    with pytest.raises(PermissionDenied, match=status):  # the service refuses it too
        services.vote_withdraw(user=cast.viewer, point=relation)
    assert Vote.objects.filter(user=cast.viewer, relation=relation).exists()
    relation.refresh_from_db()
    assert relation.votes_4 == 1


def test_citing_by_title_cannot_reuse_or_probe_another_debates_source(cast, debate, thesis, pro):
    private = services.debate_create(
        owner=cast.stranger,
        title="A private inquiry",
        thesis="Secret thesis.",
        visibility=Debate.Visibility.PRIVATE,
    )
    services.source_cite(
        actor=cast.stranger,
        claim=private.claims.get(),
        url="https://secret.example/leaked-memo",
        title="Internal memo",
    )
    with pytest.raises(ValidationError, match="web address"):
        services.source_cite(actor=cast.writer, claim=pro, url="", title="Internal memo")
    assert not pro.citations.exists()
    # By title, a source this debate already cites is found again.
    services.source_cite(
        actor=cast.writer, claim=pro, url="https://example.org/report", title="Public report"
    )
    again = services.source_cite(actor=cast.writer, claim=thesis, url="", title="public report")
    assert again.source.url == "https://example.org/report"
    assert Source.objects.count() == 2


def test_a_reply_to_a_private_note_one_cannot_see_is_refused_like_a_missing_one(
    client, cast, debate, thesis, pro
):
    private = services.annotation_add(
        actor=cast.editor,
        claim=pro,
        body="My private reminder.",
        visibility=Annotation.Visibility.PRIVATE,
    )
    with pytest.raises(PermissionDenied, match="no such annotation"):
        services.annotation_add(actor=cast.writer, claim=pro, body="Seen it!", parent=private)
    client.force_login(cast.writer)
    reply = reverse("arguments:note_reply", args=[debate.slug, private.pk])
    missing = reverse("arguments:note_reply", args=[debate.slug, private.pk + 1000])
    assert client.post(reply, {"body": "Seen it!"}).status_code == 404
    assert client.post(missing, {"body": "Seen it!"}).status_code == 404
    assert not Annotation.objects.filter(parent=private).exists()


def test_a_deeply_nested_json_upload_is_a_clear_422_not_a_500(client, cast):
    client.force_login(cast.writer)
    nested = '{"format": "debate-json", "debate": ' + "[" * 100_000 + "]" * 100_000 + "}"
    for name in ("deep.json", "deep.aif.json"):
        response = client.post(
            reverse("arguments:import"),
            {"file": _upload(name, nested)},
        )
        assert response.status_code == 422, name
        assert "nested too deeply" in response.content.decode()
    assert Debate.objects.count() == 0


def _upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="application/json")


def hide_votes(debate: Debate) -> None:
    Debate.objects.filter(pk=debate.pk).update(hide_votes_until_voted=True)


def test_hidden_votes_do_not_leak_through_the_strength_bar_or_why(
    client, cast, debate, thesis, pro
):
    relation = pro.parent_relations.get()
    services.vote_cast(user=cast.editor, point=relation, value=0)
    hide_votes(debate)
    client.force_login(cast.viewer)
    page = client.get(debate.get_absolute_url()).content.decode()
    assert f'id="votes-r{relation.pk}"' in page
    assert "Strength" not in page.split(f'id="votes-r{relation.pk}"')[1].split("</div>")[0]
    why = reverse("arguments:claim_why", args=[debate.slug, pro.pk])
    assert client.get(why).status_code == 404
    services.vote_cast(user=cast.viewer, point=relation, value=4)
    page = client.get(debate.get_absolute_url()).content.decode()
    assert "Strength" in page.split(f'id="votes-r{relation.pk}"')[1].split("</div>")[0]
    assert client.get(why).status_code == 200


def test_a_visitors_cached_tree_follows_an_admin_change_of_hidden_votes(
    client, cast, debate, thesis, pro
):
    relation = pro.parent_relations.get()
    services.vote_cast(user=cast.editor, point=relation, value=3)
    assert "1 vote" in client.get(debate.get_absolute_url()).content.decode()  # cached now
    staff = cast.staff
    client.force_login(staff)
    change = reverse("admin:arguments_debate_change", args=[debate.pk])
    form = client.get(change).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, (list, tuple))
    }
    data.update(
        {
            "hide_votes_until_voted": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "owner": debate.owner_id,
        }
    )
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    debate.refresh_from_db()
    assert debate.hide_votes_until_voted
    client.logout()
    page = client.get(debate.get_absolute_url()).content.decode()
    assert "vote to see how others voted" in page


def test_deleting_a_user_anywhere_fixes_the_tallies_and_keeps_their_flags(
    cast, debate, thesis, pro
):
    relation = pro.parent_relations.get()
    leaver = UserFactory(username="leaver")
    services.vote_cast(user=leaver, point=relation, value=4)
    services.vote_cast(user=leaver, point=thesis, value=1)
    services.vote_cast(user=cast.viewer, point=relation, value=2)
    flag = services.flag_raise(actor=leaver, claim=pro, reason=Flag.Reason.UNCLEAR)
    leaver.delete()  # not through the admin: a shell, a script, a GDPR request
    relation.refresh_from_db()
    thesis.refresh_from_db()
    assert (relation.votes_4, relation.votes_2, thesis.votes_1) == (0, 1, 0)
    flag.refresh_from_db()
    assert flag.reporter is None and flag.status == Flag.Status.OPEN
    assert services.votes_recount()[1] == 0  # nothing left to fix


def test_the_admin_deletes_a_user_with_the_same_care(client, cast, debate, thesis, pro):
    relation = pro.parent_relations.get()
    leaver = UserFactory(username="leaver")
    services.vote_cast(user=leaver, point=relation, value=3)
    client.force_login(cast.staff)
    response = client.post(reverse("admin:auth_user_delete", args=[leaver.pk]), {"post": "yes"})
    assert response.status_code == 302
    relation.refresh_from_db()
    assert relation.votes_3 == 0 and not User.objects.filter(username="leaver").exists()


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_failed_logins_behind_the_proxy_do_not_lock_out_everyone(client, cast):
    """Finding 5: behind the documented proxy every request came from the proxy's address,
    so ten failed logins (anyone's) locked everyone out."""
    login = reverse("account_login")
    for attempt in range(12):
        client.post(
            login,
            {"login": f"nobody{attempt}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
    cast.viewer.set_password("a-good-password-1")
    cast.viewer.save()
    response = client.post(
        login,
        {"login": cast.viewer.username, "password": "a-good-password-1"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 302, response.status_code
