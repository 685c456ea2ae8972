"""The no-op fast path: `xlate run` with nothing to do answers from a stamp.

Cron starts xlate every few minutes and almost every run finds nothing new. Loading the
pipeline (pydantic, click, yaml, sqlite3) costs ~0.2 s; a run that ends with nothing
pending writes a stamp, and the next run compares the world with it
using stat calls alone. This module imports only os, sys, time and two tiny xlate modules
(outputs, cliopts) for that reason. The console script (`xlate.__main__:main`) asks it first;
the CLI writes the stamp (`write`) while it still holds the run lock.

The stamp (`state/.config.yaml.noop` with the default paths.state, else beside the config)
holds the time the soonest scheduled article is due (the stamp stops holding then) and a
fingerprint of everything a no-op run reads:
  - taken under the run lock *before* the run looked at anything: config.yaml, the
    glossary, every entry of the input folder (recursively, with symlink targets) and of
    the models folder, by path, type, size, mtime, ctime and inode;
  - taken under the lock *after* the run: the state database (and its WAL, absent when
    the last connection closed) and whether each feed, index.html and feeds.opml exist.
Any difference, a missing or unreadable stamp, another xlate version, or options this
module does not know send the run down the normal path, which decides for itself and
writes a new stamp. A run that left work behind (a file still settling, an article
pending, a publish pending) writes none, and every normal run deletes the stamp first.
"""

from __future__ import annotations

import os
import sys
import time

from xlate.outputs import output_files

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing alone costs ~6 ms
if TYPE_CHECKING:
    from collections.abc import Sequence

# try/except/pass below, not contextlib.suppress: contextlib is one more import on the fast path.

MAGIC = "xlate-noop 2"
_FIELDS = 11  # header fields before the fingerprint; see write()
ELAPSED = "@@ELAPSED@@"  # placeholders the templates carry, filled in at answer time
DURATION = '"@@DURATION@@"'
NOW = "@@NOW@@"


def stamp_paths(config: str | os.PathLike[str]) -> tuple[str, str]:
    """Where a stamp may be, named after the config file: in `state/` beside it (the default
    paths.state, writable in every deployment, also under the systemd unit's sandbox), else
    beside the config itself. The fast path cannot read the config to learn paths.state."""
    folder, name = os.path.split(os.path.abspath(config))
    return os.path.join(folder, "state", f".{name}.noop"), os.path.join(folder, f".{name}.noop")


def _remove_stale_temps(target: str) -> None:
    """Temp stamps a writer killed before its rename left (the caller holds the run lock)."""
    folder, name = os.path.split(target)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for n in names:
        if n.startswith(name + ".") and n.endswith(".tmp"):
            try:  # noqa: SIM105 (contextlib is not imported on the fast path)
                os.unlink(os.path.join(folder, n))
            except OSError:
                pass


def stamp_path(config: str | os.PathLike[str], state: str) -> str:
    """Where a run with this config and state database writes its stamp."""
    in_state, beside = stamp_paths(config)
    same = os.path.dirname(os.path.abspath(state)) == os.path.dirname(in_state)
    return in_state if same else beside


