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
