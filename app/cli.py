"""Command-line tools: `flask --app wsgi <command>`.

Subprocesses get argument lists, never shell strings built from input.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask

from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@click.group()
def translate():
    """Extract, update and compile the message catalogues."""


@translate.command()
def extract():
    """Collect every translatable string into app/translations/messages.pot."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "_n:1,2", "-o", "app/translations/messages.pot",
             "--no-location", "--sort-output", "--no-wrap", "app")


@translate.command()
def update():
    """Extract, then merge new strings into each language's catalogue."""
    extract.callback()
    _pybabel("update", "-i", "app/translations/messages.pot", "-d", "app/translations",
             "--no-fuzzy-matching", "--ignore-obsolete", "--no-wrap")


@translate.command()
def compile():  # noqa: A001 - the verb people expect
    """Compile the catalogues so the app can use them."""
    _pybabel("compile", "-d", "app/translations", "--statistics")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
def seed_demo_command(if_empty: bool):
    """Load the demo province, staff and cases."""
    from app.demo.seed import database_is_empty, seed_demo

    if not database_is_empty(db.session):
        if if_empty:
            click.echo("Database already has data; demo data not loaded.")
            return
        raise click.ClickException("The database already has data; seed-demo runs only on an empty one.")
    counts = seed_demo(db.session)
    click.echo("Demo data loaded: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.password_option()
def create_admin(email: str, full_name: str, password: str):
    """Create an administrator account."""
    from app.auth.services import AccountError, create_staff

    try:
        user = create_staff(db.session, full_name=full_name, password=password, role="admin",
                            email=email)
    except AccountError as error:
        raise click.ClickException(f"Could not create the administrator: {error.code}")
    click.echo(f"Administrator {user.email} created (id {user.id}).")


def init_app(app: Flask) -> None:
    app.cli.add_command(translate)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin)
    from app.queue_cli import register; register(app)  # noqa: E702 - worker, calendar
    from app.open311.cli import register as register_api_keys  # api-key create|list|revoke

    register_api_keys(app)
    from app.stats.cli import stats_cli; app.cli.add_command(stats_cli)  # noqa: E702 - rebuild