def _stat(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError as e:
        return f"!{e.errno}"
    return f"{st.st_mode:o},{st.st_size},{st.st_mtime_ns},{st.st_ctime_ns},{st.st_ino}"


def _tree(root: str) -> list[str]:
    """One record per entry below root (folders not followed through symlinks, like the scan)."""
    out: list[str] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            it = os.scandir(folder)
        except OSError as e:
            out.append(f"{folder}\0!{e.errno}\0")
            continue
        with it:
            for entry in it:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as e:
                    out.append(f"{entry.path}\0!{e.errno}\0")
                    continue
                link = entry.is_symlink()
                out.append(
                    f"{entry.path}\0{st.st_mode:o},{st.st_size},{st.st_mtime_ns},{st.st_ctime_ns},{st.st_ino}"
                    f"\0{_stat(entry.path) if link else ''}"
                )
                if not link and entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
    out.sort()
    return out


def config_stat(config: str) -> str:
    return _stat(config)


def before(config_seen: str, input_dir: str, models_dir: str, glossary: str) -> str:
    """The part of the fingerprint a run takes before it reads anything; `config_seen` is
    config_stat() taken before the config was loaded."""
    parts = [f"config\0{config_seen}", f"glossary\0{_stat(glossary)}", "input", *_tree(input_dir)]
    parts += ["models", *_tree(models_dir)]
    return "\0".join(parts)


def after(state: str, feeds: str, langs: Sequence[str]) -> str:
    """The part of the fingerprint a run takes when it is done (under the lock)."""
    parts = [f"state\0{_stat(state)}\0{_stat(state + '-wal')}"]
    parts += [f"{p}\0{int(os.path.isfile(p))}" for p in output_files(feeds, langs)]
    return "\0".join(parts)


def remove(config: str) -> None:
    """A normal run starts by forgetting the stamp: from now on only it knows the state."""
    for path in stamp_paths(config):
        try:  # noqa: SIM105
            os.unlink(path)
        except OSError:
            # Missing, or left by another user in a folder this one cannot write: harmless, its
            # fingerprint holds the state file's ctime, which this run's writes move on.
            pass


def write(
    config: str,
    *,
    version: str,
    paths: tuple[str, str, str, str, str],
    langs: Sequence[str],
    fingerprint: str,
    summary: str,
    json_report: str,
    json_log: str,
    due: float | None = None,
) -> None:
    """Save the stamp (temp file + rename: a reader sees all of it or none). Best effort:
    a config folder that is not writable only means every run takes the normal path. `due`:
    when the soonest scheduled article is due (epoch seconds); the stamp does not hold after it."""
    input_dir, models_dir, glossary, state, feeds = paths
    when = "" if due is None else repr(due)
    fields = [
        MAGIC,
        version,
        when,
        input_dir,
        models_dir,
        glossary,
        state,
        feeds,
        ",".join(langs),
        summary,
        json_report,
    ]
    assert len(fields) == _FIELDS and not any("\0" in f for f in (*fields, json_log))
    data = "\0".join([*fields, json_log, fingerprint])
    target = stamp_path(config, state)
    tmp = f"{target}.{os.getpid()}.tmp"
    _remove_stale_temps(target)
    try:
        with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(data)
        os.replace(tmp, target)
    except OSError:
        try:  # noqa: SIM105
            os.unlink(tmp)
        except OSError:
            pass


def _parse_args(argv: Sequence[str]) -> tuple[str, bool, str] | None:
    """(config, --json, log format) for a plain `xlate [global options] run [run options]`
    (the grammar of xlate.cliopts, which the click CLI is built from too); None for anything
    else (the normal CLI handles it, errors included)."""
    from xlate.cliopts import parse_run

    values = parse_run(argv)
    if values is None or (values["verbose"] != 0 and values["verbose"] != 1):
        return None  # -vv shows debug detail only the normal path has
    return str(values["config_path"]), values["as_json"] is True, str(values["log_format"])


def _due(when: str) -> bool:
    """A scheduled article is due (so the normal path must publish it), or the run's time is
    injected (XLATE_NOW, tests): either way the stamp cannot answer."""
    if "XLATE_NOW" in os.environ:
        return True
    try:
        return bool(when) and time.time() >= float(when)
    except ValueError:
        return True


def answer(argv: Sequence[str]) -> bool:
    """Print the no-op result and return True when the stamp still holds; else False."""
    started = time.monotonic()
    parsed = _parse_args(argv)
    if parsed is None:
        return False
    config, as_json, log_format = parsed
    for stamp in stamp_paths(config):
        try:
            with open(stamp, encoding="utf-8", errors="surrogateescape") as f:
                fields = f.read().split("\0", _FIELDS + 1)
            break
        except (OSError, ValueError):
            continue
    else:
        return False
    if len(fields) != _FIELDS + 2 or fields[0] != MAGIC:
        return False
    from xlate import __version__

    _, version, due, input_dir, models_dir, glossary, state, feeds, langs, summary, json_report, json_log, stored = (
        fields
    )
    if version != __version__ or stamp != stamp_path(config, state) or _due(due):
        return False
    now = before(_stat(config), input_dir, models_dir, glossary) + "\0" + after(state, feeds, langs.split(","))
    if now != stored:
        return False
    try:  # noqa: SIM105
        os.utime(stamp)  # its mtime is the last time a run found nothing to do (`xlate status`)
    except OSError:
        pass
    elapsed = round(time.monotonic() - started, 3)
    if as_json:
        out = json_report.replace(DURATION, repr(elapsed))
    elif log_format == "json":
        out = json_log.replace(NOW, time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        out = out.replace(ELAPSED, f"{elapsed:.1f}").replace(DURATION, repr(elapsed))
    else:
        out = summary.replace(ELAPSED, f"{elapsed:.1f}")
    sys.stdout.write(out + "\n")
    sys.stdout.flush()
    return True
