"""The ``egovindex`` command. Sub-commands import what they need when they run, so start-up stays light."""

from __future__ import annotations

import typer

from egovindex.cli import analysis_cmd, collect_cmd, db_cmd, egdi_cmd, report_cmd, sources_cmd

app = typer.Typer(
    name="egovindex",
    help="Monitor, explain and improve a country's standing in the UN E-Government Development Index.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(sources_cmd.app, name="sources")
app.add_typer(egdi_cmd.app, name="egdi")
app.add_typer(db_cmd.app, name="db")
app.add_typer(collect_cmd.registry_app, name="registry")
app.add_typer(collect_cmd.users_app, name="users")
app.add_typer(collect_cmd.collect_app, name="collect")
app.add_typer(collect_cmd.release_app, name="release")
app.add_typer(collect_cmd.audit_app, name="audit")
for _name in ("simulate", "target", "explain", "sensitivity", "nowcast"):
    app.command(_name)(getattr(analysis_cmd, _name))
app.command("report")(report_cmd.report)


@app.command("settings")
def show_settings() -> None:
    """Print every setting, its environment variable, its current value and what it is for."""
    from egovindex.cli.output import console
    from egovindex.settings import Settings, get_settings

    current = get_settings()
    for name, field in Settings.model_fields.items():
        console().print(f"[bold]EGOVINDEX_{name.upper()}[/bold] = {getattr(current, name)}")
        console().print(f"    {field.description}")


@app.command("web")
def web(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port."),
) -> None:
    """Start the web application (pages, their JSON twins, downloads)."""
    import uvicorn

    from egovindex.cli.output import console
    from egovindex.web.app import create_app

    console().print(f"egovindex at http://{host}:{port} (Ctrl+C to stop)")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")


def main() -> None:
    app()
