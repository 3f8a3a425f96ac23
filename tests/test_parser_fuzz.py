"""Property: whatever the real samples are mutated into, a parser returns a Listing or raises ParseError.

Two kinds of mutation: byte edits (flips, cuts, insertions of JSON/HTML fragments)
that mostly break the syntax, and JSON value swaps that keep the syntax but give
fields a type the API never sent, which is what a changed API looks like.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, HF_API, HF_HTML, HF_PROPS
from pipeline.model import Listing, ParseError
from pipeline.formats import hf_api, hf_html, parse_any

JSON_SAMPLES = [
    HF_API.read_bytes(),
    HF_PROPS.read_bytes(),
    (FIXTURES / "hf" / "edge" / "api_search_flat_2025_fields.json").read_bytes(),
]
HTML_SAMPLES = [HF_HTML.read_bytes(), (FIXTURES / "hf" / "edge" / "search_page_searchResults.html").read_bytes()]
FRAGMENTS = [b"null", b"[]", b"{}", b'"', b"-1e999", b"true", b"\\u0000", b"<", b">", b"&quot;", b"</html>",
             b'<article><h3><a href="/papers/2401.00001">x</a></h3></article>', b'<time datetime="x">', b"\xff\xfe"]
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


@st.composite
def byte_mutations(draw, samples):
    raw = bytearray(draw(st.sampled_from(samples)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["flip", "cut", "insert", "truncate"]))
        if action == "flip" and at < len(raw):
            raw[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del raw[at : at + draw(st.integers(1, 400))]
        elif action == "insert":
            raw[at:at] = draw(st.sampled_from(FRAGMENTS))
        else:
            del raw[at:]
    return bytes(raw)


def positions(node, depth=0):
    """(container, key) of every value down to the fields of a paper; lists by their first items only."""
    if depth > 4 or not isinstance(node, (dict, list)):
        return
    keys = list(node) if isinstance(node, dict) else range(min(len(node), 3))
    for key in keys:
        yield node, key
        yield from positions(node[key], depth + 1)


@st.composite
def retyped_json(draw):
    """A real JSON sample with some values, anywhere down to a paper's fields, replaced by any JSON value."""
    data = json.loads(draw(st.sampled_from(JSON_SAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        spots = list(positions(data))
        if not spots:
            break
        parent, key = draw(st.sampled_from(spots))
        parent[key] = draw(json_values)
    return json.dumps(data).encode()


def only_parse_errors(parse, raw: bytes) -> None:
    try:
        result = parse(raw)
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(result, Listing)
        assert all(isinstance(entry.title, str) and entry.title for entry in result.entries)


@FUZZ
@given(byte_mutations(JSON_SAMPLES))
def test_api_parser_on_mutated_bytes(raw):
    only_parse_errors(hf_api.parse, raw)
    only_parse_errors(parse_any, raw)


@FUZZ
@given(retyped_json())
def test_api_parser_on_fields_of_unexpected_types(raw):
    only_parse_errors(hf_api.parse, raw)
    only_parse_errors(parse_any, raw)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(byte_mutations(HTML_SAMPLES))
def test_html_parser_on_mutated_pages(raw):
    only_parse_errors(hf_html.parse, raw)
    only_parse_errors(parse_any, raw)


@FUZZ
@given(retyped_json())
def test_html_parser_on_pages_carrying_retyped_hydration_json(raw):
    # The edge search page is small enough to rebuild per example; the retyped JSON becomes its data-props.
    from html import escape

    page = (b'<!doctype html><html><head></head><body><div data-target="DailyPapers" data-props="'
            + escape(raw.decode("utf-8")).encode("utf-8") + b'"></div></body></html>')
    only_parse_errors(hf_html.parse, page)
