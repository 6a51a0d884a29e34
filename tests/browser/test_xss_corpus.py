"""The XSS corpus (issue 13): every vector stored through the real services, in every text a user
writes, then rendered in a real Chromium on the pages that show it.

A vector counts as executed when it calls `top.__xss.push(N)` (an init script defines the
array before any page script runs) or opens a dialog. And because a payload may be harmless
only until someone hovers, clicks or a later htmx swap, the DOM itself is checked: no event
handler attribute or hx-* attribute that came from user text, no script but the app's own
(from /static/), no javascript:/data: URL, no frame, object, embed, SVG, MathML or image from a
payload, no element Markdown should never produce, and no request to a URL a payload names.

Every vector carries the marker `xss` (its handlers call `__xss.push(N)`, its URLs name
`/xssN`), which is how an attribute that came from user text is told from the app's own.

To add a vector, append it to VECTORS: `PUSH` stands for `top.__xss.push(N)`, `ID` for N.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.test import Client

from arguments import services
from arguments.explore.listings import HOME_ROWS
from arguments.models import Flag, Role, Stance
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.security]

VECTORS: list[tuple[str, str]] = [
    # -- classic script and event handlers --
    ("script tag", "<script>PUSH</script>"),
    ("script src data", "<SCRIPT SRC=data:,PUSH></SCRIPT>"),
    ("img onerror", "<img src=x onerror=PUSH>"),
    ("img onerror quoted", '<img src="x" onerror="PUSH">'),
    ("img backticks", "<img src=`x` onerror=PUSH>"),
    ("img entity handler", "<img src=x onerror=&#x74;op.__xss.push(ID)>"),
    ("body onload", "<body onload=PUSH>"),
    ("details ontoggle", "<details open ontoggle=PUSH>"),
    ("input autofocus", "<input autofocus onfocus=PUSH>"),
    ("video source onerror", "<video><source onerror=PUSH></video>"),
    ("audio onerror", "<audio src=x onerror=PUSH>"),
    ("marquee onstart", "<marquee onstart=PUSH>xss</marquee>"),
    ("unknown tag onclick", "<x onclick=PUSH>click xss</x>"),
    ("split script", "<scr<script>ipt>PUSH</scr</script>ipt>"),
    ("double open", "<<script>PUSH//<</script>"),
    ("rtl override", "\u202e<img src=x onerror=PUSH>"),
    # -- SVG and MathML --
    ("svg onload", "<svg onload=PUSH>"),
    ("svg script", "<svg><script>PUSH</script></svg>"),
    ("svg animate", "<svg><animate onbegin=PUSH attributeName=x dur=1s>"),
    ("svg xlink", '<svg><a xlink:href="javascript:PUSH"><text x=20 y=20>xss</text></a></svg>'),
    ("mathml href", '<math href="javascript:PUSH">xss</math>'),
    ("mathml mxss", "<math><mtext><table><mglyph><style><img src=x onerror=PUSH>"),
    ("noscript mxss", '<noscript><p title="</noscript><img src=x onerror=PUSH>">'),
    # -- URLs --
    ("iframe javascript", '<iframe src="javascript:PUSH"></iframe>'),
    ("iframe srcdoc", '<iframe srcdoc="<script>PUSH</script>"></iframe>'),
    ("object data", '<object data="javascript:PUSH"></object>'),
    ("embed src", '<embed src="javascript:PUSH">'),
    ("a javascript", '<a href="javascript:PUSH">xss</a>'),
    ("a mixed case", '<a href="JaVaScRiPt:PUSH">xss</a>'),
    ("a entity scheme", '<a href="&#106;avascript:PUSH">xss</a>'),
    ("a data url", '<a href="data:text/html,<script>PUSH</script>">xss</a>'),
    ("allowed tag, handler", '<a href="https://example.org/" onclick="PUSH">xss</a>'),
    ("form action", '<form action="javascript:PUSH"><button>xss</button></form>'),
    ("formaction", '<button formaction="javascript:PUSH">xss</button>'),
    ("base href", '<base href="javascript:PUSH//">'),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=javascript:PUSH">'),
    ("link import", "<link rel=import href=data:text/html,<script>PUSH</script>>"),
    ("style import", "<style>@import 'javascript:PUSH';</style>"),
    ("style url", '<div style="background:url(javascript:PUSH)">xss</div>'),
    # -- breaking out of attributes and elements --
    ("double-quote breakout", '"><img src=x onerror=PUSH>'),
    ("single-quote breakout", "'><img src=x onerror=PUSH>"),
    ("attr injection dq", '" onmouseover="PUSH" x="'),
    ("attr injection sq", "' onfocus='PUSH' autofocus x='"),
    ("close textarea", "</textarea><script>PUSH</script>"),
    ("close title", "</title><script>PUSH</script>"),
    ("close q", "</q><script>PUSH</script>"),
    ("close script", "</script><script>PUSH</script>"),
    ("close mark", "</mark></a><img src=x onerror=PUSH>"),
    # -- template injection --
    ("django var safe", '{{ "<script>PUSH</script>"|safe }}'),
    ("django autoescape", "{% autoescape off %}<script>PUSH</script>{% endautoescape %}"),
    ("template expressions", "{{7*7}} ${7*7} <%= 7*7 %> #{7*7} xss"),
    ("django tag", "{% debug %}{% csrf_token %} xss"),
    # -- htmx attributes --
    ("hx-get load", '<div hx-get="/xssID" hx-trigger="load">xss</div>'),
    ("hx-on click", '<div hx-on:click="PUSH">xss</div>'),
    ("hx-on load", '<div hx-on::load="PUSH" hx-get="/xssID" hx-trigger="load">xss</div>'),
    ("hx-vals js", '<div hx-get="/xssID" hx-vals="js:{a:PUSH}" hx-trigger="load">xss</div>'),
    ("hx-post form", '<form hx-post="/xssID" hx-trigger="load">xss</form>'),
    ("data-hx-on", '<div data-hx-on:click="PUSH" data-hx-get="/xssID">xss</div>'),
    ("hx-swap data", '<div hx-get="data:text/html,xss" hx-trigger="load" hx-swap="outerHTML">'),
    ("hx-headers", '<div hx-headers=\'{"X":"xss"}\' hx-get="/xssID" hx-trigger="load">'),
    ("hx via markdown", '**<span hx-get="/xssID" hx-trigger="load">xss</span>**'),
    # -- Markdown --
    ("md javascript link", "[xss](javascript:PUSH)"),
    ("md upper scheme", "[xss](JAVASCRIPT:PUSH)"),
    ("md entity scheme", "[xss](javascript&#58;PUSH)"),
    ("md image breakout", '![xss](x" onerror="PUSH)'),
    ("md image javascript", "![xss](javascript:PUSH)"),
    ("md title breakout", '[xss](https://example.org/ "t\\" onmouseover=\\"PUSH")'),
    ("md autolink js", "<javascript:PUSH>"),
    ("md autolink data", "<data:text/html,<script>PUSH</script>>"),
    ("md reference link", "[xss][r]\n\n[r]: javascript:PUSH"),
    ("md raw html block", "<div>\n<script>PUSH</script>\n</div>"),
    ("md nested emphasis", "**bold _<img src=x onerror=PUSH>_ xss**"),
    ("md emphasis svg", "*<svg onload=PUSH>*"),
    ("md emphasised js link", "_[xss](javascript:PUSH)_"),
    ("md code span", "`<script>PUSH</script>`"),
    ("md fenced html", "```html\n<script>PUSH</script>\n```"),
    ("md blockquote html", "> <img src=x onerror=PUSH>"),
    ("md table html", "| a |\n|---|\n| <img src=x onerror=PUSH> |"),
    ("md heading html", "### <iframe src=javascript:PUSH>"),
    ("plain javascript url", "javascript:PUSH"),
]

# Vectors whose markers must never reach the DOM as live markup: every tag the checker flags.
CHECK_DOM = r"""
() => {
  const out = [];
  const MARK = /xss/i;
  const BAD_URL = /^[\s\u0000-\u001f]*(javascript|data|vbscript)\s*:/i;
  const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data',
    'srcdoc', 'background', 'poster', 'codebase', 'cite', 'ping']);
  // Attributes that may carry a user's words as escaped text.
  const TEXT_ATTRS = new Set(['title', 'aria-label', 'value', 'content', 'placeholder', 'alt',
    'label', 'datetime']);
  const NEVER = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'applet',
    'svg', 'math', 'img', 'video', 'audio', 'source', 'track', 'picture', 'marquee', 'portal',
    'isindex', 'template', 'x']);
  const MARKDOWN = new Set(['p', 'br', 'strong', 'em', 'code', 'pre', 'blockquote', 'ul', 'ol',
    'li', 'a', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td']);
  const MARKDOWN_BOXES = ['elaboration', 'note-body', 'description-text', 'conclusion'];
  const appHandler = (el, name, value) =>  // the app's own (until the CSP work removes it)
    el.id === 'order' && name === 'onchange' && value === 'this.form.requestSubmit()';
  const where = (el) => {
    const owner = el.closest('[id]');
    return owner ? owner.id : '';
  };
  const report = (el, why) => out.push({
    why, where: where(el), html: el.outerHTML.slice(0, 240),
  });
  const body = document.body;
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    for (const a of Array.from(el.attributes)) {
      const name = a.name.toLowerCase();
      const value = a.value;
      if (name.startsWith('on') && (MARK.test(value) || !appHandler(el, name, value))) {
        report(el, `event handler attribute ${name}`);
      } else if ((name.startsWith('hx-') || name.startsWith('data-hx-')) &&
                 (MARK.test(value) || /^(data-)?hx-on/.test(name))) {
        report(el, `htmx attribute ${name} from user text`);
      } else if (URL_ATTRS.has(name) && BAD_URL.test(value)) {
        report(el, `${name} with a ${value.trim().split(':')[0]}: URL`);
      } else if (MARK.test(value) && !TEXT_ATTRS.has(name) && !URL_ATTRS.has(name) &&
                 !(name.startsWith('data-') && !name.startsWith('data-hx-'))) {
        report(el, `attribute ${name} made from user text`);
      }
    }
    if (tag === 'script') {
      const src = el.getAttribute('src') || '';
      const own = src && new URL(el.src).origin === location.origin &&
        /^\/(static|jsi18n)\//.test(new URL(el.src).pathname);  // its files and its translations
      if (!own) report(el, 'a script that is not the app\'s own');
    } else if (NEVER.has(tag)) {
      report(el, `a <${tag}> element`);
    } else if (tag === 'base' && (body.contains(el) || el.hasAttribute('href'))) {
      report(el, 'a <base> with an address, or in the body');
    } else if (body.contains(el) && ['style', 'link', 'meta'].includes(tag)) {
      report(el, `a <${tag}> element in the body`);
    }
    if (MARKDOWN_BOXES.some(c => el.classList.contains(c))) {
      for (const inner of el.querySelectorAll('*')) {
        const tag = inner.localName;
        if (!MARKDOWN.has(tag)) report(inner, `<${tag}> in Markdown output`);
        for (const a of Array.from(inner.attributes)) {
          if (!['href', 'title', 'rel'].includes(a.name)) {
            report(inner, `attribute ${a.name} in Markdown output`);
          }
        }
      }
    }
  }
  return out;
}
"""

INIT = "window.__xss = [];"


def payload(index: int) -> str:
    return VECTORS[index][1].replace("PUSH", f"top.__xss.push({index})").replace("ID", str(index))


PAYLOADS = [payload(i) for i in range(len(VECTORS))]


def test_the_corpus_is_big_and_every_vector_carries_the_marker() -> None:
    assert len(VECTORS) >= 60
    assert len({name for name, _ in VECTORS}) == len(VECTORS), "vector names are unique"
    for i, text in enumerate(PAYLOADS):
        assert "xss" in text.lower(), f"vector {i} ({VECTORS[i][0]}) has no marker"
        assert len(text) <= 200, f"vector {i} ({VECTORS[i][0]}) is too long for a title"


@dataclass
class Watch:
    """What the browser did: executions, dialogs, requests to a payload's URL."""

    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def watch(page) -> Watch:
    seen = Watch()
    page.set_default_timeout(30_000)  # big pages on a busy machine
    page.add_init_script(INIT)

    def on_dialog(dialog) -> None:
        seen.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on(
        "request",
        lambda request: seen.requests.append(request.url) if "xss" in request.url.lower() else None,
    )
    return seen


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def name_of(index: int) -> str:
    return f"vector {index} ({VECTORS[index][0]}: {PAYLOADS[index]!r})"


