"""scan(): which files are candidates, which are left alone and why."""

from __future__ import annotations

import builtins
import os
from pathlib import Path

import pytest

from xlate.errors import ConfigError
from xlate.ingest import SourceFile, scan

NOW = 1_700_000_000.0


def touch(root: Path, rel: str, age: float = 60.0, data: bytes = b"x") -> Path:
    f = root / rel
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(data)
    os.utime(f, (NOW - age, NOW - age))
    return f


def run(root: Path, settle: float = 5.0) -> tuple[list[str], dict[str, str]]:
    files, skipped = scan(root, settle_seconds=settle, now=NOW)
    return [f.rel for f in files], {s.rel: s.why for s in skipped}


def test_recurses_sorted_with_posix_rel_and_stats(tmp_path: Path) -> None:
    for rel in ("b.txt", "a.md", "2024/05/c.html", "2024/d.docx", "Z.TXT", "notes.pdf"):
        touch(tmp_path, rel)
    files, skipped = scan(tmp_path, settle_seconds=5, now=NOW)
    assert [f.rel for f in files] == ["2024/05/c.html", "2024/d.docx", "Z.TXT", "a.md", "b.txt", "notes.pdf"]
    assert skipped == []
    f = files[0]
    assert f == SourceFile("2024/05/c.html", tmp_path / "2024/05/c.html", 1, int((NOW - 60) * 1e9))


def test_settle_time(tmp_path: Path) -> None:
    touch(tmp_path, "old.txt", age=10)
    touch(tmp_path, "fresh.txt", age=2)
    touch(tmp_path, "soon.txt", age=-30)  # a little in the future: still being written, or clock skew
    touch(tmp_path, "skewed.txt", age=-7200)  # far future: a wrong clock; waiting would never end
    rels, why = run(tmp_path)
    assert rels == ["old.txt", "skewed.txt"]
    assert why["fresh.txt"].startswith("modified 2.0 s ago; waiting until it is 5 s old (ingest.settle_seconds)")
    assert "future" in why["soon.txt"]
    assert run(tmp_path, settle=0)[0] == ["fresh.txt", "old.txt", "skewed.txt"]


@pytest.mark.parametrize(
    "name",
    ["~$ataskaita.docx", ".~lock.ataskaita.docx#", "straipsnis.txt.swp", "failas.md.part", "x.tmp",
     "straipsnis.txt~", ".paslėptas.txt", "Thumbs.db", "desktop.ini", "atsisiunčiama.crdownload"],
)  # fmt: skip
def test_temp_lock_and_hidden_files_are_skipped(tmp_path: Path, name: str) -> None:
    touch(tmp_path, name)
    touch(tmp_path, "tikras.txt")
    rels, why = run(tmp_path)
    assert rels == ["tikras.txt"]
    assert name in why


def test_dot_folders_are_not_entered(tmp_path: Path) -> None:
    touch(tmp_path, ".git/objects/a.txt")
    touch(tmp_path, "sub/.cache/b.txt")
    rels, why = run(tmp_path)
    assert rels == []
    assert set(why) == {".git", "sub/.cache"}


def test_symlinks(tmp_path: Path) -> None:
    inp, outside = tmp_path / "input", tmp_path / "outside"
    touch(outside, "secret.txt")
    touch(inp, "real/a.txt")
    (inp / "escape.txt").symlink_to(outside / "secret.txt")
    (inp / "escape-dir").symlink_to(outside, target_is_directory=True)
    (inp / "relative.txt").symlink_to("../outside/secret.txt")
    (inp / "inside.txt").symlink_to(inp / "real/a.txt")
    (inp / "inside-dir").symlink_to(inp / "real", target_is_directory=True)
    (inp / "loop").symlink_to(inp, target_is_directory=True)
    (inp / "broken.txt").symlink_to(inp / "missing.txt")
    rels, why = run(inp)
    assert rels == ["inside.txt", "real/a.txt"]
    for rel in ("escape.txt", "escape-dir", "relative.txt"):
        assert why[rel] == "symbolic link pointing outside the input folder"
    assert why["inside-dir"] == why["loop"] == "symbolic link to a folder; not followed"
    assert "broken" in why["broken.txt"]


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    name = os.path.join(os.fsencode(tmp_path), "senas-ą.txt".encode("cp1257"))
    with open(name, "wb") as f:
        f.write(b"x")
    os.utime(name, (NOW - 60, NOW - 60))
    assert run(tmp_path) == ([], {"senas-\ufffd.txt": "file name is not valid UTF-8; rename it"})


def test_special_files_are_skipped(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    assert run(tmp_path)[1] == {"pipe.txt": "not a regular file"}


def test_scan_reads_no_file_contents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path, "a.txt")
    touch(tmp_path, "sub/b.md")

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("scan opened a file")

    monkeypatch.setattr(builtins, "open", no_open)
    monkeypatch.setattr(os, "open", no_open)
    assert run(tmp_path)[0] == ["a.txt", "sub/b.md"]


def test_missing_input_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="input folder not found"):
        scan(tmp_path / "nope", settle_seconds=5, now=NOW)
