"""Thin CLI: parse arguments, load config, call the library, map errors to exit codes.

Exit codes: 0 all well; 1 some files quarantined;
2 config or usage error; 3 a needed model is missing or a package is bad;
4 the state, feeds, quarantine or models folder is not writable;
5 the state database is corrupt or locked by another program; 70 an unexpected error (a bug:
one line says what to report, the traceback only with -vv); 130 interrupted.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from xlate import config as config_mod
from xlate.cliopts import GLOBAL_OPTIONS, JSON_OPTION, RUN_OPTIONS, Opt
from xlate.errors import UNEXPECTED_EXIT, UsageError, XlateError

if TYPE_CHECKING:
    from xlate.model import RunReport

log = logging.getLogger("xlate")
F = TypeVar("F", bound=Callable[..., Any])
_LOG_FORMAT = {"format": "text"}  # set by main(); _fail and the summary follow it


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


class _JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (+ exit_code, exc when present)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if hasattr(record, "exit_code"):
            data["exit_code"] = record.exit_code
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        prefix = "xlate: error: " if record.levelno >= logging.ERROR else "xlate: "
        text = prefix + record.getMessage()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def _setup_logging(verbose: int, quiet: int, fmt: str) -> None:
    """Default WARNING; -v INFO, -vv DEBUG; -q ERROR (errors always show)."""
    level = logging.WARNING - 10 * verbose + 10 * quiet
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter() if fmt == "json" else _TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(logging.DEBUG, min(level, logging.ERROR)))
    _LOG_FORMAT["format"] = fmt


def _fail(message: str, exit_code: int) -> NoReturn:
    """One line on stderr (text or JSON, as --log-format says), never a traceback, then exit."""
    if not logging.getLogger().handlers:  # called before main() set logging up
        _setup_logging(0, 0, _LOG_FORMAT["format"])
    log.error("%s", message, extra={"exit_code": exit_code})
    sys.exit(exit_code)


def _state_path() -> str:
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_object(Ctx) if ctx is not None else None
    if obj is not None and obj._cfg is not None:
        return str(obj._cfg.paths.state)
    return "the state database"


def _sqlite_failure(e: sqlite3.Error) -> tuple[str, int]:
    """Message and exit code for a SQLite error that escaped the store (never a traceback)."""
    path, msg = _state_path(), " ".join(str(e).split())
    if "locked" in msg or "busy" in msg:
        return (
            f"{path}: the state database is locked by another program ({msg}); close the other program "
            "(sqlite3 shell, backup tool) and run again",
            5,
        )
    if "disk is full" in msg or "readonly" in msg or "unable to open" in msg or "disk I/O" in msg:
        return f"{path}: cannot write the state database ({msg}); free disk space or fix the permissions", 4
    return (
        f"{path}: the state database is damaged ({msg}); move it aside and run again "
        "(xlate rebuilds state from input/; feeds keep their files)",
        5,
    )


def _unexpected(e: BaseException) -> NoReturn:
    """A bug, not a problem with the user's files: one line that says what to report, exit 70.

    The traceback is logged at debug level, so `-vv` shows it (and `--log-format json` carries it).
    """
    import traceback

    package = Path(__file__).resolve().parent
    where = "?"
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(package):
            where = f"xlate/{path.relative_to(package)}:{frame.lineno}"
            break
    detail = " ".join(str(e).split())[:300]
    log.debug("traceback of the unexpected error:", exc_info=e)
    _fail(
        f"unexpected error {type(e).__name__}({detail}) at {where}; this is a bug in xlate, not in your files "
        "or config: report this line with `xlate --version` and the output of the same command with -vv "
        "(which shows the traceback); work finished before it is kept",
        UNEXPECTED_EXIT,
    )


_NOT_WRITABLE = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR}


def _handles_errors(f: F) -> F:
    import functools

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except XlateError as e:
            _fail(str(e), e.exit_code)
        except sqlite3.Error as e:
            log.debug("SQLite error", exc_info=True)
            _fail(*_sqlite_failure(e))
        except OSError as e:
            if e.errno not in _NOT_WRITABLE:
                _unexpected(e)
            log.debug("OS error", exc_info=True)
            where = e.filename or "a file xlate writes"
            _fail(f"cannot write {where}: {e.strerror or e}; free disk space or fix the permissions", 4)
        except KeyboardInterrupt:
            _fail("interrupted; the next run completes the work", 130)
        except Exception as e:
            _unexpected(e)

    return wrapper  # type: ignore[return-value]


class _Main(click.Group):
    """The top-level group: whatever escapes a command or the group itself ends as one line, exit 70.

    Click's own exceptions (usage errors, --help, --version) keep click's handling.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except XlateError as e:
            _fail(str(e), e.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted; the next run completes the work", 130)
        except Exception as e:
            _unexpected(e)


def _options(options: Sequence[Opt]) -> Callable[[F], F]:
    """click options from xlate.cliopts, the grammar the no-op fast path parses too."""

    def add(f: F) -> F:
        for o in reversed(options):
            kwargs: dict[str, Any] = {"help": o.help, "show_default": o.show_default}
            if o.kind == "flag":
                kwargs["is_flag"] = True
            elif o.kind == "count":
                kwargs["count"] = True
            else:
                kwargs["default"] = o.default
                kwargs["type"] = {
                    "float": float,
                    "seconds": click.FloatRange(min=0, min_open=True),
                    "choice": click.Choice(o.choices),
                }.get(o.kind, str)
            f = click.option(*o.names, o.dest, **kwargs)(f)
        return f

    return add


class Ctx:
    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self._cfg: config_mod.Config | None = None

    @property
    def cfg(self) -> config_mod.Config:
        if self._cfg is None:
            self._cfg = config_mod.load(self.config_path)
        return self._cfg


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@_options(GLOBAL_OPTIONS)
@click.version_option(package_name="xlate")
@click.pass_context
def main(ctx: click.Context, config_path: str, verbose: int, quiet: int, log_format: str) -> None:
    """xlate: translate Lithuanian library news offline and publish feeds per language."""
    _setup_logging(verbose, quiet, log_format)
    ctx.obj = Ctx(Path(config_path))


@main.command()
@_options(RUN_OPTIONS)
@click.pass_obj
@_handles_errors
def run(obj: Ctx, as_json: bool, settle: float | None, wait: float, max_seconds: float | None) -> None:
    """Ingest input/, translate what is new, publish the feeds."""
    _run(obj, as_json, {"settle_seconds": settle, "wait_seconds": wait, "max_seconds": max_seconds})


@main.command()
@click.option(
    "--force",
    "force",
    multiple=True,
    metavar="SLUG",
    help="Publish SLUG's held (quality-flagged) translations as they are. Repeatable.",
)
@_options((JSON_OPTION,))
@click.pass_obj
@_handles_errors
def publish(obj: Ctx, force: tuple[str, ...], as_json: bool) -> None:
    """Render and write every feed and page again (a normal run, plus a full republish)."""
    _run(obj, as_json, {"republish": True, "force": force})


def _run(obj: Ctx, as_json: bool, options: dict[str, Any]) -> None:
    from xlate import noop

    seen = noop.config_stat(str(obj.config_path))  # before loading: the stamp must not miss an edit
    cfg = obj.cfg  # config errors first: exit 2 before anything heavy is imported
    from xlate.lock import Busy, run_lock

    started = time.monotonic()
    progress = _translation_bar() if _progress_wanted() else None
    if progress is not None:
        options["progress"] = progress
    try:
        # The lock is held around the run (which takes it again) so that the stamp describes
        # the state this run left, not one another run changed since.
        with run_lock(cfg.paths.state, options.get("wait_seconds", 0.0)):
            report = _run_and_stamp(cfg, str(obj.config_path), seen, options)
    except Busy:
        log.warning("another run is in progress; nothing done")
        if as_json:
            click.echo(json.dumps({"busy": True}))
        return
    finally:
        if progress is not None:
            progress.close()
    elapsed = round(time.monotonic() - started, 3)
    if as_json:
        click.echo(_report_json(report, elapsed))
    elif _LOG_FORMAT["format"] == "json":
        click.echo(json.dumps(_summary_data(report, f"{elapsed:.1f}", elapsed, _now()), ensure_ascii=False))
    else:
        click.echo(f"{report.summary_line()} in {elapsed:.1f}s")  # cron mails it, journald keeps it
    if report.quarantined:
        sys.exit(1)


def _run_and_stamp(cfg: config_mod.Config, config: str, config_seen: str, options: dict[str, Any]) -> RunReport:
    """One run under the caller's lock; a no-op stamp when it settled (see xlate.noop)."""
    from xlate import __version__, noop, pipeline
    from xlate.model import RunReport

    p = cfg.paths
    options["now"] = _injected_now()
    noop.remove(config)  # from now on only the normal path knows the state
    before = noop.before(config_seen, str(p.input), str(p.models), str(p.glossary or ""))
    report = pipeline.run(cfg, pipeline.RunOptions(**options))
    if report.settled is not None:
        text, as_json, json_log = _noop_outputs(RunReport(unchanged=report.settled))
        noop.write(
            config,
            version=__version__,
            paths=(str(p.input), str(p.models), str(p.glossary or ""), str(p.state), str(p.feeds)),
            langs=cfg.all_langs,
            fingerprint=before + "\0" + noop.after(str(p.state), str(p.feeds), cfg.all_langs),
            summary=text,
            json_report=as_json,
            json_log=json_log,
            due=min((at.timestamp() for _, at in report.scheduled), default=None),
        )
    return report


def _injected_now() -> datetime | None:
    """XLATE_NOW (ISO 8601; naive means UTC) stands in for the clock: tests and dry runs of
    scheduled publishing. Unset: None, the real clock."""
    text = os.environ.get("XLATE_NOW")
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"XLATE_NOW={text!r} is not an ISO 8601 time; e.g. 2026-12-04T09:00:00+02:00") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _report_json(report: Any, duration: object) -> str:
    return json.dumps({**report.as_json(), "duration_seconds": duration}, ensure_ascii=False, indent=2)


