"""The grammar of `xlate [global options] run [run options]`, described once.

The click CLI builds its options from these tables, and the no-op fast path (`xlate.noop`)
parses argv with them, so the two cannot drift apart. Stdlib only, no typing import: the
fast path imports this module and must stay at a few milliseconds.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing alone costs ~6 ms
if TYPE_CHECKING:
    from collections.abc import Sequence


class Opt:
    """One option. `kind`: flag (bool), count (-vv), value (str), choice, float, seconds (a float above 0)."""

    __slots__ = ("choices", "default", "dest", "help", "kind", "names", "show_default")

    def __init__(
        self,
        names: tuple[str, ...],
        dest: str,
        kind: str,
        help: str,
        default: object = None,
        choices: tuple[str, ...] = (),
        show_default: bool = False,
    ) -> None:
        self.names, self.dest, self.kind, self.help = names, dest, kind, help
        self.default, self.choices, self.show_default = default, choices, show_default

    @property
    def takes_value(self) -> bool:
        return self.kind in ("value", "choice", "float", "seconds")

    def convert(self, value: str) -> object:
        """The option's value from its text; ValueError when it is not one."""
        if self.kind in ("float", "seconds"):
            number = float(value)
            if self.kind == "seconds" and not number > 0:
                raise ValueError(value)
            return number
        if self.kind == "choice" and value not in self.choices:
            raise ValueError(value)
        return value


GLOBAL_OPTIONS = (
    Opt(("--config",), "config_path", "value", "Path to config.yaml.", default="config.yaml", show_default=True),
    Opt(("-v", "--verbose"), "verbose", "count", "More log output (-vv for debug).", default=0),
    Opt(("-q", "--quiet"), "quiet", "count", "Less log output.", default=0),
    Opt(
        ("--log-format",),
        "log_format",
        "choice",
        "json: one object per line, for journald and log shippers.",
        default="text",
        choices=("text", "json"),
        show_default=True,
    ),
)

JSON_OPTION = Opt(("--json",), "as_json", "flag", "Print one JSON object with the run's figures.", default=False)

RUN_OPTIONS = (
    JSON_OPTION,
    Opt(
        ("--settle",),
        "settle",
        "float",
        "Seconds a file must be left alone before it is read (overrides ingest.settle_seconds).",
    ),
    Opt(
        ("--wait",),
        "wait",
        "float",
        "Wait up to this many seconds for another run to finish instead of exiting at once.",
        default=0.0,
        show_default=True,
    ),
    Opt(
        ("--max-seconds",),
        "max_seconds",
        "seconds",
        "Start no new translation chunk after this many seconds (overrides run.max_seconds).",
    ),
)


def _find(options: Sequence[Opt], name: str) -> Opt | None:
    for o in options:
        if name in o.names:
            return o
    return None


def _short_count(options: Sequence[Opt], arg: str) -> tuple[Opt, int] | None:
    """`-vv` / `-qq`: a short count option repeated."""
    if len(arg) < 2 or arg[0] != "-" or arg[1] == "-" or len(set(arg[1:])) != 1:
        return None
    o = _find(options, arg[:2])
    return (o, len(arg) - 1) if o is not None and o.kind == "count" else None


def parse_run(argv: Sequence[str]) -> dict[str, object] | None:
    """Every option's value for a plain `xlate [global options] run [run options]`; None for
    anything else, or anything these tables do not describe (the click CLI handles it)."""
    values: dict[str, object] = {o.dest: o.default for o in (*GLOBAL_OPTIONS, *RUN_OPTIONS)}
    args = list(argv)
    options: Sequence[Opt] = GLOBAL_OPTIONS
    seen_run = False
    while args:
        a = args.pop(0)
        if a == "run" and not seen_run:
            seen_run, options = True, RUN_OPTIONS
        elif not _take(options, a, args, values):
            return None
    return values if seen_run else None


def _take(options: Sequence[Opt], arg: str, rest: list[str], values: dict[str, object]) -> bool:
    """Read one option (and its value from `rest` when separate) into `values`; False when
    `arg` is not one of `options` or its value is not valid."""
    name, eq, value = arg.partition("=")
    o = _find(options, name) if name.startswith("-") else None
    if o is None:
        repeated = _short_count(options, arg)
        if repeated is not None:
            values[repeated[0].dest] = _count(values[repeated[0].dest]) + repeated[1]
        return repeated is not None
    if not o.takes_value:
        if not eq:
            values[o.dest] = True if o.kind == "flag" else _count(values[o.dest]) + 1
        return not eq
    if not eq and not rest:
        return False
    try:
        values[o.dest] = o.convert(value if eq else rest.pop(0))
    except ValueError:
        return False
    return True


def _count(v: object) -> int:
    return v if isinstance(v, int) else 0
