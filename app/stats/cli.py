"""`flask --app wsgi stats rebuild`: recompute the statistics from the case event log."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db

stats_cli = AppGroup("stats", help="Public statistics kept from the case event log.")


@stats_cli.command("rebuild")
@click.option("--if-empty", is_flag=True,
              help="Only when cases exist and nothing has been counted yet (after an upgrade).")
def rebuild_command(if_empty: bool):
    """Recount every figure from case_events, replacing what is kept."""
    from app.stats.rebuild import rebuild, tallies_missing

    if if_empty and not tallies_missing(db.session):
        db.session.rollback()
        click.echo("Statistics are already kept; nothing to recount.")
        return
    report = rebuild(db.session)
    click.echo(f"Statistics recounted from the event log: {report.summary()}")
