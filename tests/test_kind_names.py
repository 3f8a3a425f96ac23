"""No module outside `pipeline/kinds/` branches on a source kind's name: a kind is one module."""

from __future__ import annotations

import ast
from pathlib import Path

from pipeline.kinds import KINDS

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
# Where a kind's name may appear as a string: the kinds themselves, and the parsers, which name
# their formats (the arXiv API format is "arxiv-api" whichever source reads it).
HOMES = ("kinds", "formats")
# The same word meaning something else, and where.
OTHER_MEANINGS = {
    "identity/merge.py": {"feed", "biorxiv", "crossref", "pubmed"},  # merge families, ranked by format
    "output/feeds.py": {"feed"},  # Atom's <feed> element
}


def kind_names_in(path: Path) -> list[tuple[int, str]]:
    """(line, name) of every string constant in the module that is exactly a registered kind's name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in KINDS]


def test_no_kind_name_outside_its_kind_module():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where.split("/")[0] in HOMES:
            continue
        allowed = OTHER_MEANINGS.get(where, set())
        found += [f"pipeline/{where}:{line}: {name!r}" for line, name in kind_names_in(path) if name not in allowed]
    assert not found, "kind names outside pipeline/kinds/ (say it in the kind's module instead):\n" + "\n".join(found)


def test_the_check_sees_a_kind_name(tmp_path):
    module = tmp_path / "branchy.py"
    module.write_text('def plan(kind):\n    return 1 if kind == "hf-daily" else 2\n')
    assert kind_names_in(module) == [(2, "hf-daily")]
