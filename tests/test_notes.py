"""Annotations through the site: a span or the whole claim, replies, edits, deletes,
visibility, and the W3C JSON-LD export."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Annotation, Debate

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def annotate_url(claim) -> str:
    return reverse("arguments:claim_annotate", kwargs={"slug": claim.debate.slug, "pk": claim.pk})


def note_url(name: str, note) -> str:
    return reverse(f"arguments:{name}", kwargs={"slug": note.claim.debate.slug, "note_id": note.pk})


def test_the_annotate_form_as_page_and_fragment(client, cast, pro):
    client.force_login(cast.viewer)
    page = client.get(annotate_url(pro), {"exact": "access"})
    assert (
        page.status_code == 200 and b"<html" in page.content and b'value="access"' in page.content
    )
    fragment = client.get(annotate_url(pro), **HTMX)
    assert b"<html" not in fragment.content and b'name="motivation"' in fragment.content


def test_a_span_is_annotated_and_highlighted(client, cast, debate, pro):
    client.force_login(cast.viewer)
    start = pro.text.index("spread")
    data = {"exact": "spread", "start": start, "end": start + 6, "motivation": "questioning",
            "body": "Does it *really*?", "visibility": "public"}  # fmt: skip
    response = client.post(annotate_url(pro), data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == f"#body-{pro.pk}"
    assert '<mark class="annotated">spread</mark>' in body
    assert "<em>really</em>" in body and "Question" in body
    page = client.get(debate.get_absolute_url()).content.decode()
    assert '<mark class="annotated">spread</mark>' in page


def test_without_javascript_a_typed_quote_anchors_the_note(client, cast, pro):
    client.force_login(cast.viewer)
    data = {"exact": "access", "motivation": "commenting", "body": "Which access?",
            "visibility": "public"}  # fmt: skip
    response = client.post(annotate_url(pro), data)
    assert response.status_code == 302
    note = Annotation.objects.get()
    assert pro.text[note.start : note.end] == "access"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"motivation": "commenting", "body": "", "visibility": "public"}, "Write something"),
        (
            {
                "motivation": "commenting",
                "body": "x",
                "visibility": "public",
                "start": 2,
                "end": 900,
            },
            "outside",
        ),
        (
            {
                "motivation": "commenting",
                "body": "x",
                "visibility": "public",
                "exact": "nowhere to be found",
            },
            "do not appear",
        ),
        ({"motivation": "bragging", "body": "x", "visibility": "public"}, "valid choice"),
    ],
)
def test_bad_annotations_are_refused_in_the_form(client, cast, pro, data, message):
    client.force_login(cast.viewer)
    response = client.post(annotate_url(pro), data, **HTMX)
    assert response.status_code == 422 and message in response.content.decode()
    assert not Annotation.objects.exists()


def test_visitors_and_closed_annotations_are_refused(client, cast, debate, pro):
    data = {"motivation": "commenting", "body": "Hi", "visibility": "public"}
    assert client.post(annotate_url(pro), data).status_code == 403
    debate.annotations_enabled = False
    debate.save()
    client.force_login(cast.viewer)
    assert client.post(annotate_url(pro), data).status_code == 403
    assert not Annotation.objects.exists()


def test_visibility_decides_who_sees_a_note(client, cast, debate, pro):
    services.annotation_add(
        actor=cast.viewer, claim=pro, body="Secret thought.", visibility="private"
    )
    services.annotation_add(actor=cast.viewer, claim=pro, body="For the room.", visibility="debate")
    url = debate.get_absolute_url()
    anonymous = client.get(url).content.decode()
    assert "Secret thought." not in anonymous and "For the room." not in anonymous
    client.force_login(cast.writer)
    writer = client.get(url).content.decode()
    assert "For the room." in writer and "Secret thought." not in writer
    for persona in ("viewer", "moderator"):
        client.force_login(cast[persona])
        assert "Secret thought." in client.get(url).content.decode()


def test_replies_edits_and_deletes(client, cast, pro):
    note = services.annotation_add(actor=cast.viewer, claim=pro, body="First.")
    client.force_login(cast.writer)
    response = client.post(note_url("note_reply", note), {"body": "An answer."}, **HTMX)
    assert response.status_code == 200 and "An answer." in response.content.decode()
    assert note.replies.get().author == cast.writer
    assert (
        client.post(
            note_url("note_edit", note), {"motivation": "commenting", "body": "Mine"}
        ).status_code
        == 403
    )
    assert client.post(note_url("note_delete", note)).status_code == 403
    client.force_login(cast.viewer)
    client.post(note_url("note_edit", note), {"motivation": "assessing", "body": "Revised."})
    note.refresh_from_db()
    assert (note.body, note.motivation) == ("Revised.", "assessing")
    client.post(note_url("note_delete", note), **HTMX)
    note.refresh_from_db()
    assert note.status == Annotation.Status.DELETED
    assert "Revised." not in client.get(pro.get_absolute_url()).content.decode()


def test_an_edit_of_the_claim_keeps_its_notes_and_marks_the_lost_ones(client, cast, pro):
    services.annotation_add(actor=cast.viewer, claim=pro, body="About access.", exact="access")
    services.annotation_add(actor=cast.viewer, claim=pro, body="About spreading.", exact="spread")
    services.claim_edit(actor=cast.writer, claim=pro, text="Open weights give access to all.")
    page = client.get(pro.get_absolute_url()).content.decode()
    assert "About spreading." in page and "orphaned" in page
    assert '<mark class="annotated">access</mark>' in page


def test_public_annotations_export_as_w3c_json_ld(client, cast, debate, pro):
    start = pro.text.index("access")
    services.annotation_add(actor=cast.viewer, claim=pro, body="Public.", start=start,
                            end=start + 6)  # fmt: skip
    services.annotation_add(actor=cast.viewer, claim=pro, body="Private.", visibility="private")
    response = client.get(reverse("arguments:debate_annotations", kwargs={"slug": debate.slug}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    data = json.loads(response.content)
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection" and data["total"] == 1
    item = data["first"]["items"][0]
    assert item["type"] == "Annotation" and item["body"][0]["value"] == "Public."
    selectors = {s["type"]: s for s in item["target"]["selector"]}
    assert selectors["TextQuoteSelector"]["exact"] == "access"
    assert selectors["TextPositionSelector"] == {"type": "TextPositionSelector", "start": start,
                                                 "end": start + 6}  # fmt: skip


def test_the_export_of_a_private_debate_is_a_404_to_strangers(client, cast, debate):
    debate.visibility = Debate.Visibility.PRIVATE
    debate.save()
    url = reverse("arguments:debate_annotations", kwargs={"slug": debate.slug})
    assert client.get(url).status_code == 404


def test_a_note_can_be_flagged_with_a_fallacy(client, cast, pro):
    from arguments.models import Flag

    note = services.annotation_add(actor=cast.viewer, claim=pro, body="Everyone agrees, so.")
    url = note_url("note_flag", note)
    assert client.get(url).status_code == 302  # visitors log in first
    client.force_login(cast.writer)
    page = client.get(url)
    assert page.status_code == 200 and b"Appeal to popularity" in page.content
    assert "Flag</a>" in client.get(pro.get_absolute_url()).content.decode()
    response = client.post(url, {"reason": "fallacy", "fallacy": "appeal_to_popularity"}, **HTMX)
    assert response.status_code == 200 and b"a moderator will look" in response.content
    flag = Flag.objects.get()
    assert (flag.annotation, flag.claim, flag.fallacy) == (note, None, "appeal_to_popularity")
    again = client.post(url, {"reason": "spam"})
    assert again.status_code == 422 and b"already flagged" in again.content


def test_a_private_note_cannot_be_flagged_by_others(client, cast, pro):
    note = services.annotation_add(actor=cast.viewer, claim=pro, body="Mine.", visibility="private")
    client.force_login(cast.writer)
    assert client.post(note_url("note_flag", note), {"reason": "spam"}).status_code == 404
