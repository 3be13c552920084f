"""The ``egovindex`` command. Sub-commands import what they need when they run, so start-up stays light.

Every error a command foresees is one line on stderr and exit code 2. Anything else is a defect: ``main`` prints one
line naming it and the log file in the data folder that holds its traceback, and exits with 2.
"""

from __future__ import annotations

import datetime as dt
import sys
import traceback
from pathlib import Path

import typer

from egovindex.cli import analysis_cmd, assess_cmd, collect_cmd, db_cmd, egdi_cmd, report_cmd, services_cmd, sources_cmd

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
app.add_typer(services_cmd.app, name="services")
app.add_typer(assess_cmd.app, name="assess")
for _name in ("simulate", "target", "explain", "sensitivity", "nowcast"):
    app.command(_name)(getattr(analysis_cmd, _name))
app.command("report")(report_cmd.report)


@app.command("settings")
def show_settings() -> None:
    """Print every setting, its environment variable, its current value and what it is for."""
    from rich.text import Text

    from egovindex.cli.output import console
    from egovindex.settings import Settings, get_settings

    current = get_settings()
    for name, field in Settings.model_fields.items():
        value = shown(name, getattr(current, name))
        console().print(Text.assemble((f"EGOVINDEX_{name.upper()}", "bold"), f" = {value}"))
        console().print(f"    {field.description}")


def shown(name: str, value: object) -> str:
    """A setting as it may be printed: the key never, a database URL without its password."""
    from sqlalchemy.engine import make_url

    if name == "secret_key":
        return "(set)" if value else "(not set: a random key kept in the data folder)"
    if name == "database_url" and isinstance(value, str) and value:
        try:
            return make_url(value).render_as_string(hide_password=True)
        except Exception:  # not a URL SQLAlchemy can read: print nothing of it
            return "(not a database URL)"
    return str(value)


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


ERROR_LOG = "egovindex-errors.log"


def main(argv: list[str] | None = None) -> None:
    """The entry point: run a command; an unexpected error ends in one line and a logged traceback."""
    args = sys.argv[1:] if argv is None else argv
    try:
        app(args=args, prog_name="egovindex")
    except Exception as exc:  # the last line of defence: known errors are handled where they arise
        from egovindex.cli.output import one_line, say_error

        log = _log_error(exc, args)
        where = f"the details were written to {log}" if log else "the details could not be written to a log"
        message = one_line(str(exc))
        message = message if len(message) <= 300 else message[:300] + "..."
        say_error("internal error:", f"{type(exc).__name__}: {message}; {where}")
        sys.exit(2)


def _log_error(exc: Exception, args: list[str]) -> Path | None:
    """Append the command and the traceback to the error log in the data folder (else the temporary folder)."""
    import tempfile

    entry = (
        f"--- {dt.datetime.now().astimezone().isoformat(timespec='seconds')} egovindex {' '.join(args)}\n"
        + "".join(traceback.format_exception(exc))
    )
    for folder in (_data_dir, lambda: Path(tempfile.gettempdir())):
        try:
            path = folder() / ERROR_LOG
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as log:
                log.write(entry)
            return path.resolve()
        except Exception:  # a folder that cannot take the log: try the next one
            continue
    return None


def _data_dir() -> Path:
    from egovindex.settings import get_settings

    return get_settings().data_dir