def vectors_in(text: str) -> set[int]:
    found = {int(n) for n in re.findall(r"__xss\.push\((\d+)\)", text)}
    found |= {int(n) for n in re.findall(r"/xss(\d+)", text)}
    return found


# Swaps a fragment in through htmx, as the tree's toggles do (htmx runs the scripts and
# processes the hx-* attributes of what it swaps in, unlike a page load).
SWAP_IN = """async (url) => {
  const box = document.createElement('div');
  box.id = 'swapped-in';
  document.querySelector('main, #main, body').append(box);
  await htmx.ajax('GET', url, {target: '#swapped-in', swap: 'innerHTML'});
}"""


def inspect(page, seen: Watch, url: str, owners: dict[str, int], *, swap_in: str = "") -> list[str]:
    """Load `url` (and swap `swap_in` into it with htmx), open every <details> (the notes),
    let htmx settle; what went wrong."""
    seen.dialogs.clear()
    seen.requests.clear()
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    if swap_in:
        page.evaluate(SWAP_IN, swap_in)
        page.wait_for_function(
            "n => document.querySelectorAll('#swapped-in .claim-body').length >= n",
            arg=len(PAYLOADS),
        )
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.wait_for_load_state("networkidle")
    problems: list[str] = []
    for index in page.evaluate("window.__xss"):
        problems.append(f"{name_of(int(index))} EXECUTED")
    problems += [f"a dialog opened: {d}" for d in seen.dialogs]
    for url_seen in seen.requests:
        if url_seen == page.url:  # the page itself (a search for a payload)
            continue
        names = ", ".join(name_of(i) for i in sorted(vectors_in(url_seen))) or "a payload"
        problems.append(f"{names} made the browser request {url_seen}")
    for found in page.evaluate(CHECK_DOM):
        indices = vectors_in(found["html"])
        if not indices and found["where"] in owners:
            indices = {owners[found["where"]]}
        names = ", ".join(name_of(i) for i in sorted(indices)) or "an unknown vector"
        problems.append(f"{names}: {found['why']} under #{found['where']}: {found['html']}")
    return problems