def _summary_data(report: Any, elapsed_text: str, duration: object, now: str) -> dict[str, Any]:
    """The one line that ends every run, as a JSON log record."""
    counts = report.as_json()
    return {
        "time": now,
        "level": "info",
        "logger": "xlate",
        "message": f"{report.summary_line()} in {elapsed_text}s",
        **{k: counts[k] for k in ("published", "updated", "unchanged", "retracted")},
        "quarantined": len(report.quarantined),
        "duration_seconds": duration,
    }


def _noop_outputs(report: Any) -> tuple[str, str, str]:
    """What a no-op run prints (text, --json, JSON log), with the placeholders xlate.noop fills:
    the same functions as above, so the fast path cannot drift from the normal one."""
    from xlate import noop

    placeholder = noop.DURATION.strip('"')
    return (
        f"{report.summary_line()} in {noop.ELAPSED}s",
        _report_json(report, placeholder),
        json.dumps(_summary_data(report, noop.ELAPSED, placeholder, noop.NOW), ensure_ascii=False),
    )


def _progress_wanted() -> bool:
    """Progress only for a person watching: stderr is a terminal, text logs, not -q."""
    root = logging.getLogger()
    return sys.stderr.isatty() and _LOG_FORMAT["format"] == "text" and root.level <= logging.WARNING


