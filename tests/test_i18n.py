"""Languages (issue 34): which language a reader gets, the switcher, caches keyed by the
language, a debate's own language in its markup, search and exports."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from arguments import languages, selectors, services
from arguments.explore import search
from arguments.formats import argdown, native_json
from arguments.models import Debate, Profile
from arguments.reading.export import document_from_debate as debate_document
from arguments.reading.lens import Lens
from arguments.views import cards, visitor_pages

pytestmark = pytest.mark.django_db

SWITCH = "/language/"


def html_lang(response) -> str:
    head = response.content.decode()[:400]
    return head.split('<html lang="', 1)[1].split('"', 1)[0]


# -- which language ---------------------------------------------------------------------------


def test_english_by_default(client, debate):
    response = client.get(debate.get_absolute_url())
    assert html_lang(response) == "en"
    assert 'dir="ltr"' in response.content.decode()[:400]


def test_the_browser_s_accept_language_chooses(client, debate):
    response = client.get(debate.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert html_lang(response) == "de"
    assert response["Content-Language"] == "de"
    vary = response["Vary"]
    assert "Accept-Language" in vary and "Cookie" in vary


def test_arabic_pages_read_right_to_left(client, debate):
    response = client.get(debate.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


def test_a_language_the_site_does_not_offer_falls_back_to_english(client, debate):
    response = client.get(debate.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ja")
    assert html_lang(response) == "en"


@pytest.mark.parametrize(
    ("asked", "code"),
    [("de-DE", "de"), ("pt_BR", "pt-br"), ("pt", "pt-br"), ("FR", "fr"), ("ar-EG", "ar")],
)
def test_a_locale_tag_names_one_of_the_languages(asked, code):
    assert languages.supported(asked) == code


@pytest.mark.parametrize("asked", ["", "ja", None, 42, "x" * 100])
def test_anything_else_names_none(asked):
    assert languages.supported(asked) is None


# -- the switcher -----------------------------------------------------------------------------


def test_every_page_shows_the_switcher_to_a_visitor_without_a_token(client, debate):
    body = client.get(debate.get_absolute_url()).content.decode()
    switcher = body.split('class="language-switcher"', 1)[1].split("</form>", 1)[0]
    assert 'name="language"' in switcher and 'value="fr"' in switcher
    assert f'name="next" value="{debate.get_absolute_url()}"' in switcher
    assert "csrfmiddlewaretoken" not in switcher  # the visitor's page is kept whole


def test_a_visitor_s_choice_is_kept_in_the_cookie(client, debate):
    url = debate.get_absolute_url()
    response = client.post(SWITCH, {"language": "fr", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert html_lang(client.get(url, HTTP_ACCEPT_LANGUAGE="de")) == "fr"  # cookie first


def test_the_switcher_goes_back_only_to_our_own_pages(client):
    response = client.post(SWITCH, {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_unknown_language_is_a_plain_400(client):
    response = client.post(SWITCH, {"language": "xx"})
    assert response.status_code == 400
    assert b"Choose one of the languages offered." in response.content


def test_the_switcher_takes_only_posts(client):
    assert client.get(SWITCH).status_code == 405


def test_a_member_s_choice_is_kept_in_their_profile_and_comes_back(cast, debate):
    member = Client(enforce_csrf_checks=True)
    member.force_login(cast.writer)
    page = member.get(debate.get_absolute_url())
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="', 1)[1].split('"')[0]
    response = member.post(SWITCH, {"language": "de", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Profile.objects.get(user=cast.writer).language == "de"
    assert html_lang(member.get("/")) == "de"
    # Another device, another browser: no cookie, an English browser; the profile wins.
    elsewhere = Client()
    elsewhere.force_login(cast.writer)
    assert html_lang(elsewhere.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "de"


def test_a_member_s_post_without_the_csrf_token_never_writes_the_profile(cast):
    """An error page's switcher carries no token: it changes this session's language only."""
    member = Client(enforce_csrf_checks=True)
    member.force_login(cast.writer)
    response = member.post(SWITCH, {"language": "de", "next": "/"})
    assert response.status_code == 302
    assert not Profile.objects.filter(user=cast.writer).exists()
    assert html_lang(member.get("/")) == "de"


def test_the_profile_language_service_refuses_visitors_and_unknown_codes(cast):
    with pytest.raises(PermissionDenied):
        services.member_language_set(actor=cast.anonymous, language="fr")
    with pytest.raises(Exception, match="languages offered"):
        services.member_language_set(actor=cast.writer, language="xx")
    assert services.member_language_set(actor=cast.writer, language="pt_BR") == "pt-br"
    assert selectors.member_language(cast.writer.pk) == "pt-br"


def test_the_javascript_catalog_is_served_per_language(client):
    response = client.get(reverse("arguments:javascript_catalog", args=["fr"]))
    assert response.status_code == 200
    assert "javascript" in response["Content-Type"]
    assert b"gettext" in response.content
    assert "max-age" in response["Cache-Control"]
    assert client.get(reverse("arguments:javascript_catalog", args=["xx"])).status_code == 404


def test_base_html_loads_the_catalog_of_the_page_s_language(client, debate):
    body = client.get(debate.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert f'<script src="{reverse("arguments:javascript_catalog", args=["es"])}"></script>' in body


# -- caches keyed by the language -------------------------------------------------------------


def test_a_french_visitor_never_gets_the_english_kept_page(client, debate):
    url = debate.get_absolute_url()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(english) == "en"
    assert html_lang(client.get(url, HTTP_ACCEPT_LANGUAGE="en")) == "en"  # kept
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert html_lang(french) == "fr"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    assert html_lang(client.get(url, HTTP_ACCEPT_LANGUAGE="en")) == "ar"
    kept_languages = {key[3] for key in visitor_pages._pages}
    assert {"en", "fr", "ar"} <= kept_languages


def test_a_kept_page_in_the_visitor_s_language_costs_one_query(
    client, debate, django_assert_num_queries
):
    url = debate.get_absolute_url()
    client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    with django_assert_num_queries(1):
        again = client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert html_lang(again) == "fr"
    assert "Accept-Language" in again["Vary"]


def test_claim_cards_are_kept_per_language(client, debate, pro):
    url = debate.get_absolute_url()
    client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    assert {key[1] for key in cards._cards} >= {"en", "de"}


# -- a debate's language ----------------------------------------------------------------------


def test_a_debate_starts_in_the_site_s_language(debate):
    assert debate.language == settings.LANGUAGE_CODE == "en"


def test_the_create_form_proposes_the_reader_s_language(cast):
    owner = Client()
    owner.force_login(cast.owner)
    page = owner.get(reverse("arguments:debate_new"), HTTP_ACCEPT_LANGUAGE="fr")
    assert '<option value="fr" selected>' in page.content.decode()
    response = owner.post(
        reverse("arguments:debate_new"),
        {
            "title": "Faut-il publier les poids des modèles ?",
            "thesis": "Les développeurs devraient publier les poids.",
            "visibility": "public",
            "default_role": "writer",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    assert Debate.objects.get(title__startswith="Faut-il").language == "fr"


def test_the_owner_sets_the_language_on_the_settings_page(client, cast, debate):
    client.force_login(cast.owner)
    url = reverse("arguments:debate_configure", args=[debate.slug, "about"])
    response = client.post(url, {"title": debate.title, "description": "", "language": "ar"})
    assert response.status_code == 302
    debate.refresh_from_db()
    assert debate.language == "ar"
    assert client.post(url, {"title": debate.title, "language": "xx"}).status_code == 422
    # Left out: unchanged.
    client.post(url, {"title": debate.title, "description": ""})
    debate.refresh_from_db()
    assert debate.language == "ar"


def test_a_moderator_may_not_change_the_language(client, cast, debate):
    client.force_login(cast.moderator)
    url = reverse("arguments:debate_configure", args=[debate.slug, "about"])
    response = client.post(url, {"title": debate.title, "language": "de"})
    assert response.status_code == 403
    debate.refresh_from_db()
    assert debate.language == "en"


def test_the_debate_s_words_carry_its_language_in_the_reader_s_interface(client, cast, debate, pro):
    services.debate_configure(actor=cast.owner, debate=debate, language="ar")
    body = client.get(debate.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="fr" dir="ltr">' in body
    assert f'<h1 lang="ar" dir="rtl">{debate.title}</h1>' in body
    assert body.count('class="claim-text" lang="ar" dir="rtl"') >= 2  # thesis and pro


def test_a_change_of_language_reaches_a_kept_card(client, cast, debate, pro):
    url = debate.get_absolute_url()
    client.get(url)
    services.debate_configure(actor=cast.owner, debate=debate, language="de")
    assert 'class="claim-text" lang="de"' in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("code", "config"),
    [
        ("en", "english"),
        ("fr", "french"),
        ("de", "german"),
        ("es", "spanish"),
        ("pt-br", "portuguese"),
        ("ar", "arabic"),
        ("xx", "simple"),
    ],
)
def test_each_language_searches_with_its_configuration(code, config):
    assert languages.search_config(code) == config


def test_search_in_a_debate_finds_its_words(cast):
    debate = services.debate_create(
        owner=cast.owner,
        title="Les chats",
        thesis="Les chats domestiques chassent les oiseaux des jardins.",
        visibility=Debate.Visibility.PUBLIC,
        language="fr",
    )
    lens = debate_lens(debate, cast.owner)
    found = search.search_debate(lens, "oiseaux")
    assert [hit.claim_id for hit in found] == [debate.claims.get().pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_postgresql_stems_with_the_debate_s_language(cast):
    debate = services.debate_create(
        owner=cast.owner,
        title="Les chats",
        thesis="Les chats domestiques chassent les oiseaux des jardins.",
        visibility=Debate.Visibility.PUBLIC,
        language="fr",
    )
    lens = debate_lens(debate, cast.owner)
    # French stemming: "oiseau" finds "oiseaux" (English stemming would not).
    assert [hit.claim_id for hit in search.search_debate(lens, "oiseau")] == [
        debate.claims.get().pk
    ]


def debate_lens(debate, user):
    return Lens.of(Debate.objects.get(pk=debate.pk), user)


# -- exports carry it -------------------------------------------------------------------------


def test_the_json_export_and_import_keep_the_language(cast, debate, pro):
    services.debate_configure(actor=cast.owner, debate=debate, language="es")
    debate.refresh_from_db()
    document = debate_document(debate)
    data = json.loads(native_json.render(document))
    assert data["debate"]["language"] == "es"
    copy = services.debate_import(owner=cast.owner, document=native_json.parse(json.dumps(data)))
    assert copy.language == "es"


def test_argdown_front_matter_carries_the_language(cast, debate):
    services.debate_configure(actor=cast.owner, debate=debate, language="de")
    debate.refresh_from_db()
    text = argdown.render(debate_document(debate))
    assert 'language: "de"' in text.split("===")[1]
    assert argdown.parse(text).language == "de"


def test_an_import_in_a_language_the_site_does_not_offer_is_in_english(cast, debate):
    data = json.loads(native_json.render(debate_document(debate)))
    data["debate"]["language"] = "tlh"
    data["debate"]["slug"] = "another"
    copy = services.debate_import(owner=cast.owner, document=native_json.parse(json.dumps(data)))
    assert copy.language == "en"


# Whole sentences around participants' words, and their direction (the rest of issue 34) ------


def _rendered(source: str, **context) -> str:
    from django.template import Context, Template

    return Template("{% load debate_tags %}" + source).render(Context(context))


def test_together_with_is_one_sentence_in_the_reader_s_language():
    texts = ["Open <weights>.", "Audits work.", "Costs fall."]
    with translation.override("fr"):
        said = _rendered("{% together_with texts %}", texts=texts)
    quoted = [
        f'« <span dir="auto">{t}</span> »'
        for t in ["Open &lt;weights&gt;.", "Audits work.", "Costs fall."]
    ]
    assert said == f"avec {quoted[0]}, {quoted[1]} et {quoted[2]}"
    with translation.override("ar"):
        one = _rendered("{% together_with texts %}", texts=texts[1:2])
    assert one == 'مع «<span dir="auto">Audits work.</span>»'


def test_the_settings_page_names_the_debate_s_tags_in_one_sentence(client, cast, debate):
    services.debate_tags_set(actor=cast.owner, debate=debate, names=["AI policy", "Open source"])
    client.force_login(cast.owner)
    client.cookies["django_language"] = "de"
    body = client.get(reverse("arguments:debate_settings", args=[debate.slug])).content.decode()
    assert "In „Entdecken“ zu finden unter <a href=" in body
    assert '" dir="auto">AI policy</a>, <a href="' in body


def test_an_import_problem_is_told_in_the_reader_s_language():
    from arguments.formats import FormatError, parse

    with translation.override("fr"):
        with pytest.raises(FormatError) as refused:
            parse("Discussion Title: T\n1. Pro: A.", "kialo")
        assert str(refused.value) == "ligne 2 : 1. est à la racine, c'est donc une thèse"
    with pytest.raises(FormatError) as english:
        parse("Discussion Title: T\n1. Pro: A.", "kialo")
    assert str(english.value) == "line 2: 1. stands at the root, so it is a thesis"


def test_participants_words_keep_their_own_direction_in_an_arabic_page(client, cast, debate, pro):
    """Lists of debates and search hits carry each debate's language and direction; a note's
    words take their own (`dir="auto"`): an English sentence in an Arabic page ends with its
    full stop on the right."""
    client.cookies["django_language"] = "ar"
    listing = client.get(reverse("arguments:debate_list")).content.decode()
    assert f'lang="en" dir="ltr">{debate.title}</a>' in listing
    found = client.get(reverse("arguments:debate_search", args=[debate.slug]), {"q": "weights"})
    assert 'class="hit-text" lang="en" dir="ltr"' in found.content.decode()
    services.annotation_add(actor=cast.writer, claim=pro, body="Sourced well.")
    page = client.get(pro.get_absolute_url()).content.decode()
    assert '<div class="note-body" dir="auto">' in page