def check(failures: dict[str, list[str]]) -> None:
    lines = [f"{page}:\n  " + "\n  ".join(problems) for page, problems in failures.items()]
    assert not failures, "payloads came alive:\n" + "\n".join(lines)


@pytest.fixture
def corpus(transactional_db):
    """One debate holding every vector in every field a user writes.

    Each vector is a pro of the thesis (its text and elaboration), cited with a source whose
    title and quote are the vector, annotated on its words by a user named after the vector,
    with a reply, and flagged; the flag is upheld with the vector as the moderator's note,
    which its author (the writer, who reads the pages) sees.
    """
    owner = UserFactory(username="corpus-owner")
    writer = UserFactory(username='wr"iter<xss>')
    reporters = [UserFactory(username=f"reporter{n}") for n in range(6)]
    debate = services.debate_create(
        owner=owner,
        title=PAYLOADS[0][:200],
        thesis="The thesis of the corpus holds.",
        description="\n\n".join(PAYLOADS),
        default_role=Role.WRITER,
        slug="corpus",  # a slug made from the title would carry the marker
    )
    MembershipFactory(debate=debate, user=writer, role=Role.WRITER)
    thesis = debate.claims.get()
    owners: dict[str, int] = {}
    for i, text in enumerate(PAYLOADS):
        claim = services.claim_add(
            actor=writer, parent=thesis, stance=Stance.PRO, text=text, elaboration=text
        )
        for prefix in ("claim-", "body-", "text-", "moderation-", "children-"):
            owners[f"{prefix}{claim.pk}"] = i
        services.source_cite(
            actor=writer,
            claim=claim,
            url=f"https://example.org/source/{i}",
            title=text[:300],
            quote=text,
            locator=text[:100],
        )
        reader = UserFactory(username=f"{i}{text}"[:150])
        note = services.annotation_add(actor=reader, claim=claim, body=text, exact=claim.text)
        reply = services.annotation_add(actor=reader, claim=claim, body=text, parent=note)
        owners[f"note-{note.pk}"] = owners[f"note-{reply.pk}"] = i
        owners[f"flag-slot-note-{note.pk}"] = owners[f"flag-slot-note-{reply.pk}"] = i
        flag = services.flag_raise(
            actor=reporters[i % len(reporters)], claim=claim, reason=Flag.Reason.UNCLEAR, note=text
        )
        services.flag_resolve(actor=owner, flag=flag, uphold=True, note=text)
    return debate, thesis, owner, writer, owners


