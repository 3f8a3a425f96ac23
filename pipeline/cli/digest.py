"""`paperfeed digest`: the period's tagged papers grouped by modality, printed or emailed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from pipeline.cli.core import EXIT_FAILED_RUN, _pipeline, cli, fail
from pipeline.cli.read import output_stream, parse_day, period_option
from pipeline.config import ConfigError
from pipeline.output.digest import build_digest, render_html, render_markdown
from pipeline.output.mail import MailError, SmtpSettings, build_message, send
from pipeline.run.staleness import all_findings
from pipeline.store.reading import PaperFilter, iter_papers


@cli.command()
@click.option("--since", default="yesterday", show_default=True, metavar="DAY",
              help="First day covered (YYYY-MM-DD, today, yesterday, 7d).")
@click.option("--until", metavar="DAY", help="Last day covered (default: no end).")
@click.option("--tag", default="medical-imaging", show_default=True, help="Which tagged papers the digest covers.")
@click.option("--source", metavar="NAME", help="Only papers listed by this source (a name or a glob: 'hf-*').")
@period_option
@click.option("--format", "fmt", type=click.Choice(("markdown", "html")), default="markdown", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of stdout.")
@click.option("--email", "recipients", multiple=True, metavar="TO",
              help="Send it (text and HTML) to this address through [smtp] in settings.toml; repeatable.")
@click.pass_context
def digest(ctx: click.Context, since: str, until: str | None, tag: str, source: str | None, period: str, fmt: str,
           output: Path | None, recipients: tuple[str, ...]) -> None:
    """A digest of tagged papers grouped by modality, with upvotes, links and the words that matched."""
    pipe = _pipeline(ctx)
    first, last = parse_day(since, "--since"), parse_day(until, "--until")
    if last and first and last < first:
        fail(f"--until {last} is before --since {first}")
    settings = None
    if recipients:
        try:
            settings = SmtpSettings.from_config(pipe.config.settings, pipe.config.directory)
        except ConfigError as exc:
            fail(str(exc))
    selection = PaperFilter(tags=((tag,),), since=first, until=last, source=source, period=period)
    notices = [f"source {finding.source}: {finding.reason}" for finding in all_findings(pipe.store, pipe.config)]
    result = build_digest(iter_papers(pipe.store, selection, order="upvotes"), tag=tag,
                          since=first or date.today().isoformat(), until=last, notices=notices)
    if settings is not None:
        try:
            message = build_message(settings.sender, list(recipients), result.subject,
                                    render_markdown(result), render_html(result))
            send(settings, message)
        except MailError as exc:
            fail(str(exc), EXIT_FAILED_RUN)
        click.echo(f"sent {result.subject!r} to {', '.join(recipients)}", err=True)
        if output is None:
            return
    with output_stream(output, pipe.store.path) as out:
        out.write(render_html(result) if fmt == "html" else render_markdown(result))
