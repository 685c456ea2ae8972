"""The `xlate` console script and `python -m xlate`: the no-op fast path first, else the CLI."""

from __future__ import annotations

import sys


def main() -> None:
    from xlate import noop

    try:
        answered = noop.answer(sys.argv[1:])
    except Exception:  # the fast path must never be why a run fails: the normal path decides
        answered = False
    if answered:
        return
    try:
        from xlate.cli import main as cli
    except Exception as e:  # a broken install: Python would exit 1, which the systemd unit counts as success
        sys.stderr.write(
            f"xlate: error: cannot load xlate ({type(e).__name__}: {' '.join(str(e).split())}); "
            "reinstall it (pip install .) in its virtual environment, and report this line if that does not help\n"
        )
        sys.exit(70)
    cli()


if __name__ == "__main__":
    main()
