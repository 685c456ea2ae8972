"""Thin CLI: parse arguments, load config, call the library, map errors to exit codes.

Exit codes: 0 all well; 1 some files quarantined (or an article failed);
2 config or usage error; 3 a needed model is missing or a package is bad;
4 the state, feeds, quarantine or models folder is not writable;
5 the state database is corrupt or locked by another program; 130 interrupted.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from xlate import config as config_mod
from xlate.errors import XlateError

log = logging.getLogger("xlate")
F = TypeVar("F", bound=Callable[..., Any])


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": record.getMessage(),
            },
            ensure_ascii=False,
        )


def _setup_logging(verbose: int, quiet: int, fmt: str) -> None:
    level = logging.WARNING - 10 * verbose + 10 * quiet
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_JsonFormatter() if fmt == "json" else logging.Formatter("xlate: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(logging.DEBUG, min(level, logging.CRITICAL)))


def _fail(e: XlateError) -> None:
    click.echo(f"xlate: error: {e}", err=True)
    sys.exit(e.exit_code)


def _handles_errors(f: F) -> F:
    import functools

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except XlateError as e:
            _fail(e)

    return wrapper  # type: ignore[return-value]


class Ctx:
    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self._cfg: config_mod.Config | None = None

    @property
    def cfg(self) -> config_mod.Config:
        if self._cfg is None:
            self._cfg = config_mod.load(self.config_path)
        return self._cfg


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=Path("config.yaml"),
    show_default=True,
    help="Path to config.yaml.",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", count=True, help="Less log output.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object per line, for journald and log shippers.",
)
@click.version_option(package_name="xlate")
@click.pass_context
def main(ctx: click.Context, config_path: Path, verbose: int, quiet: int, log_format: str) -> None:
    """xlate: translate Lithuanian library news offline and publish feeds per language."""
    _setup_logging(verbose, quiet, log_format)
    ctx.obj = Ctx(config_path)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the run's figures.")
@click.option(
    "--settle",
    type=float,
    default=None,
    help="Seconds a file must be left alone before it is read (overrides ingest.settle_seconds).",
)
@click.option(
    "--wait",
    type=float,
    default=0.0,
    show_default=True,
    help="Wait up to this many seconds for another run to finish instead of exiting at once.",
)
@click.pass_obj
@_handles_errors
def run(obj: Ctx, as_json: bool, settle: float | None, wait: float) -> None:
    """Ingest input/, translate what is new, publish the feeds."""
    cfg = obj.cfg  # config errors first: exit 2 before anything heavy is imported
    from xlate.lock import Busy
    from xlate.pipeline import RunOptions
    from xlate.pipeline import run as run_pipeline

    try:
        report = run_pipeline(cfg, RunOptions(settle_seconds=settle, wait_seconds=wait))
    except Busy:
        log.warning("another run is in progress; nothing done")
        if as_json:
            click.echo(json.dumps({"busy": True}))
        return
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.summary_line())
    if report.quarantined or report.failed:
        sys.exit(1)


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

    data = collect(obj.cfg)
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else render_text(data))


@main.command()
@click.argument("files", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Put every quarantined file back.")
@click.pass_obj
@_handles_errors
def retry(obj: Ctx, files: tuple[str, ...], all_: bool) -> None:
    """Put quarantined FILES (as listed by `xlate status`) back into input/."""
    from xlate.errors import UsageError
    from xlate.status import retry as do_retry

    if not files and not all_:
        raise UsageError("name the quarantined files to put back, or pass --all")
    for rel in do_retry(obj.cfg, None if all_ else list(files)):
        click.echo(f"put back {rel}")


if __name__ == "__main__":  # pragma: no cover
    main()
