"""The `xlate` console script and `python -m xlate`: the no-op fast path first, else the CLI."""

from __future__ import annotations

import sys


def main() -> None:
    from xlate import noop

    if noop.answer(sys.argv[1:]):
        return
    from xlate.cli import main as cli

    cli()


if __name__ == "__main__":
    main()
