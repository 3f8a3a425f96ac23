"""Configuration is typed and checked when it is loaded: a wrong type is exit 2 and one line, before any run."""

from __future__ import annotations

import sqlite3

import pytest

from conftest import HF_API


def set_setting(config_dir, old: str, new: str) -> None:
    settings = config_dir / "settings.toml"
    text = settings.read_text()
    assert old in text
    settings.write_text(text.replace(old, new))


def run_count(db_path) -> int:
    if not db_path.exists():
        return 0
    with sqlite3.connect(db_path) as conn:
        return conn.execute("select count(*) from runs").fetchone()[0]


@pytest.mark.parametrize("edit, message", [
    # A string where a boolean belongs would be truthy and leave the source enabled.
    (("sources", 'name = "hf-daily"\nkind = "hf-daily"\n', 'name = "hf-daily"\nkind = "hf-daily"\nenabled = "false"\n'),
     "sources.toml: source 'hf-daily': enabled = 'false': must be true or false"),
    # A string where a list belongs would be read as ten one-character host names.
    (("settings", 'allow_private = ["127.0.0.1", "localhost"]', 'allow_private = "10.0.0.5"'),
     "settings.toml: [http] allow_private = '10.0.0.5': expected a list of strings"),
    # A bad [schedule] value is a configuration error, not a failed run at run time.
    (("settings", "lock_wait = 0", 'lock_wait = "soon"'),
     "settings.toml: [schedule] lock_wait = 'soon': expected a number >= 0"),
    (("settings", "keep_raw = false", 'keep_raw = "no"'),
     "settings.toml: [storage] keep_raw = 'no': expected true or false"),
    (("settings", 'host = ""', "host = 25"), "settings.toml: [smtp] host = 25: expected a string"),
])
def test_a_wrongly_typed_value_is_exit_2_at_load(run_cli, config_dir, db_path, edit, message):
    which, old, new = edit
    if which == "sources":
        path = config_dir / "sources.toml"
        path.write_text(path.read_text().replace(old, new, 1))
    else:
        set_setting(config_dir, old, new)
    # Commands that would not fetch anything: a bad value must stop them all the same.
    for args in (("ingest", str(HF_API)), ("stats",), ("status",)):
        result = run_cli(*args)
        assert result.exit_code == 2, (args, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output, lines
    assert run_count(db_path) == 0


def test_a_folder_without_settings_or_tags_uses_the_shipped_ones(run_cli, config_dir):
    (config_dir / "settings.toml").unlink()
    (config_dir / "tags.toml").unlink()
    result = run_cli("ingest", str(HF_API))
    assert result.exit_code == 0, result.output
    assert "4 entries parsed" in result.output
    tagged = run_cli("stats")
    assert "tagged papers:" in tagged.output
