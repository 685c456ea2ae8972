"""One progress bar for a run's whole translation, fed by the translate stage's `Progress`.

For a terminal only (the CLI decides); rich is imported on the first chunk, so a run with
nothing to decode never loads it. Sentences done/total across all models, with the rate and
an ETA from the chunks decoded so far.
"""

from __future__ import annotations

from typing import Any

from xlate.translate import Progress


class ProgressBar:
    def __init__(self, console: Any = None) -> None:
        self._console = console  # a rich Console; None: stderr
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, p: Progress) -> None:
        if self._bar is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("translating {task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("sentences"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self._console or Console(stderr=True),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("", total=p.total)
        current = f"{p.batch.pair[0]}->{p.batch.pair[1]}"
        models = ", ".join(f"{m} {d}/{t}" for m, d, t in p.models)
        self._bar.update(self._task, completed=p.done, total=max(p.total, p.done), description=f"{current} ({models})")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
