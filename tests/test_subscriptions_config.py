"""config/subscriptions.toml: checked at load (one line, exit 2), edited by `subscriptions add|remove`
without losing the comments around it."""

from __future__ import annotations

import pytest

from pipeline.config import ConfigError
from pipeline.delivery import subscriptions


def test_add_list_remove_keep_the_comments(run_cli, config_dir):
    path = config_dir / "subscriptions.toml"
    shipped = path.read_text()
    added = run_cli("subscriptions", "add", "ct-lung", "--tag", "medical-imaging", "--tag", "modality:ct,modality:xray",
                    "--query", '"lung nodule"', "--to", "mailto:bo@lab.test", "--to", "ntfy://ntfy.lab.test/ct",
                    "--cadence", "weekly", "--min-upvotes", "2")
    assert added.exit_code == 0, added.output
    [sub] = subscriptions.load(config_dir).values()
    assert sub.tags == (("medical-imaging",), ("modality:ct", "modality:xray"))
    assert sub.query == '"lung nodule"' and sub.min_upvotes == 2 and sub.crontab == "0 7 * * mon"
    assert sub.recipients == ("mailto:bo@lab.test", "ntfy://ntfy.lab.test/ct")
    listed = run_cli("subscriptions", "list")
    assert "ct-lung: medical-imaging and modality:ct/modality:xray matching '\"lung nodule\"'" in listed.stdout
    assert "0 papers delivered" in listed.stdout
    again = run_cli("subscriptions", "add", "ct-lung", "--to", "a@b.org")
    assert again.exit_code == 2 and "exists already" in again.stderr
    removed = run_cli("subscriptions", "remove", "ct-lung")
    assert removed.exit_code == 0 and path.read_text().rstrip() == shipped.rstrip()
    assert run_cli("subscriptions", "remove", "ct-lung").exit_code == 2


@pytest.mark.parametrize(("text", "message"), [
    ('[subscriptions.a]\nrecipients = []\n', "no recipients"),
    ('[subscriptions.a]\nrecipients = ["not an address"]\n', "neither a mail address nor a notification URL"),
    ('[subscriptions.a]\nrecipients = ["a@b.org"]\ncadence = "0 7 * * 1-5"\n', "write weekdays as names"),
    ('[subscriptions.a]\nrecipients = ["a@b.org"]\ntopics = ["x"]\n', "unknown key 'topics'"),
    ('[subscriptions.a]\nrecipients = ["a@b.org"]\nmin_upvotes = "3"\n', "min_upvotes = '3': expected int"),
    ('[subscriptions.a]\nrecipients = ["a@b.org"]\nsince = "yesterday"\n', "expected YYYY-MM-DD"),
    ('[subscriptions."Bad Name"]\nrecipients = ["a@b.org"]\n', "a name is lower-case"),
    ('[subscription.a]\n', "unknown tables subscription"),
    ('[subscriptions.a]\nrecipients = ["a@b.org"]\nquery = "segmentation AND"\n', "nothing follows AND"),
    ('[subscriptions.a\n', "not valid TOML"),
])
def test_a_bad_subscription_is_one_line_and_exit_2(run_cli, config_dir, text, message):
    (config_dir / "subscriptions.toml").write_text(text)
    with pytest.raises(ConfigError, match="subscriptions.toml"):
        subscriptions.load(config_dir)
    result = run_cli("deliver", "--dry-run")
    assert result.exit_code == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_deliver_without_subscriptions_says_so(run_cli):
    result = run_cli("deliver")
    assert result.exit_code == 2 and "no subscriptions in" in result.stderr