def test_no_vector_comes_alive_on_the_debate_claim_note_and_source_pages(
    page, live_server, corpus
) -> None:
    debate, thesis, owner, writer, owners = corpus
    seen = watch(page)
    base = f"/d/{debate.slug}"
    branch = f"{base}/claims/{thesis.pk}/?part=branch&depth=1"
    pages = [
        # (what, url, who reads it, a fragment htmx swaps in)
        ("debate page (claims, elaborations, sources, notes)", f"{base}/", writer),
        ("the thesis's branch swapped in by htmx", f"{base}/", writer, branch),
        ("focus page of the thesis", f"{base}/claims/{thesis.pk}/", writer),
        ("why? page", f"{base}/claims/{thesis.pk}/why/", writer),
        ("flag form (duplicate-of list)", f"{base}/claims/{thesis.pk}/flag/", writer),
        ("link picker", f"{base}/claims/{thesis.pk}/link/", writer),
        ("profile (my claims)", "/me/", writer),
        ("settings (members)", f"{base}/settings/", owner),
        ("embed page", f"/embed/d/{debate.slug}/", None),
        ("debate page, anonymous", f"{base}/", None),
    ]
    failures: dict[str, list[str]] = {}
    for what, url, user, *swap_in in pages:
        if user is None:
            page.context.clear_cookies()
        else:
            sign_in(page, live_server, user)
        problems = inspect(page, seen, url, owners, swap_in="".join(swap_in))
        if problems:
            failures[f"{what} ({url})"] = problems
    check(failures)
    # The pages did show the vectors (as text): the corpus was really rendered.
    page.goto(f"{base}/claims/{thesis.pk}/")
    assert page.locator(".claim-text").filter(has_text=PAYLOADS[0]).count() >= 1


