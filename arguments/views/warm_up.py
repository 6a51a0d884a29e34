"""A worker's first request costs what its later ones do: what Django and the app load on
first use is loaded as the worker starts, by `warm_up()` in debate/wsgi.py and
debate/asgi.py, before it accepts a request: every URL module (the API's schemas among
them), each pattern's regex and the resolver's reverse maps, one set per language; every
template of the site and every form widget's, parsed and kept by the cached loader; each
language's translation catalog and formats; the modules a first request imports (the SQL
compiler, the context processors, the messages' and session's classes); each model's
relation tree; the patterns of a debate's links (`links.route_patterns`).

Measured (docs/PERFORMANCE.md, "Listings cold"): a fresh worker's first home page cost about
260 ms of CPU over its later ones' 20, nearly all of it the URLconf's imports (the API's
pydantic models alone 150 ms), the templates' parsing and the resolver's maps. None of it
opens a database connection, so it is also safe under gunicorn's `--preload` (loaded once,
before the fork, and shared by the workers).

What does open one runs after the fork, as each worker starts (gunicorn's `post_worker_init`
in gunicorn.conf.py): `hold_busiest_debates` loads and holds the site's most recently active
debates that fit the structures' budget (arguments/structure/held_at_start.py), so that no
request of the worker loads one whole.
"""

from __future__ import annotations

import logging
from pathlib import Path

import django.forms
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.urls import URLPattern, URLResolver, get_resolver, get_script_prefix, reverse
from django.utils import formats, translation
from django.utils.module_loading import import_string

from arguments.reading import links
from arguments.structure import held_at_start

logger = logging.getLogger(__name__)

# The form widgets' own templates (settings.FORM_RENDERER renders them through TEMPLATES).
WIDGETS = Path(django.forms.__file__).parent / "templates"


def _template_names(engine: DjangoTemplates) -> list[str]:
    """Every template of the engine's own folders (templates/) and the form widgets', by the
    name it is loaded by."""
    names: list[str] = []
    for folder in [*engine.engine.dirs, WIDGETS]:
        root = Path(str(folder))
        names.extend(path.relative_to(root).as_posix() for path in sorted(root.rglob("*.html")))
    return names


def _compile_patterns(patterns: list[URLPattern | URLResolver]) -> int:
    """Compile every URL pattern's regex (each is compiled on its first match otherwise)."""
    count = 0
    for pattern in patterns:
        pattern.pattern.regex  # noqa: B018 (compiled and kept by its descriptor)
        count += 1
        if isinstance(pattern, URLResolver):
            count += _compile_patterns(pattern.url_patterns)
    return count


def warm_up() -> dict[str, int]:
    """Load what a first request would (the module's docstring). How many languages,
    patterns and templates it loaded; a template that fails to parse is logged and left to
    fail where it is used, as it would without this."""
    resolver = get_resolver()
    patterns = 0
    languages = [code for code, _name in settings.LANGUAGES]
    for code in languages:
        with translation.override(code):  # the language's catalog, loaded once
            reverse("arguments:debate_list")  # the resolver's maps, one set per language
            patterns = _compile_patterns(resolver.url_patterns)
            formats.get_format("DATE_FORMAT")  # the language's formats module
    links.route_patterns(get_script_prefix())  # a debate's links, with holes to fill
    for alias in connections:
        connections[alias].ops.compiler("SQLCompiler")  # imported, no connection opened
    import_string(settings.MESSAGE_STORAGE)
    import_string(settings.SESSION_SERIALIZER)
    for model in apps.get_models():
        model._meta.get_fields()  # its relation tree, built from every model once
    templates = 0
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        engine.engine.template_context_processors  # noqa: B018 (imported on first use)
        for name in _template_names(engine):
            try:
                engine.get_template(name)
            except Exception:
                logger.warning("warm-up: template %s did not load", name, exc_info=True)
            else:
                templates += 1
    return {"languages": len(languages), "patterns": patterns, "templates": templates}


def hold_busiest_debates(*, worker_timeout: float = 0) -> list[int]:
    """After the fork, before the worker's first request: the site's most recently active
    debates that fit loaded and held (`held_at_start.hold_busiest`), for at most
    settings.HOLD_AT_START_SECONDS and a third of `worker_timeout` (gunicorn's, when it has
    one: a worker silent past it is killed). The ids held; none when settings.HOLD_AT_START
    is off. Never raises: a fault is logged and the worker serves as it would have without.
    The connection it opened is left open, as a request leaves it (CONN_MAX_AGE): the
    worker's first request checks it first (`close_old_connections` on `request_started`,
    with CONN_HEALTH_CHECKS on PostgreSQL) and opens another if it failed or aged."""
    if not settings.HOLD_AT_START:
        return []
    seconds = settings.HOLD_AT_START_SECONDS
    if worker_timeout > 0:
        seconds = min(seconds, worker_timeout / 3)
    try:
        return held_at_start.hold_busiest(seconds=seconds)
    except Exception:
        logger.warning("holding at start: no debate held", exc_info=True)
        return []
