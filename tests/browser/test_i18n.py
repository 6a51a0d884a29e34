"""The interface in French and in Arabic, in Chromium (issue 34): the owner of the demo debate
switches language with the footer's switcher, walks the debate page, adds a con, votes, opens
the map and the settings page; nothing of the English interface is left (claim texts and the
other things participants wrote are theirs, in their language), Arabic pages read right to
left, and axe-core finds no violation.

"No English left" compares each page's interface texts (text nodes and the title, aria-label,
placeholder and alt attributes, outside any element with its own `lang`: the debate's content
and the switcher's language names) with the same page's texts in English, taken first: a text
found in both is untranslated, unless it is the same in both languages by nature (a number, a
name, `SAME_IN_BOTH`) or written by a participant (`content_of`).
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.urls import reverse

from arguments.models import Annotation, Citation, Claim, Debate, Source, Tag
from tests.browser.test_accessibility import sign_in, violations_on
from tests.conftest import seed_demo

pytestmark = pytest.mark.django_db(transaction=True)

# Texts the same in English and the other language by nature (brand, symbols with a word).
SAME_IN_BOTH = {
    "Debate map",
    *("English", "Français", "Deutsch", "Español", "Português (Brasil)", "العربية"),
    *("AIF", "JSON", "Argdown", "Kialo", "LTI", "API", "CSV", "SVG", "PNG", "URL"),
}
# Words spelled the same in English and in one of the languages (French shares many).
SAME_IN = {
    "fr": {
        *("Notifications", "Sources", "Description", "Conclusion", "Public", "Actions"),
        *("Suggestions", "Format", "2 votes", "1 vote", "Options"),
    },
    "ar": set(),
}
LETTER = re.compile(r"[^\W\d_]")

INTERFACE_TEXTS = """() => {
  const out = [];
  const content = '[lang]:not(html), script, style, template, [hidden], noscript';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || parent.closest(content)) continue;
    const text = walker.currentNode.textContent.replace(/\\s+/g, ' ').trim();
    if (text) out.push(text);
  }
  const named = '[title], [aria-label], [placeholder], [alt]';
  for (const element of document.body.querySelectorAll(named)) {
    if (element.closest(content)) continue;
    for (const name of ['title', 'aria-label', 'placeholder', 'alt']) {
      const value = element.getAttribute(name);
      if (value && value.trim()) out.push(value.replace(/\\s+/g, ' ').trim());
    }
  }
  return out;
}"""


@pytest.fixture
def seeded(transactional_db) -> Debate:
    seed_demo()  # the command once per test process (tests/conftest.py)
    return Debate.objects.get(slug="open-weight-ai")


def content_of(debate: Debate) -> list[str]:
    """What participants wrote or are called: never the interface's to translate."""
    texts = [debate.title, debate.description, debate.slug]
    for claim in Claim.objects.filter(debate=debate):
        texts += [claim.text, claim.elaboration, claim.title]
    texts += Annotation.objects.filter(claim__debate=debate).values_list("body", flat=True)
    texts += Source.objects.values_list("title", flat=True)
    for quote, locator in Citation.objects.values_list("quote", "locator"):
        texts += [quote, locator]
    texts += Tag.objects.values_list("name", flat=True)
    texts += get_user_model().objects.values_list("username", flat=True)
    return [text for text in texts if text]


def _written(text: str, content: list[str]) -> bool:
    """Whether `text` is participants' words: whole, or cut short with "…" (a card's excerpt,
    a map box's wrapped line), or an address."""
    if "://" in text:
        return True
    pieces = [" ".join(piece.split()) for piece in re.split(r"[…]|\.\.\.", text)]
    edges = " ,.:;+\u2212"  # punctuation, and the map's ± of a branch
    pieces = [piece.strip(edges) for piece in pieces if piece.strip(edges)]
    return bool(pieces) and all(any(piece in written for written in content) for piece in pieces)