def _translation_bar() -> Any:
    """One bar across the run's translation (rich is imported on the first chunk only)."""
    from xlate.translate.progress import ProgressBar

    return ProgressBar()


# -- models ------------------------------------------------------------------------------


@main.group()
def models() -> None:
    """Install, list and remove Argos translation packages."""


@models.command("install")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
@_handles_errors
def models_install(obj: Ctx, files: tuple[Path, ...]) -> None:
    """Install FILES (.argosmodel), or without FILES download what config needs from the Argos index."""
    from xlate.translate import packages

    cfg = obj.cfg
    if files:
        for f in files:
            pkg = packages.install_file(f, cfg.paths.models)
            click.echo(f"installed {pkg.pair} {pkg.version} from {f}")
        return
    have = set(packages.installed(cfg.paths.models))
    _, missing = packages.plan_routes(have, cfg.source_lang, cfg.targets, cfg.pivot)
    if not missing:
        click.echo("all models the config needs are installed")
        return
    progress = _progress_bar() if sys.stderr.isatty() else None
    try:
        for pkg in packages.install_from_index(cfg.paths.models, missing, progress):
            click.echo(f"installed {pkg.pair} {pkg.version}")
    finally:
        if progress is not None:
            progress.close()  # type: ignore[attr-defined]


