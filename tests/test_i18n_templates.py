"""No user-facing text in a template outside `{% translate %}` / `{% blocktranslate %}` (issue 34).

The lint reads each template's source with Django's own lexer: every tag and variable becomes a
neutral stand-in, the text inside `{% blocktranslate %}` too (it is marked), and comments,
scripts and styles are dropped. What is left is HTML; a text node with a letter in it, or a
user-facing attribute (title, aria-label, aria-description, placeholder, alt, a submit
button's value) with a letter in it, is text nobody marked. A few strings are meant to stay
as they are in every language (`ALLOWED`: the brand), and so do addresses (an example URL in a
placeholder) and the content of a block named `…class` (a CSS class a child template fills).
A `<button>`'s value is sent, not shown; an `<input type="submit">`'s value is its label.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Text that stays the same in every language.
ALLOWED = {"Debate map"}
CHECKED_ATTRIBUTES = {"title", "aria-label", "aria-description", "placeholder", "alt"}
SUBMIT_TYPES = {"submit", "button", "reset"}
STAND_IN = "\ue000"  # a template tag or variable: no letters, so never text by itself
LETTER = re.compile(r"[^\W\d_]")
TRANSLATING = {"blocktranslate", "blocktrans"}
SKIPPED_ELEMENTS = {"script", "style"}
ADDRESS = re.compile(r"\S*://\S*")


def source_as_html(source: str) -> str:
    """The template's source with tags and variables as stand-ins, and what is inside
    `{% blocktranslate %}` and `{% comment %}` (marked, or not shown) as one stand-in."""
    out: list[str] = []
    inside: str | None = None  # the block tag being skipped
    for token in Lexer(source).tokenize():
        if token.token_type is TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if inside is not None:
                if name == f"end{inside}":
                    inside = None
                continue
            if name in TRANSLATING or name == "comment":
                inside = name
            elif name == "block" and token.contents.split()[-1].endswith("class"):
                inside = "block"
            out.append(STAND_IN)
        elif token.token_type is TokenType.TEXT and inside is None:
            out.append(token.contents)
        elif token.token_type is TokenType.VAR and inside is None:
            out.append(STAND_IN)
        # Comments ({# #}) say nothing to the reader.
    return "".join(out)


class _Unmarked(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1
        values = dict(attrs)
        for name, value in attrs:
            checked = name in CHECKED_ATTRIBUTES or (
                name == "value"
                and tag == "input"
                and (values.get("type") or "").lower() in SUBMIT_TYPES
            )
            if checked and value:
                self._check(value, f"<{tag} {name}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self._check(data, "text")

    def _check(self, text: str, where: str) -> None:
        shown = " ".join(ADDRESS.sub("", text.replace(STAND_IN, " ")).split())
        for allowed in ALLOWED:
            shown = shown.replace(allowed, "")
        if LETTER.search(shown):
            self.found.append(f"{where}: {shown[:80]!r}")


def unmarked(source: str) -> list[str]:
    """The user-facing texts of a template's source that no translation tag holds."""
    parser = _Unmarked()
    parser.feed(source_as_html(source))
    parser.close()
    return parser.found


def _templates() -> list[str]:
    return sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html"))


# -- the lint itself, on samples: it cannot pass by finding nothing --------------------------


@pytest.mark.parametrize(
    "sample",
    [
        "<p>Add a con</p>",
        '<a href="{% url "x" %}">Explore</a>',
        '<button title="Close">&times;</button>',
        '<input type="search" placeholder="Search claims">',
        '<img src="a.png" alt="A map">',
        '<input type="submit" value="Save">',
        '<input type="button" value="Go">',
        "{% block main_class %}page{% endblock %}<p>Hello</p>",
        '<nav aria-label="Account"></nav>',
        '<div aria-description="Drag to move"></div>',
        "{% if x %}<span>{{ n }} claims</span>{% endif %}",
        "{% translate 'Fine' %} but this is not",
    ],
)
def test_the_lint_finds_unmarked_text(sample: str) -> None:
    assert unmarked(sample), sample


@pytest.mark.parametrize(
    "sample",
    [
        "{% load i18n %}<p>{% translate 'Add a con' %}</p>",
        '<a href="{% url "x" %}" class="brand">{{ name }}</a>',
        "<p>{% blocktranslate trimmed with n=count %}{{ n }} claims\n here"
        "{% endblocktranslate %}</p>",
        '<button title="{% translate "Close" %}">&times;</button>',
        '<input type="hidden" name="next" value="here">',
        "<script>var words = 'English';</script><style>.a::after { content: 'b'; }</style>",
        "{# a comment #}{% comment %}Notes to self{% endcomment %}<p>· — → 3 %</p>",
        '<a class="brand" href="/">Debate map</a>',
        '<button name="act" value="dismiss">{% translate "Dismiss" %}</button>',
        '<input type="url" placeholder="https://moodle.school.example/course/view.php?id=4">',
        "{% block main_class %}error-page{% endblock %}",
        "<title>{% block title %}{% endblock %} · Debate map</title>",
    ],
)
def test_the_lint_lets_marked_text_and_symbols_pass(sample: str) -> None:
    assert unmarked(sample) == [], sample


def test_the_lint_reads_real_templates() -> None:
    """Every template is read (the list is not empty, and the lint runs on each)."""
    names = _templates()
    assert "base.html" in names and len(names) > 50
    for name in names:
        unmarked((TEMPLATES / name).read_text())


# -- the templates ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", _templates())
def test_every_template_marks_its_text(name: str) -> None:
    found = unmarked((TEMPLATES / name).read_text())
    assert found == [], f"{name}: text outside {{% translate %}}: {found}"
