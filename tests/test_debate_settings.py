"""The debate's own settings on its settings page (issue 28): the owner changes what the debate
is and who may reach it, moderators how the room runs, each change through
`services.debate_configure`, kept in the history and told in the activity feed; archiving
hides a debate from everyone but site staff. The permission matrix (test_permission_matrix)
covers every persona on each endpoint; these tests cover what each answer says and does."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from arguments import services
from arguments.formats import parse
from arguments.models import Debate
from arguments.rules.validation import clean_embed_origins
from arguments.services.guards import history_of

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, debate: Debate, *args: object) -> str:
    return reverse(f"arguments:{name}", args=[debate.slug, *args])


def fresh(debate: Debate) -> Debate:
    return Debate.objects.get(pk=debate.pk)


# -- the service ------------------------------------------------------------------------------


def test_the_owner_changes_settings_and_the_history_says_who(cast, debate):
    changed = services.debate_configure(
        actor=cast.owner,
        debate=debate,
        title="Should weights be open?",
        visibility=Debate.Visibility.UNLISTED,
        requires_approval=True,
        hide_votes_until_voted=True,
    )

    assert set(changed) == {"title", "visibility", "requires_approval", "hide_votes_until_voted"}
    debate = fresh(debate)
    assert (debate.title, debate.visibility) == ("Should weights be open?", "unlisted")
    assert debate.requires_approval and debate.hide_votes_until_voted
    latest = history_of(Debate).filter(id=debate.pk).latest("history_date")
    assert latest.history_user_id == cast.owner.pk
    assert latest.history_change_reason == "settings"


def test_nothing_changed_writes_no_history(cast, debate):
    before = history_of(Debate).filter(id=debate.pk).count()

    assert services.debate_configure(actor=cast.owner, debate=debate, title=debate.title) == []
    assert history_of(Debate).filter(id=debate.pk).count() == before


def test_a_moderator_runs_the_room_but_not_who_reaches_it(cast, debate):
    services.debate_configure(actor=cast.moderator, debate=debate, requires_approval=True)
    assert fresh(debate).requires_approval

    for setting in (
        {"visibility": "private"},
        {"title": "Mine now?"},
        {"embed_origins": "https://x.example"},
        {"default_role": "writer"},
    ):
        with pytest.raises(PermissionDenied):
            services.debate_configure(actor=cast.moderator, debate=debate, **setting)
    assert fresh(debate).visibility == Debate.Visibility.PUBLIC


@pytest.mark.parametrize("persona", ["editor", "writer", "viewer", "stranger", "anonymous"])
def test_no_one_else_changes_anything(cast, debate, persona):
    with pytest.raises(PermissionDenied):
        services.debate_configure(actor=cast[persona], debate=debate, requires_approval=True)
    assert not fresh(debate).requires_approval


def test_the_owner_may_still_configure_a_closed_debate(cast, debate):
    services.debate_lock(actor=cast.owner, debate=debate, status="closed", conclusion="Done.")
    debate = fresh(debate)

    services.debate_configure(actor=cast.owner, debate=debate, visibility="private")

    assert fresh(debate).visibility == "private"


def test_bad_values_are_refused_with_a_reason(cast, debate):
    for setting, field in (
        ({"title": "   "}, "title"),
        ({"visibility": "secret"}, "visibility"),
        ({"default_role": "moderator"}, "default_role"),
        ({"embed_origins": "javascript:alert(1)"}, "embed_origins"),
        ({"embed_origins": "https://a.example; script-src *"}, "embed_origins"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.debate_configure(actor=cast.owner, debate=debate, **setting)
        assert field in refused.value.message_dict


def test_origins_are_kept_as_browsers_send_them():
    assert (
        clean_embed_origins(
            "https://Moodle.School.example/course/view.php?id=4\n\nschool.example, "
            "http://localhost:8080/\nhttps://moodle.school.example"
        )
        == "https://moodle.school.example\nhttps://school.example\nhttp://localhost:8080"
    )


def test_a_change_moves_the_debate_to_a_new_version(cast, debate):
    version = debate.structure_version

    services.debate_configure(actor=cast.moderator, debate=debate, hide_votes_until_voted=True)

    assert fresh(debate).structure_version > version


# -- the page ---------------------------------------------------------------------------------


def test_the_owner_sees_every_setting(client, cast, debate):
    client.force_login(cast.owner)

    page = client.get(url("debate_settings", debate)).content.decode()

    for name in ("title", "description", "visibility", "default_role", "requires_approval",
                 "hide_votes_until_voted", "embed_origins", "confirm"):  # fmt: skip
        assert f'name="{name}"' in page, name
    assert "Not listed nor found by search" in page  # what unlisted means, said in place


def test_a_moderator_sees_their_part_and_reads_the_rest(client, cast, debate):
    client.force_login(cast.moderator)

    page = client.get(url("debate_settings", debate)).content.decode()

    assert 'name="requires_approval"' in page and 'name="hide_votes_until_voted"' in page
    for name in ("title", "visibility", "default_role", "embed_origins", "confirm"):
        assert f'name="{name}"' not in page, name
    assert "Only the owner changes who may reach the debate." in page


def test_saving_without_javascript_redirects_with_a_message(client, cast, debate):
    client.force_login(cast.owner)

    response = client.post(
        url("debate_configure", debate, "participation"),
        {"visibility": "unlisted", "default_role": "viewer", "requires_approval": "on"},
        follow=True,
    )

    assert response.redirect_chain[-1][0].endswith("/settings/#participation")
    assert "Saved." in response.content.decode()
    debate = fresh(debate)
    assert (debate.visibility, debate.default_role) == ("unlisted", "viewer")
    assert debate.requires_approval and not debate.voting_enabled  # an unticked box is off


def test_saving_with_htmx_answers_the_section_alone(client, cast, debate):
    client.force_login(cast.owner)

    response = client.post(
        url("debate_configure", debate, "about"),
        {"title": "Open weights?", "description": "For the seminar."},
        **HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="about"' in body and "Saved." in body


def test_a_bad_origin_is_explained_in_the_form(client, cast, debate):
    client.force_login(cast.owner)

    response = client.post(
        url("debate_configure", debate, "embedding"), {"embed_origins": "not a site at all"}
    )

    assert response.status_code == 422
    assert "is not a site&#x27;s address" in response.content.decode()
    assert fresh(debate).embed_origins == ""


def test_an_unknown_section_is_not_found(client, cast, debate):
    client.force_login(cast.owner)

    assert client.post(url("debate_configure", debate, "everything"), {}).status_code == 404


# -- the activity feed ------------------------------------------------------------------------


def test_participants_read_the_changes_that_concern_them(client, cast, debate):
    services.debate_configure(actor=cast.owner, debate=debate, visibility="unlisted")
    services.debate_configure(actor=cast.moderator, debate=debate, requires_approval=True)
    services.debate_configure(actor=cast.owner, debate=debate, embed_origins="https://a.example")
    client.force_login(cast.viewer)

    page = client.get(url("debate_feed", debate)).content.decode()

    assert "made the debate unlisted" in page
    assert "asked that new claims wait for a moderator&#x27;s approval" in page
    assert "a.example" not in page  # where it may be embedded concerns no participant


# -- archiving --------------------------------------------------------------------------------


def test_archiving_needs_the_slug_typed(client, cast, debate):
    client.force_login(cast.owner)

    response = client.post(url("debate_archive", debate), {"confirm": "yes"})

    assert response.status_code == 302 and fresh(debate).archived_at is None


def test_an_archived_debate_is_gone_for_all_but_staff(client, cast, debate):
    client.force_login(cast.owner)
    assert client.post(url("debate_archive", debate), {"confirm": debate.slug}).status_code == 302

    for persona in ("owner", "moderator", "viewer", "stranger"):
        client.force_login(cast[persona])
        assert client.get(url("debate", debate)).status_code == 404, persona
    client.logout()
    assert client.get(url("debate", debate)).status_code == 404
    assert debate.title not in client.get(reverse("arguments:debate_list")).content.decode()
    client.force_login(cast.staff)
    assert client.get(url("debate", debate)).status_code == 200
    # Staff restore it in the admin by clearing the date (kept in the history either way).
    assert (
        "archived_at"
        in client.get(reverse("admin:arguments_debate_change", args=[debate.pk])).content.decode()
    )


# -- safe defaults (item 2) -------------------------------------------------------------------


def test_a_new_debate_starts_unlisted_and_the_form_says_so(client, cast):
    client.force_login(cast.writer)
    form = client.get(reverse("arguments:debate_new")).content.decode()
    assert 'value="unlisted" checked' in form or 'value="unlisted" selected' in form
    assert "A new debate starts unlisted" in form

    client.post(
        reverse("arguments:debate_new"),
        {"title": "Our seminar?", "thesis": "We meet weekly.", "visibility": "unlisted",
         "default_role": "writer"},
    )  # fmt: skip

    debate = Debate.objects.get(title="Our seminar?")
    assert debate.visibility == Debate.Visibility.UNLISTED
    assert "Our seminar?" not in client.get(reverse("arguments:debate_list")).content.decode()
    client.logout()
    assert client.get(url("debate", debate)).status_code == 200  # by its link


def test_the_owner_may_choose_public_at_once(client, cast):
    client.force_login(cast.writer)
    client.post(
        reverse("arguments:debate_new"),
        {"title": "Open to all?", "thesis": "Yes.", "visibility": "public",
         "default_role": "writer"},
    )  # fmt: skip

    assert "Open to all?" in client.get(reverse("arguments:debate_list")).content.decode()


def test_an_import_starts_private(cast):
    text = "Discussion Title: Imported?\n\n1. Imported thesis.\n1.1. Pro: A reason.\n"
    debate = services.debate_import(owner=cast.owner, document=parse(text, "kialo"))

    assert debate.visibility == Debate.Visibility.PRIVATE


# -- embeds that explain themselves (item 5) --------------------------------------------------


def test_the_embed_dialog_says_which_sites_may_show_it(client, cast, debate):
    page = client.get(url("embed_dialog", debate)).content.decode()

    assert "Any site served over https may show this debate" in page
    assert "plain http" in page
    assert 'name="origin"' not in page  # only the owner changes the list


def test_the_dialog_checks_the_page_before_the_snippet_is_pasted(client, cast, debate):
    dialog = url("embed_dialog", debate)

    http = client.get(dialog, {"where": "http://moodle.school.example/course/4"}).content.decode()
    https = client.get(dialog, {"where": "https://moodle.school.example/course/4"}).content.decode()

    assert "This page cannot show the debate yet." in http and "plain http" in http
    assert "https://moodle.school.example may show this debate." in https
    services.debate_configure(actor=cast.owner, debate=debate, embed_origins="https://a.example")
    listed = client.get(dialog, {"where": "https://moodle.school.example/x"}).content.decode()
    assert "is not among the sites that may show this debate" in listed
    services.debate_configure(actor=cast.owner, debate=debate, visibility="unlisted")
    wildcard = "https://*.school.example"
    services.debate_configure(actor=cast.owner, debate=debate, embed_origins=wildcard)
    assert (
        "may show this debate."
        in client.get(dialog, {"where": "https://moodle.school.example/x"}).content.decode()
    )


def test_a_private_debate_says_so_before_anything_is_pasted(client, cast, debate):
    services.debate_configure(actor=cast.owner, debate=debate, visibility="private")
    client.force_login(cast.owner)

    page = client.get(url("embed_dialog", debate)).content.decode()

    assert "This debate is private, so it cannot be embedded" in page
    assert url("debate_settings", debate) in page  # where to change it
    assert "embed-snippet" not in page


def test_the_owner_adds_a_site_from_the_dialog(client, cast, debate):
    client.force_login(cast.owner)
    page = client.get(url("embed_dialog", debate)).content.decode()
    assert 'name="origin"' in page and "only listed sites may show the debate" in page

    response = client.post(
        url("embed_origin_add", debate),
        {"origin": "https://moodle.school.example/course/view.php?id=4", "where": ""},
    )

    assert response.status_code == 302
    assert fresh(debate).embed_origins == "https://moodle.school.example"
    embed = client.get(reverse("arguments:embed_debate", args=[debate.slug]))
    assert "https://moodle.school.example" in embed["Content-Security-Policy"]


def test_a_bad_site_is_explained_in_the_dialog(client, cast, debate):
    client.force_login(cast.owner)

    response = client.post(url("embed_origin_add", debate), {"origin": "my course"}, **HTMX)

    body = response.content.decode()
    assert response.status_code == 422 and "<html" not in body
    assert "is not a site&#x27;s address" in body
    assert fresh(debate).embed_origins == ""


@pytest.mark.parametrize("persona", ["moderator", "writer", "stranger"])
def test_only_the_owner_adds_a_site(client, cast, debate, persona):
    client.force_login(cast[persona])

    response = client.post(url("embed_origin_add", debate), {"origin": "https://x.example"})

    assert response.status_code == 403 and fresh(debate).embed_origins == ""
