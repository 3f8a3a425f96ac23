"""The tagger's output on every dev-set paper and edge case, frozen.

`fixtures/tagging/golden_tags.jsonl` was written once by `golden_rows()` below,
run with the tagger of commit 41ab60d on `golden_rules.toml` (a frozen copy of
that commit's config/tags.toml, so editing the live rules does not disturb this
test). Any change in which tags fire, the rule credited, the field or the
quoted words shows up here paper by paper, so the matcher can be reworked for
speed without changing a single result.

To regenerate after an intended change of the engine's output (never to make a
failure go away without reading the diff):
    python -c "import tests.test_tag_golden as g; g.write_golden()"
"""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.tagging import load_rules

ROOT = Path(__file__).resolve().parents[1]
TAGGING = ROOT / "fixtures" / "tagging"
GOLDEN = TAGGING / "golden_tags.jsonl"


def golden_papers() -> list[tuple[str, str, str | None]]:
    """(id, title, abstract) of every dev-set paper and every edge case."""
    papers = []
    for line in (TAGGING / "devset.jsonl").open(encoding="utf-8"):
        paper = json.loads(line)
        papers.append((paper["id"], paper["title"], paper["abstract"]))
    for number, line in enumerate((TAGGING / "edge_cases.jsonl").open(encoding="utf-8"), start=1):
        case = json.loads(line)
        papers.append((f"edge-{number:02d}", case["title"], case["abstract"]))
    return papers


def golden_rows() -> list[dict]:
    rules = load_rules(TAGGING / "golden_rules.toml")
    return [
        {"id": paper_id, "tags": [[m.tag, m.rule, m.field, m.matched] for m in rules.tag(title, abstract)]}
        for paper_id, title, abstract in golden_papers()
    ]


def write_golden() -> None:
    with GOLDEN.open("w", encoding="utf-8") as out:
        for row in golden_rows():
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def test_golden_file_covers_every_paper():
    stored = [json.loads(line)["id"] for line in GOLDEN.open(encoding="utf-8")]
    assert stored == [paper_id for paper_id, _, _ in golden_papers()]


def test_output_identical_to_golden_on_every_paper():
    expected = {row["id"]: row["tags"] for row in map(json.loads, GOLDEN.open(encoding="utf-8"))}
    differences = [
        f"{row['id']}: expected {expected[row['id']]}, got {row['tags']}"
        for row in golden_rows()
        if row["tags"] != expected.get(row["id"])
    ]
    assert not differences, f"{len(differences)} papers differ:\n" + "\n".join(differences[:10])
