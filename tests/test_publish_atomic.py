"""Atomic writes: a failure (full disk, no permission) leaves the old file and no temp file.

A real full disk cannot be made here, so ENOSPC is injected by monkeypatching os.write
and os.fsync (where a delayed-allocation filesystem reports it). Tests run as root, and
chmod does not stop root, so "not writable" for real uses a feeds path *under a regular
file* (ENOTDIR); EACCES on rename is injected.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from tests.helpers import make_cfg, rend, site_of
from xlate.errors import NotWritable
from xlate.publish import publish_site
from xlate.publish.atomic import TMP_PREFIX, Batch, remove_stale_temp_files, write_atomic


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(TMP_PREFIX)]


def _fail_with(code: int):  # type: ignore[no-untyped-def]
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


def test_write_atomic_replaces_content_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "rss.xml"
    write_atomic(target, b"one")
    assert target.read_bytes() == b"one"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # readable by the web server
    target.chmod(0o640)
    write_atomic(target, b"two" * 100_000)
    assert target.read_bytes() == b"two" * 100_000
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert _temps(tmp_path) == []


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_disk_full_keeps_the_old_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    target = tmp_path / "atom.xml"
    target.write_bytes(b"old feed")
    monkeypatch.setattr(os, where, _fail_with(errno.ENOSPC))
    with pytest.raises(NotWritable) as e:
        write_atomic(target, b"new feed")
    monkeypatch.undo()
    assert str(target) in str(e.value) and "free disk space" in str(e.value)
    assert e.value.exit_code == 4
    assert target.read_bytes() == b"old feed"
    assert _temps(tmp_path) == []


def test_permission_denied_on_rename_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "rss.xml"
    target.write_bytes(b"old")
    monkeypatch.setattr(os, "replace", _fail_with(errno.EACCES))
    with pytest.raises(NotWritable, match="writable by the user that runs xlate"):
        write_atomic(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert _temps(tmp_path) == []


def test_publish_into_a_folder_that_cannot_exist_is_not_writable(tmp_path: Path) -> None:
    # Root ignores chmod, so make the feeds folder impossible for real: its parent is a file.
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    cfg = make_cfg(tmp_path, paths__feeds="blocker/feeds")
    with pytest.raises(NotWritable) as e:
        publish_site(cfg, site_of(cfg))
    assert "blocker" in str(e.value) and e.value.exit_code == 4
    assert blocker.read_text() == "a file, not a folder"


def test_publish_failure_midway_leaves_earlier_files_and_old_ones_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = make_cfg(tmp_path)
    publish_site(cfg, site_of(cfg))
    feeds = cfg.paths.feeds
    before = {p: p.read_bytes() for p in feeds.rglob("*") if p.is_file()}
    changed = site_of(cfg)
    changed["lt"][0] = rend("lt", "alpha", 0, title="Pakeista antraštė")
    monkeypatch.setattr(os, "write", _fail_with(errno.ENOSPC))
    with pytest.raises(NotWritable):
        publish_site(cfg, changed)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in feeds.rglob("*") if p.is_file()} == before
    assert _temps(feeds) == []
    # disk freed: the next run completes the work
    assert publish_site(cfg, changed)


def test_stale_temp_files_from_a_killed_run_are_cleaned_in_every_folder(tmp_path: Path) -> None:
    """A kill can land in any folder publishing writes (the archive folders were once missed)."""
    cfg = make_cfg(tmp_path)
    publish_site(cfg, site_of(cfg))
    folders = {p.parent for p in cfg.paths.feeds.rglob("*") if p.is_file()}
    assert {cfg.paths.feeds, cfg.paths.feeds / "en", cfg.paths.feeds / "en" / "archive"} <= folders
    stale = [f / f"{TMP_PREFIX}abc123" for f in folders]
    for p in stale:
        p.write_bytes(b"half a feed")
    assert publish_site(cfg, site_of(cfg)) == []
    assert _temps(cfg.paths.feeds) == []


def test_the_sweep_stays_out_of_dot_folders_and_below_what_xlate_writes(tmp_path: Path) -> None:
    """The feeds folder may sit in a web root: its .git and deeper trees are not ours to walk."""
    files = ["x", "en/x", "en/archive/x", "en/archive/deep/x", ".git/x", "en/.cache/x"]
    for rel in files:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).with_name(TMP_PREFIX + "1").write_bytes(b"")
        (tmp_path / rel).write_bytes(b"keep")
    remove_stale_temp_files(tmp_path)
    left = sorted(p.relative_to(tmp_path).as_posix() for p in _temps(tmp_path))
    assert left == [f"{d}/{TMP_PREFIX}1" for d in (".git", "en/.cache", "en/archive/deep")]
    assert all((tmp_path / rel).read_bytes() == b"keep" for rel in files)


# -- Batch: many files, one file-system sync ---------------------------------------------


def _olds(folder: Path, n: int) -> list[Path]:
    paths = [folder / f"p{i:03d}.html" for i in range(n)]
    for p in paths:
        p.write_bytes(b"old " + p.name.encode())
    return paths


def test_batch_replaces_every_file_keeps_modes_and_leaves_no_temp(tmp_path: Path) -> None:
    paths = _olds(tmp_path, 40)
    paths[0].chmod(0o600)
    batch = Batch()
    for p in paths:
        batch.stage(p, b"new " + p.name.encode())
    new = tmp_path / "sub" / "fresh.html"
    batch.stage(new, b"fresh")
    assert paths[5].read_bytes() == b"old p005.html"  # nothing visible before commit
    assert batch.commit(tmp_path) == [*paths, new]
    assert all(p.read_bytes() == b"new " + p.name.encode() for p in paths)
    assert stat.S_IMODE(paths[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    assert _temps(tmp_path) == []


def test_batch_disk_full_while_staging_keeps_every_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _olds(tmp_path, 40)
    batch = Batch()
    real_write, calls = os.write, [0]

    def write(fd: int, data: bytes) -> int:
        calls[0] += 1
        if calls[0] > 20:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    with pytest.raises(NotWritable) as e:
        for p in paths:
            batch.stage(p, b"new")
    batch.abort()  # what publish_site does when staging fails
    monkeypatch.undo()
    assert "free disk space" in str(e.value)
    assert all(p.read_bytes() == b"old " + p.name.encode() for p in paths)
    assert _temps(tmp_path) == []


def test_batch_failed_sync_renames_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xlate.publish import atomic

    paths = _olds(tmp_path, 40)
    batch = Batch()
    for p in paths:
        batch.stage(p, b"new")
    monkeypatch.setattr(atomic, "_sync_filesystem", _fail_with(errno.EIO))
    with pytest.raises(NotWritable) as e:
        batch.commit(tmp_path)
    assert e.value.exit_code == 4
    assert all(p.read_bytes() == b"old " + p.name.encode() for p in paths)
    assert _temps(tmp_path) == []


def test_publish_site_uses_a_batch_for_many_pages_and_abandons_it_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlate.publish import atomic

    cfg = make_cfg(tmp_path)
    site = {lang: [rend(lang, f"straipsnis-{i:02d}", i + 1) for i in range(12)] for lang in cfg.all_langs}
    staged: list[int] = []
    real_stage = atomic.Batch.stage

    def stage(self: atomic.Batch, path: Path, data: bytes) -> None:
        staged.append(1)
        if len(staged) == 30:
            raise NotWritable(f"cannot write {path}: injected")
        real_stage(self, path, data)

    monkeypatch.setattr(atomic.Batch, "stage", stage)
    with pytest.raises(NotWritable):
        publish_site(cfg, site)
    feeds = Path(cfg.paths.feeds)
    assert _temps(feeds) == []
    assert not list(feeds.glob("*/*.html"))  # the pages phase was all or nothing
    monkeypatch.undo()
    written = publish_site(cfg, site)
    articles = [p for p in written if p.parent.parent == feeds and p.name not in ("index.html",)]
    assert len([p for p in articles if p.suffix == ".html"]) == 48
