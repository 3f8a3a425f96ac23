"""Reading JSON-lines files a person wrote (rules to try, labels to import).

Every such reader must say which line is wrong and why, and must not crash on
a line nested thousands of levels deep (`json` raises RecursionError there),
so the line handling lives here once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import IO, Any


def json_objects(stream: IO[str], error: Callable[[int, str], Exception]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; `error(number, reason)` is raised for the first bad one."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(number, f"not JSON: {exc.msg}") from None
        except RecursionError:
            raise error(number, "not JSON: nested too deeply") from None
        if not isinstance(value, dict):
            raise error(number, "expected a JSON object")
        yield number, value
