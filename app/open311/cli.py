"""`flask --app wsgi api-key create NAME`: a key for an Open311 client, printed once (only its
hash is kept), and `api-key list` / `api-key revoke ID`."""
from __future__ import annotations

import click
from flask import Flask

from app.extensions import db


@click.group("api-key")
def api_key():
    """Open311 API keys for apps that post field reports."""


@api_key.command("create")
@click.argument("name")
def create(name: str):
    """Make a key for the app or organisation NAME and print it (it is shown only now)."""
    from app.open311.keys import create_key
    from app.reports.errors import ReportError

    try:
        row, key = create_key(db.session, name)
    except ReportError as error:
        raise click.ClickException(f"Could not create the key: {error.code}")
    click.echo(f"API key {row.id} for {row.name} (keep it now: it is not stored and will not "
               f"be shown again):")
    click.echo(key)


@api_key.command("list")
def list_keys():
    """Every key: id, name, the key's first characters, and whether it is revoked."""
    from app.open311.keys import all_keys

    for row in all_keys(db.session):
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        click.echo(f"{row.id}\t{row.prefix}…\t{state}\t{row.name}")


@api_key.command("revoke")
@click.argument("key_id", type=int)
def revoke(key_id: int):
    """Revoke key KEY_ID: the app can no longer post."""
    from app.open311.keys import revoke as revoke_key
    from app.reports.errors import ReportError

    try:
        row = revoke_key(db.session, key_id)
    except ReportError:
        raise click.ClickException(f"There is no key {key_id}.")
    click.echo(f"Key {row.id} ({row.name}) is revoked.")


def register(app: Flask) -> None:
    app.cli.add_command(api_key)
