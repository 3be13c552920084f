"""``egovindex db``: the store's schema."""

from __future__ import annotations

import typer

app = typer.Typer(help="The embedded store: migrations.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create or migrate the store to the latest schema (Alembic)."""
    from egovindex.cli.output import console
    from egovindex.settings import get_settings
    from egovindex.store.db import upgrade as run

    url = get_settings().database_url
    run(url)
    console().print(f"store at {url} is up to date")
