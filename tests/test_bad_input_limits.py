"""Bad input that used to end in a traceback, a hang or a wrong record: each is one line and a non-zero exit.

Hand-made edge cases, each named by what it exercises.
"""

from __future__ import annotations

import os
import socket
import sqlite3

import pytest

from conftest import HF_API
from pipeline.store import Store


def run_rows(db_path):
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT status, error FROM runs ORDER BY id").fetchall()


def test_ingest_of_a_fifo_is_refused_without_blocking(run_cli, db_path, tmp_path):
    fifo = tmp_path / "listing.json"
    os.mkfifo(fifo)  # nobody writes to it: reading would block forever
    result = run_cli("ingest", str(fifo))
    assert result.exit_code == 1
    assert "not a regular file" in result.output
    assert run_rows(db_path)[-1][0] == "failed"


def test_ingest_of_a_device_is_refused(run_cli, db_path):
    result = run_cli("ingest", "/dev/zero")
    assert result.exit_code == 1 and "/dev/zero: not a regular file" in result.output


def test_ingest_of_a_huge_sparse_file_is_refused_by_the_http_body_cap(run_cli, db_path, tmp_path):
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(3 << 30)  # 3 GiB, no block written
    result = run_cli("ingest", str(huge))
    assert result.exit_code == 1
    assert "3 GiB, larger than the 20 MiB cap ([http] max_bytes)" in result.output
    assert run_rows(db_path)[-1][0] == "failed"


def test_deeply_nested_json_is_a_parse_error_not_a_bug(run_cli, db_path, tmp_path):
    nested = tmp_path / "nested.json"
    nested.write_text('{"dailyPapers": ' + "[" * 200_000 + "]" * 200_000 + "}")
    result = run_cli("ingest", str(nested))
    assert result.exit_code == 1
    assert "nested too deeply" in result.output and "a bug" not in result.output


@pytest.mark.parametrize(("args", "says"), [
    (("export", "--since", "999999999d"), "--since '999999999d': more days ago than the calendar goes back"),
    (("search", "mri", "--until", "99999999999999999999d"), "--until '99999999999999999999d': more days ago"),
    (("export", "--limit", str(10**30)), "is not in the range 1<=x<=1000000000"),
    (("search", "mri", "--limit", str(10**30)), "is not in the range 1<=x<=1000000000"),
    (("runs", "--limit", str(10**30)), "is not in the range 1<=x<=1000000000"),
])
def test_option_values_too_large_are_usage_errors(run_cli, args, says):
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output


def test_a_schedule_that_can_never_fire_is_refused_at_load(run_cli, config_dir):
    with (config_dir / "sources.toml").open("a") as handle:
        handle.write('\n[[source]]\nname = "never"\nkind = "hf-daily"\nschedule = "0 6 30 2 *"\n')
    result = run_cli("ingest", str(HF_API))
    assert result.exit_code == 2
    assert "source 'never': schedule '0 6 30 2 *' never fires" in result.output


def test_runs_shows_a_killed_run_as_interrupted(run_cli, db_path):
    with Store(db_path) as store:
        store.start_run("hf-daily", "x")
        store.conn.execute("UPDATE runs SET pid = 2147483646")  # no such process
    result = run_cli("runs")
    assert result.exit_code == 0
    assert "interrupted" in result.output and "running" not in result.output


def test_a_line_break_in_a_mail_header_is_refused_before_connecting(run_cli, config_dir):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    settings = config_dir / "settings.toml"
    settings.write_text(settings.read_text().replace('host = ""', 'host = "127.0.0.1"')
                        .replace("port = 587", f"port = {port}").replace("starttls = true", "starttls = false"))
    try:
        result = run_cli("digest", "--email", "team@lab.test\r\nBcc: everyone@elsewhere.test")
        assert result.exit_code == 1
        assert result.output.startswith("paperfeed: mail header To ")
        assert "a header cannot contain a line break" in result.output
        with pytest.raises(BlockingIOError):
            listener.accept()  # no SMTP connection was made
    finally:
        listener.close()
