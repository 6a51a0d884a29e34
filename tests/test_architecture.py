"""docs/ARCHITECTURE.md's layout lists every module of the app, in the part it stands in: a
newcomer reads the parts there, so a module missing from it (or listed where it is not) is a
defect of the documentation that a test can see."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "ARCHITECTURE.md"


def _layout_block() -> list[str]:
    text = DOC.read_text()
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1].splitlines()


def documented_modules() -> set[str]:
    """Paths of the app's modules the layout names, each under the folder its line stands in:
    a folder (`name/`) opens a level, deeper lines belong to it, wrapped text included."""
    found: set[str] = set()
    folders: list[tuple[int, str]] = []
    for line in _layout_block():
        first = re.match(r"( *)(\S+)", line)
        if first is None:
            continue
        indent, token = len(first[1]), first[2]
        while folders and folders[-1][0] >= indent:
            folders.pop()
        if token.endswith("/"):
            folders.append((indent, token.rstrip("/")))
        folder = "/".join(name for _, name in folders)
        if folder.startswith(("arguments", "debate")):
            # A name after a slash is a path cited in a description, not an entry.
            names = re.findall(r"(?<![\w/])\w+\.py\b", line)
            found.update(f"{folder}/{name}" for name in names)
    return found


def app_modules() -> set[str]:
    """Every module of the app and the project; a package's `__init__.py` only when it holds
    more than its docstring."""
    modules = set()
    for path in [*ROOT.glob("arguments/**/*.py"), *ROOT.glob("debate/*.py")]:
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative:
            continue
        if path.name == "__init__.py" and _only_a_docstring(path):
            continue
        modules.add(relative)
    return modules


def _only_a_docstring(path: Path) -> bool:
    code = re.sub(r'^\s*(""".*?"""|)\s*', "", path.read_text(), count=1, flags=re.S)
    return not code.strip()


def test_the_layout_lists_every_module_where_it_is() -> None:
    missing = sorted(app_modules() - documented_modules())
    assert not missing, f"docs/ARCHITECTURE.md's layout does not list: {missing}"


def test_the_layout_lists_no_module_that_does_not_exist() -> None:
    stale = sorted(documented_modules() - app_modules())
    assert not stale, f"docs/ARCHITECTURE.md's layout lists modules that do not exist: {stale}"
