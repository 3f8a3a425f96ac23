"""Export formats live in one table behind one signature: a new format is one registered writer."""

from __future__ import annotations

import io

import pytest
from readdb import reading_db  # noqa: F401  (fixture)

from pipeline.cli.read import export as export_command
from pipeline.output import exports
from pipeline.output.exports import ExportOptions, export_named, export_names, register
from pipeline.store import Store
from pipeline.store.reading import PaperFilter, iter_papers


def test_every_shipped_format_is_registered_and_offered_by_the_export_command():
    names = export_names()
    assert set(names) >= {"csv", "json", "jsonl", "markdown", "html", "rss", "atom"}
    offered = next(p for p in export_command.params if p.name == "fmt").type.choices
    assert tuple(offered) == names


def test_every_registered_writer_takes_papers_stream_options_and_counts(reading_db, db_path):
    with Store(db_path) as store:
        total = len(list(iter_papers(store, PaperFilter())))
        for name in export_names():
            out = io.StringIO()
            count = export_named(name).write(iter_papers(store, PaperFilter()), out, ExportOptions(title="T"))
            assert count == total > 0, name
            assert out.getvalue(), name


def test_a_format_registered_from_outside_is_found_by_name(reading_db, db_path, monkeypatch):
    monkeypatch.setattr(exports, "EXPORTS", dict(exports.EXPORTS))

    @register("ids", "one paper id per line")
    def write_ids(papers, stream, options):
        count = 0
        for paper in papers:
            stream.write(paper["id"] + "\n")
            count += 1
        return count

    with Store(db_path) as store:
        out = io.StringIO()
        count = export_named("ids").write(iter_papers(store, PaperFilter(source="hf-*")), out, ExportOptions())
        ids = out.getvalue().split()
        assert count == len(ids) > 0 and all(ids)
    with pytest.raises(ValueError, match="registered twice"):
        register("ids", "again")(lambda papers, stream, options: 0)


def test_an_unknown_format_names_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown export format 'docx' \(known: csv"):
        export_named("docx")
