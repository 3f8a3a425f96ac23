"""Tagging JSON lines without a database: how a user tries rules on a file.

Each input line is a JSON object with at least `title` (and usually
`abstract`); it is written back unchanged except for a `tags` list and, when
asked, `tag_evidence`. Lines that are not JSON objects are reported with their
line number instead of being skipped, so a malformed file is noticed.
"""

from __future__ import annotations

import json
from typing import IO

from pipeline.json_lines import json_objects
from pipeline.tagging.matcher import RuleSet


class JsonLinesError(ValueError):
    """An input line that cannot be tagged; the message names the line number."""


def tag_jsonl(in_stream: IO[str], out_stream: IO[str], rules: RuleSet, explain: bool = False) -> int:
    """Tag every JSON line of `in_stream` onto `out_stream`; return the number of lines written."""
    written = 0
    for number, paper in json_objects(in_stream, lambda n, reason: JsonLinesError(f"line {n}: {reason}")):
        title, abstract = paper.get("title"), paper.get("abstract")
        if not isinstance(title, str) or not (abstract is None or isinstance(abstract, str)):
            raise JsonLinesError(f"line {number}: 'title' must be a string and 'abstract' a string or null")
        matches = rules.tag(title, abstract)
        paper["tags"] = [match.tag for match in matches]
        if explain:
            paper["tag_evidence"] = [
                {"tag": m.tag, "rule": m.rule, "field": m.field, "matched": m.matched} for m in matches
            ]
            paper["rules_version"] = rules.version
        out_stream.write(json.dumps(paper, ensure_ascii=False) + "\n")
        written += 1
    return written
