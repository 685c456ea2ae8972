"""The run options are described once (xlate.cliopts): the click CLI and the no-op fast path
must read every command line the same way, or the fast path must leave it to click."""

from __future__ import annotations

import warnings
from pathlib import Path

import click
from hypothesis import given
from hypothesis import strategies as st

from xlate import cli
from xlate.cliopts import GLOBAL_OPTIONS, RUN_OPTIONS, parse_run

WORDS = [
    "run",
    "--json",
    "--json=1",
    "--settle",
    "--settle=0",
    "--settle=soon",
    "5",
    "-1.5",
    "--wait",
    "--wait=2",
    "--max-seconds",
    "--max-seconds=0",
    "--max-seconds=30",
    "0",
    "--config",
    "--config=c.yaml",
    "other.yaml",
    "-v",
    "-vv",
    "--verbose",
    "-q",
    "-qq",
    "--quiet",
    "--log-format",
    "--log-format=json",
    "json",
    "text",
    "xml",
    "status",
    "--unknown",
    "-x",
]


def _click_values(argv: list[str]) -> dict[str, object] | None:
    """What click makes of `argv`, as parse_run's values; None when click refuses it."""
    try:
        ctx = cli.main.make_context("xlate", list(argv), resilient_parsing=False)
        with warnings.catch_warnings():  # click 8.2 deprecates protected_args; 9.0 folds it into args
            warnings.simplefilter("ignore", DeprecationWarning)
            words = [*ctx.protected_args, *ctx.args]
        sub_name, sub, rest = cli.main.resolve_command(ctx, words)
        if sub_name != "run" or sub is None:
            return None
        sub_ctx = sub.make_context("run", rest, parent=ctx)
    except (click.exceptions.Exit, click.UsageError):
        return None
    return {**ctx.params, **sub_ctx.params}


@given(st.lists(st.sampled_from(WORDS), max_size=7))
def test_fast_path_reads_every_command_line_as_click_does(argv: list[str]) -> None:
    ours = parse_run(argv)
    if ours is None:
        return  # left to click: always safe
    theirs = _click_values(argv)
    assert theirs is not None, f"the fast path accepts {argv} but click refuses it"
    theirs["config_path"] = str(theirs["config_path"])
    assert ours == theirs


def test_every_described_option_is_a_click_option() -> None:
    names = {n for p in cli.main.params for n in p.opts}
    assert {n for o in GLOBAL_OPTIONS for n in o.names} <= names
    run_names = {n for p in cli.main.commands["run"].params for n in p.opts}
    assert {n for o in RUN_OPTIONS for n in o.names} == run_names - {"--help", "-h"}


def test_plain_run_with_defaults() -> None:
    assert parse_run(["run"]) == {
        "config_path": "config.yaml",
        "verbose": 0,
        "quiet": 0,
        "log_format": "text",
        "as_json": False,
        "settle": None,
        "wait": 0.0,
        "max_seconds": None,
    }
    assert parse_run(["--config", str(Path("a b.yaml")), "run", "--settle=1"]) is not None
    assert parse_run(["run", "run"]) is None
    assert parse_run(["-v", "status"]) is None