def interface_texts(page, content: list[str], language: str = "en") -> set[str]:
    """The page's interface texts with a letter in them, participants' words left out."""
    found = set()
    for text in page.evaluate(INTERFACE_TEXTS):
        if not LETTER.search(text) or text in SAME_IN_BOTH or text in SAME_IN.get(language, ()):
            continue
        if any(written in text for written in content) or _written(text, content):
            continue
        found.add(text)
    return found


def walk(debate: Debate) -> list[tuple[str, str]]:
    """The walk: (where, url) of each page after the step that leads to it."""
    thesis = debate.claims.theses().first()
    slug = debate.slug
    return [
        ("debate", debate.get_absolute_url()),
        ("con form", reverse("arguments:claim_add", args=[slug, thesis.pk]) + "?stance=con"),
        ("map", reverse("arguments:debate_map", args=[slug])),
        ("settings", reverse("arguments:debate_settings", args=[slug])),
    ]


@pytest.mark.timeout(900)  # eight pages, four of them checked by axe-core
@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("ar", "rtl")])
def test_the_interface_speaks_the_chosen_language(
    browser, live_server, seeded, language: str, direction: str
) -> None:
    debate = seeded
    owner = debate.owner
    content = content_of(debate)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    sign_in(context, live_server, owner)
    page = context.new_page()
    page.set_default_timeout(15_000)
    steps = walk(debate)

    english: dict[str, set[str]] = {}
    for where, url in steps:
        page.goto(url, wait_until="domcontentloaded")
        assert page.locator("html").get_attribute("lang") == "en"
        english[where] = interface_texts(page, content)
    assert english["debate"], "the English debate page shows interface texts"

    # The switcher, in the footer of every page: a plain form, back to the same page.
    page.goto(debate.get_absolute_url(), wait_until="domcontentloaded")
    page.select_option("#language-choice", language)
    page.locator(".language-switcher button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith(debate.get_absolute_url())
    html = page.locator("html")
    assert html.get_attribute("lang") == language
    assert html.get_attribute("dir") == direction
    # The debate's own words keep their language (the demo debate is English).
    assert page.locator("h1").get_attribute("lang") == debate.language

    axe = Axe()
    untranslated: list[str] = []
    violations: list[str] = []
    for where, url in steps:
        page.goto(url, wait_until="domcontentloaded")
        assert page.locator("html").get_attribute("lang") == language, where
        assert page.locator("html").get_attribute("dir") == direction, where
        if where == "con form":
            form = page.locator("form:has(textarea[name=text])").first
            form.locator("textarea[name=text]").fill(
                "Publicly released weights cannot be recalled once a flaw is found."
            )
            form.locator("button[type=submit]").first.click()
            page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == language
        if where == "debate":
            # A vote, from the first card that offers one (htmx swaps the votes in place).
            vote = page.locator("form.vote-form button[type=submit]").first
            vote.click()
            page.wait_for_timeout(500)
        same = sorted(interface_texts(page, content, language) & english.get(where, set()))
        untranslated += [f"{where}: {text!r}" for text in same]
        violations += list(violations_on(page, axe, f"{language} {where}"))
    context.close()
    assert Claim.objects.filter(debate=debate, text__startswith="Publicly released").exists()
    assert (untranslated, violations) == ([], []), (
        "English left in the interface:\n"
        + "\n".join(untranslated)
        + "\naxe-core:\n"
        + "\n".join(violations)
    )


def test_a_visitor_chooses_a_language_without_javascript(page_without_js, seeded) -> None:
    """The switcher is a plain form: the cookie keeps the choice for a visitor."""
    page = page_without_js
    page.goto(seeded.get_absolute_url())
    page.select_option("#language-choice", "de")
    page.locator(".language-switcher button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "de"
    assert any(c["name"] == "django_language" for c in page.context.cookies())
    page.goto(reverse("arguments:debate_list"))
    assert page.locator("html").get_attribute("lang") == "de"


def test_the_switcher_fits_a_phone(browser, live_server, seeded) -> None:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(seeded.get_absolute_url())
    switcher = page.locator(".language-switcher")
    switcher.scroll_into_view_if_needed()
    box = switcher.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
    context.close()
