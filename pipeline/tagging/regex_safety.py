"""Refusing rule regexes that can backtrack for ever.

Python's `re` has no time limit, and a pattern such as `(a+)+b` or
`(\\w+\\s?)*:` takes exponential time on a line that almost matches: one
abstract would stall a retag of the whole database. Such patterns share one
shape, a repeat nested inside an unbounded repeat (star height above one),
so the rule file is read with that shape refused at load, naming the rule.
A repeat inside a *bounded* repeat (`(?:\\w+ ){0,5}`) costs at most a power of
the text length set by the bound, and is allowed.
"""

from __future__ import annotations

import re
from re import _constants as constants
from re import _parser as parser

_REPEATS = (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT)


def backtracking_risk(compiled: re.Pattern) -> str | None:
    """Why `compiled` can backtrack exponentially, or None when it cannot by this test."""
    return _walk(parser.parse(compiled.pattern, compiled.flags), inside_unbounded=False)


def _walk(items, inside_unbounded: bool) -> str | None:
    for op, arg in items:
        if op in _REPEATS:
            low, high, body = arg
            if inside_unbounded and high > 1 and op != constants.POSSESSIVE_REPEAT:
                return "a repeat nested inside an unbounded repeat"
            found = _walk(body, inside_unbounded or high == constants.MAXREPEAT)
        elif op == constants.SUBPATTERN:
            found = _walk(arg[-1], inside_unbounded)
        elif op == constants.BRANCH:
            found = next((why for branch in arg[1] if (why := _walk(branch, inside_unbounded))), None)
        elif op in (constants.ASSERT, constants.ASSERT_NOT):
            found = _walk(arg[1], inside_unbounded)
        else:
            found = None
        if found:
            return found
    return None
