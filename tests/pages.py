"""Reading rendered pages as a user would: the text they see, the links they can follow and
the forms they can submit (html.parser from the standard library, no browser)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements whose content is not shown as text.
UNSHOWN = {"script", "style", "template", "title", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Field:
    tag: str  # input, select, textarea
    type: str
    name: str
    value: str
    checked: bool = False
    required: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)


@dataclass
class Form:
    method: str
    action: str
    hx: dict[str, str]
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, text)
    context: str = ""  # the id of the nearest element with one, for messages

    def data(self, *, button: tuple[str, str, str] | None = None) -> dict[str, str]:
        """What submitting the form sends: what it holds, the first of each choice, and some
        words in each empty text area and required field."""
        data: dict[str, str] = {}
        for f in self.fields:
            if not f.name or f.type in {"submit", "button", "file"}:
                continue
            if f.type == "radio":
                if f.checked or f.name not in data:
                    data[f.name] = f.value
            elif f.type == "checkbox":
                if f.checked:
                    data[f.name] = f.value or "on"
            elif f.tag == "select":
                chosen = [v for v, selected in f.options if selected]
                usable = [v for v, _ in f.options if v]
                data[f.name] = chosen[0] if chosen and chosen[0] else (usable[0] if usable else "")
            elif f.type == "hidden" or f.value:
                data[f.name] = f.value
            elif f.type == "url" or f.name == "url":
                data[f.name] = "https://example.org/read-by-the-lens-test"
            elif f.tag == "textarea" or (f.required and f.type != "search"):
                data[f.name] = "Written by the lens test."
        if button and button[0]:
            data[button[0]] = button[1]
        return data

    def posted(self, **changes: str) -> dict[str, list[str]]:
        """What a browser sends when the form is submitted as it stands, with `changes`."""
        data: dict[str, list[str]] = {}
        for f in self.fields:
            if not f.name or f.type in {"submit", "button", "file", "reset"}:
                continue
            if f.type in {"checkbox", "radio"}:
                if f.checked:
                    data.setdefault(f.name, []).append(f.value or "on")
            elif f.tag == "select":
                data.setdefault(f.name, []).extend(v for v, selected in f.options if selected)
            else:
                data.setdefault(f.name, []).append(f.value)
        return data | {name: [value] for name, value in changes.items()}


@dataclass
class Page:
    text: list[str] = field(default_factory=list)  # visible text nodes
    attributes: list[str] = field(default_factory=list)  # every attribute value
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text) in <main>
    hx_gets: list[str] = field(default_factory=list)  # hx-get in <main>
    forms: list[Form] = field(default_factory=list)  # forms in <main>

    @property
    def visible_text(self) -> str:
        return " ".join(" ".join(self.text).split())


class _Reader(HTMLParser):
    def __init__(self, *, whole: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.whole = whole  # a fragment has no <main>: all of it counts
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None
        self.option: tuple[str, bool] | None = None
        self.link: list[str] | None = None

    def _in(self, tag: str) -> bool:
        return any(t == tag for t, _ in self.stack)

    def _in_main(self) -> bool:
        return self.whole or any(t == "main" or a.get("id") == "main" for t, a in self.stack)

    def _context(self) -> str:
        for _tag, attrs in reversed(self.stack):
            if attrs.get("id"):
                return attrs["id"]
        return ""

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v or "") for k, v in attrs_list}
        self.page.attributes.extend(attrs.values())
        if tag not in VOID:
            self.stack.append((tag, attrs))
        main = self._in_main()
        if main and "hx-get" in attrs:
            self.page.hx_gets.append(attrs["hx-get"])
        if tag == "a" and main and "href" in attrs:
            self.link = [attrs["href"]]
        elif tag == "form" and main:
            self.form = Form(
                method=attrs.get("method", "get").lower(),
                action=attrs.get("action", ""),
                hx={k: v for k, v in attrs.items() if k.startswith("hx-")},
                context=self._context(),
            )
            self.page.forms.append(self.form)
        elif self.form is not None and tag in {"input", "select", "textarea", "button"}:
            kind = attrs.get("type", "submit" if tag == "button" else "text").lower()
            if tag == "button" or kind == "submit":
                self.form.buttons.append((attrs.get("name", ""), attrs.get("value", ""), ""))
                return
            f = Field(
                tag,
                kind,
                attrs.get("name", ""),
                attrs.get("value", ""),
                checked="checked" in attrs,
                required="required" in attrs,
            )
            self.form.fields.append(f)
            if tag == "select":
                self.select = f
            elif tag == "textarea":
                self.textarea = f
        elif tag == "option" and self.select is not None:
            self.option = (attrs.get("value", ""), "selected" in attrs)
            self.select.options.append(self.option)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.link is not None:
            self.page.links.append((self.link[0], " ".join("".join(self.link[1:]).split())))
            self.link = None
        elif tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        while self.stack:
            top, _ = self.stack.pop()
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data.strip()
            return
        if self.link is not None:
            self.link.append(data)
        if not any(t in UNSHOWN for t, _ in self.stack) and data.strip():
            self.page.text.append(data)


def read(html: str) -> Page:
    """The page as a reader sees it; a fragment (no <main>) counts whole."""
    reader = _Reader(whole='id="main"' not in html)
    reader.feed(html)
    return reader.page


def template_syntax(page: Page) -> list[str]:
    """Bits of Django template syntax a reader would see (text or attribute values)."""
    found = []
    for text in [*page.text, *page.attributes]:
        if any(mark in text for mark in ("{#", "{%", "{{")):
            found.append(text.strip()[:120])
    return found
