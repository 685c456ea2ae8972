"""The bad-input corpus: every kind of broken file gives a reason that names the
file and says what to do, or is accepted with a note saying what was fixed.

Small files live in tests/fixtures/bad/; byte-level ones (binary, 20 MB, broken
encodings, fake .docx) are made here so nothing large or opaque is committed.
"""

from __future__ import annotations

import codecs
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from tests.helpers import empty_docx, mixed_encodings, zip_bytes
from xlate.config import Detect, Ingest
from xlate.detect import detect_article
from xlate.errors import InputError, LanguageError
from xlate.ingest import docx as docx_reader
from xlate.ingest import parse_article, scan

BAD = Path(__file__).parent / "fixtures" / "bad"
FORMATS = Path(__file__).parent / "fixtures" / "formats"
LT = (FORMATS / "vasaros-skaitymai.txt").read_text(encoding="utf-8")
LT_PL = LT.replace("•", "-")  # the same text, encodable in any code page

# file -> (error class or None for accepted, a part of the error message or of a note)
COMMITTED: dict[str, tuple[type[InputError] | None, str]] = {
    "empty.txt": (InputError, "the file is empty"),
    "whitespace-only.txt": (InputError, "contains only blank space"),
    "headline-only.txt": (InputError, "has a headline but no body text"),
    "no-headline-line.txt": (InputError, "the headline is 448 characters, over the limit of 300"),
    "broken-front-matter.md": (InputError, "front matter is not valid YAML at front-matter line 2"),
    "front-matter-only.md": (InputError, "has front matter but no article text"),
    "front-matter-unclosed.md": (InputError, "has no closing '---' line"),
    "front-matter-list.md": (InputError, "front matter must be 'key: value' lines"),
    "bad-date.md": (InputError, "is not a date; write it as 2024-05-03"),
    "bad-lang-code.md": (InputError, "'lietuvių' is not a language code; write a code such as lt"),
    "tags-mapping.md": (InputError, "'tags' must be a list"),
    "image-only.md": (InputError, "has a headline but no body text"),
    "declared-polish.md": (LanguageError, "declares language 'pl' (Polish)"),
    "no-headline.html": (InputError, "no headline; add an <h1>"),
    "only-script.html": (InputError, "has a headline but no body text"),
    "!!!.txt": (InputError, "the file name gives no usable slug"),
    "senas.rtf": (InputError, "files of type .rtf are not supported; use one of .txt, .md"),
    "latvian.txt": (LanguageError, "detected 'lv' (p=1.00), expected Lithuanian 'lt'"),
    "polish.txt": (LanguageError, "detected 'pl' (p=1.00), expected Lithuanian 'lt'"),
    "english.txt": (LanguageError, "detected 'en' (p=1.00), expected Lithuanian 'lt'"),
    "mixed-lt-pl.txt": (LanguageError, "with only p=0.71, next 'pl' (p=0.29), below detect.min_probability"),
    "slug-tricks.md": (None, "slug '../../../etc/passwd' was made URL-safe: 'etc-passwd'"),
    "script-and-handlers.html": (None, ""),
}


