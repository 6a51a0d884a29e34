"""The committed translation catalogs are complete and compiled (issue 34, docs/I18N.md).

`makemessages` runs for every language in a temporary copy of the project, so the committed
catalogs are never touched, and then, with GNU gettext's own tools:
- `msgcmp` says whether the committed `locale/<lang>/LC_MESSAGES/<domain>.po` lacks a msgid
  the source now holds, or holds it untranslated or fuzzy (both count as missing);
- each committed `.mo` must hold what its `.po` compiles to (read back with Python's `gettext`,
  so two versions of msgfmt laying out the file differently do not matter): a `.mo` compiled
  before the last change of its `.po` differs.

Needs GNU gettext (`xgettext`, `msgmerge`, `msgcmp`, `msgfmt`): `apt-get install gettext`, as
.ci/run does.
"""

from __future__ import annotations

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"
DOMAINS = ("django", "djangojs")
COPIED = ("arguments", "debate", "templates", "static", "manage.py", "locale")
IGNORED = ("--ignore=.venv", "--ignore=tests", "--ignore=node_modules", "--ignore=staticfiles")
TOOLS = ("xgettext", "msgmerge", "msgcmp", "msgfmt")

pytestmark = [
    pytest.mark.skipif(
        any(shutil.which(tool) is None for tool in TOOLS),
        reason="GNU gettext is not installed (apt-get install gettext)",
    ),
]


def languages() -> list[str]:
    """The catalogs' directory names (`pt_BR`), every language but the source's."""
    return [
        gettext_name(code) for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
    ]


def gettext_name(code: str) -> str:
    language, _sep, country = code.partition("-")
    return f"{language}_{country.upper()}" if country else language


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project where makemessages has brought every catalog up to date."""
    copy = tmp_path_factory.mktemp("catalogs")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, copy / name)
    locales = [f"--locale={name}" for name in languages()]
    for domain in DOMAINS:
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-d", domain, *locales, *IGNORED],
            cwd=copy,
            check=True,
            capture_output=True,
        )
    return copy


def _catalog(mo: Path) -> dict[object, str]:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", languages())
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalog_holds_every_string_translated(fresh: Path, language: str, domain: str) -> None:
    committed = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    made = fresh / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
    if not made.exists() and not committed.exists():
        pytest.skip(f"no string of the {domain} domain is marked")
    assert committed.exists(), f"{committed} is missing: run makemessages (docs/I18N.md)"
    # msgcmp: every msgid of `made` must be in `committed`, translated and not fuzzy.
    compared = subprocess.run(
        ["msgcmp", str(committed), str(made)], capture_output=True, text=True, check=False
    )
    assert compared.returncode == 0, (
        f"{committed.relative_to(ROOT)} lacks strings (or has them untranslated or fuzzy); "
        f"run makemessages and translate them (docs/I18N.md):\n{compared.stderr[:4000]}"
    )


@pytest.mark.parametrize("language", languages())
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_compiled_catalog_is_the_po_compiled(
    tmp_path: Path, language: str, domain: str
) -> None:
    po = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    mo = po.with_suffix(".mo")
    if not po.exists():
        pytest.skip(f"no {po.relative_to(ROOT)} (test_the_catalog_holds_every_string says why)")
    assert mo.exists(), f"{mo.relative_to(ROOT)} is missing: run compilemessages"
    compiled = tmp_path / "compiled.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(po)], check=True)
    assert _catalog(mo) == _catalog(compiled), (
        f"{mo.relative_to(ROOT)} is not its .po compiled: run compilemessages"
    )