def _progress_bar() -> Callable[[str, int, int | None], None]:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), transient=True
    )
    bar.start()
    tasks: dict[str, Any] = {}

    def update(label: str, done: int, total: int | None) -> None:
        if label not in tasks:
            tasks[label] = bar.add_task(label, total=total)
        bar.update(tasks[label], completed=done, total=total)

    update.close = bar.stop  # type: ignore[attr-defined]
    return update


@models.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_handles_errors
def models_list(obj: Ctx, as_json: bool) -> None:
    """Show installed pairs with version and size, and the route each target takes."""
    from xlate.translate import packages

    cfg = obj.cfg
    pkgs = packages.installed(cfg.paths.models)
    routes, missing = packages.plan_routes(set(pkgs), cfg.source_lang, cfg.targets, cfg.pivot)
    listed = [
        {"pair": p.pair, "version": p.version, "size": p.size, "tokenizer": p.tokenizer, "path": str(p.path)}
        for p in sorted(pkgs.values(), key=lambda p: p.pair)
    ]
    labels = {t: packages.route_label(r) for t, r in sorted(routes.items())}
    if as_json:
        data = {
            "models_dir": str(cfg.paths.models),
            "packages": listed,
            "routes": labels,
            "missing": [f"{a}->{b}" for a, b in missing],
        }
        click.echo(json.dumps(data, indent=2))
        return
    for p in pkgs.values():
        click.echo(f"{p.pair:10} {p.version:8} {p.size / 1e6:8.1f} MB  {p.tokenizer}")
    for t in cfg.targets:
        click.echo(f"route {cfg.source_lang}->{t}: {labels.get(t, 'MISSING')}")
    if missing:
        click.echo(packages.missing_message(missing, cfg.paths.models), err=True)


@models.command("remove")
@click.argument("pair")
@click.pass_obj
@_handles_errors
def models_remove(obj: Ctx, pair: str) -> None:
    """Remove the package for PAIR (e.g. en->pl or en_pl)."""
    from xlate.translate import packages

    path = packages.remove(obj.cfg.paths.models, pair)
    click.echo(f"removed {path}")


# -- status and retry --------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_handles_errors
def status(obj: Ctx, as_json: bool) -> None:
    """Show recent runs, pending work, quarantined files, flagged sentences, feeds and models."""
    from xlate.status import collect, render_text

    data = collect(obj.cfg, obj.config_path, _injected_now())
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else render_text(data))


@main.command()
@click.argument("files", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Put every quarantined file back.")
@click.pass_obj
@_handles_errors
def retry(obj: Ctx, files: tuple[str, ...], all_: bool) -> None:
    """Put quarantined FILES (as listed by `xlate status`) back into input/."""
    from xlate.status import retry as do_retry

    if not files and not all_:
        raise UsageError("name the quarantined files to put back, or pass --all")
    for rel in do_retry(obj.cfg, None if all_ else list(files)):
        click.echo(f"put back {rel}")


@main.command()
@click.argument("slug", required=False)
@click.argument("lang", required=False)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@_handles_errors
def review(obj: Ctx, slug: str | None, lang: str | None, as_json: bool) -> None:
    """List what waits for an editor (held, stale, flagged), most urgent first, with the drafts
    to open; with SLUG LANG, write that draft now."""
    from xlate.drafts import command

    if slug is None:
        click.echo(command.listing(obj.cfg, as_json))
        return
    if lang is None:
        from xlate.errors import UsageError

        raise UsageError(f"name the language too, e.g. `xlate review {slug} pl`")
    click.echo(f"wrote {command.write_one(obj.cfg, slug, lang)}")


if __name__ == "__main__":  # pragma: no cover
    main()