def test_no_vector_comes_alive_on_the_debate_list(page, live_server, transactional_db) -> None:
    owner = UserFactory(username="lister")
    owners: dict[str, int] = {}
    for i, text in enumerate(PAYLOADS):
        services.debate_create(
            owner=owner, title=text[:200], thesis=text, slug=f"corpus-{i}", visibility="public"
        )
    seen = watch(page)
    failures: dict[str, list[str]] = {}
    # The home page lists the debates 30 to a page: every page is inspected.
    pages = [f"/?page={n}" for n in range(1, -(-len(PAYLOADS) // HOME_ROWS) + 1)]
    for what, user in (("anonymous", None), ("signed in", owner)):
        if user is None:
            page.context.clear_cookies()
        else:
            sign_in(page, live_server, user)
        problems = [problem for url in pages for problem in inspect(page, seen, url, owners)]
        if problems:
            failures[f"debate list, {what}"] = problems
    search = inspect(page, seen, "/?q=" + "%3Cscript%3Etop.__xss.push(0)%3C/script%3E", owners)
    if search:
        failures["debate list, searched for a script"] = search
    check(failures)
    assert page.locator(".debate-card").count() == 1  # the debate titled with vector 0
    listed = 0
    for url in pages:
        page.goto(url)
        listed += page.locator(".debate-card").count()
    assert listed == len(PAYLOADS)


def _aif(vectors: list[int]) -> str:
    """An AIF file whose first proposition (the preview's title) and node types (the
    preview's problems) are the vectors."""
    nodes = [{"nodeID": "t", "type": "I", "text": PAYLOADS[vectors[0]]}]
    nodes += [{"nodeID": f"n{i}", "type": PAYLOADS[i]} for i in vectors]
    return json.dumps({"nodes": nodes, "edges": []})


def test_no_vector_comes_alive_on_the_import_preview(page, live_server, transactional_db) -> None:
    user = UserFactory(username="importer")
    sign_in(page, live_server, user)
    seen = watch(page)
    failures: dict[str, list[str]] = {}
    batch = 45  # the preview lists 50 problems
    for start in range(0, len(PAYLOADS), batch):
        vectors = list(range(start, min(start + batch, len(PAYLOADS))))
        page.goto("/import/")
        page.set_input_files(
            "input[type=file]",
            files=[
                {
                    "name": f"{PAYLOADS[vectors[1]][:60]}.aif.json",
                    "mimeType": "application/json",
                    "buffer": _aif(vectors).encode(),
                }
            ],
        )
        page.get_by_role("button", name="Preview").click()
        page.wait_for_selector(".import-problems")
        page.wait_for_load_state("networkidle")
        problems = [f"{name_of(int(i))} EXECUTED" for i in page.evaluate("window.__xss")]
        problems += [f"a dialog opened: {d}" for d in seen.dialogs]
        problems += [f"a payload made the browser request {u}" for u in seen.requests]
        for found in page.evaluate(CHECK_DOM):
            names = ", ".join(name_of(i) for i in sorted(vectors_in(found["html"])))
            problems.append(f"{names or 'a vector'}: {found['why']}: {found['html']}")
        shown = page.locator(".import-problems li").count()
        assert shown >= len(vectors), f"the preview lists {shown} problems"
        if problems:
            failures[f"import preview, vectors {vectors[0]}-{vectors[-1]}"] = problems
    check(failures)