GENERATED: dict[str, tuple[Callable[[], bytes], type[InputError] | None, str]] = {
    "binary.txt": (lambda: bytes(range(256)) * 8, InputError, "contains NUL bytes, so it is a binary file"),
    "huge.txt": (lambda: b"a" * 20_000_000, InputError, "20.0 MB, over the limit of 1,000,000 bytes"),
    "cut-utf8.txt": (
        lambda: LT.encode()[:-1] + "ž".encode()[:1],
        InputError,
        "ends in the middle of a character, so the file was cut off",
    ),
    "broken-utf8.txt": (
        lambda: LT.encode().replace("ž".encode(), b"\xc5", 1),
        InputError,
        "is UTF-8 but has invalid bytes at line 3 (byte 0xc5)",
    ),
    "mixed-encodings.txt": (mixed_encodings, InputError, "parts of it may be in another encoding"),
    "utf16-no-bom.txt": (lambda: LT.encode("utf-16-le"), InputError, "UTF-16 text without a byte-order mark"),
    "utf16-damaged.txt": (lambda: codecs.BOM_UTF16_LE + b"A\x00\x00\xd8", InputError, "is not valid UTF-16"),
    "random-8bit.txt": (lambda: bytes(range(1, 32)) * 40 + bytes(range(128, 256)) * 4, InputError, "binary"),
    "pdf-renamed.txt": (
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        InputError,
        "this is a PDF document",
    ),
    "docx-renamed.txt": (empty_docx, InputError, "ZIP package (perhaps a .docx or .odt renamed)"),
    "not-a-zip.docx": (lambda: LT.encode(), InputError, "is not a valid .docx file (not a ZIP package"),
    "truncated.docx": (lambda: empty_docx()[:3000], InputError, "is not a valid .docx file"),
    "spreadsheet.docx": (lambda: zip_bytes({"xl/workbook.xml": b"<x/>"}), InputError, "not a Word document"),
    "broken-xml.docx": (
        lambda: zip_bytes({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"}),
        InputError,
        "the Word document is damaged",
    ),
    "old-word.docx": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        InputError,
        "old-format .doc",
    ),
    "no-text.docx": (empty_docx, InputError, "the Word document has no text"),
    "README": (lambda: LT.encode(), InputError, "files without an extension are not supported"),
    "control-chars.txt": (
        lambda: LT.replace("Savivaldybės", "Savi\x00\x01valdybės", 1).replace("\x00", "").encode() + b"\x7f\x1b",
        None,
        "removed 3 invisible control characters",
    ),
    "cp1257.txt": (lambda: LT_PL.encode("cp1257"), None, ""),
    # index.html is each language's home page: no article may take the slug "index".
    "index.txt": (lambda: LT_PL.encode(), InputError, "'index' is the name of each language's home page"),
    "slug-index.md": (
        lambda: b"---\nslug: Index\n---\n" + LT_PL.encode(),
        InputError,
        "rename the file, e.g. index-renginys.txt, or set slug: in the front matter",
    ),
    "iso8859-13.txt": (lambda: LT_PL.encode("iso8859_13"), None, ""),
}


def check(rel: str, data: bytes, error: type[InputError] | None, says: str) -> None:
    try:
        article = parse_article(rel, data, Ingest())
        detection = detect_article(article, source_lang="lt", cfg=Detect())
    except InputError as e:
        assert error is not None, f"{rel} was rejected: {e}"
        assert type(e) is error
        message = str(e)
        assert message.startswith(f"{rel}: "), message
        assert says in message, message
        assert len(message) < 600
    else:
        assert error is None, f"{rel} was accepted"
        assert says in " | ".join(article.notes + detection.notes)
        assert article.title and article.blocks


def test_the_corpus_has_at_least_25_kinds() -> None:
    assert len(COMMITTED) + len(GENERATED) >= 25
    assert {p.name for p in BAD.iterdir()} == set(COMMITTED)


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_committed_bad_input(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    shutil.copy(BAD / name, f)
    check(name, f.read_bytes(), *COMMITTED[name])


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_bad_input(tmp_path: Path, name: str) -> None:
    make, error, says = GENERATED[name]
    f = tmp_path / "input" / "sub" / name
    f.parent.mkdir(parents=True)
    f.write_bytes(make())
    check(f"sub/{name}", f.read_bytes(), error, says)


def test_html_scripts_and_handlers_leave_no_trace() -> None:
    a = parse_article("x.html", (BAD / "script-and-handlers.html").read_bytes(), Ingest())
    joined = " ".join(a.units)
    for trace in ("alert", "evil", "cookie", "javascript", "onload", "background", "JavaScript"):
        assert trace not in joined


def test_zip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_reader, "MAX_UNPACKED", 1000)
    d = docx.Document()
    d.add_paragraph("x" * 2000)
    buf = io.BytesIO()
    d.save(buf)
    with pytest.raises(InputError, match=r"^bomb\.docx: unpacks to .* more than an article can need"):
        parse_article("bomb.docx", buf.getvalue(), Ingest())


def test_scan_lists_the_corpus_for_the_pipeline(tmp_path: Path) -> None:
    shutil.copytree(BAD, tmp_path / "input")
    files, skipped = scan(tmp_path / "input", settle_seconds=0, now=4e9)
    assert [f.rel for f in files] == sorted(COMMITTED) and skipped == []
