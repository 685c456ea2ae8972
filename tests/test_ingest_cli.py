"""Issue 4's acceptance through the real CLI and real files.

Every rule of ingest (bad input, encodings, lifecycle, files still being written,
the quarantine round trip, language) is checked by dropping files into a real
project folder and running `xlate run` in a subprocess with the fixture models.
Runs are grouped so that the whole file stays well under a minute.
"""

from __future__ import annotations

import codecs
import csv
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import feedparser

from tests.helpers import FIXTURES, REPO, empty_docx, mixed_encodings, run_cli, run_json, zip_bytes

LANGS = ("lt", "en", "pl", "ru")
FEEDS = [(lang, name) for lang in LANGS for name in ("rss.xml", "atom.xml")]
ARTICLES = FIXTURES / "articles"
BAD = FIXTURES / "bad"
FORMATS = FIXTURES / "formats"
# Extra Lithuanian articles whose every unit is a phrasebook row.
GOOD_EXTRA = (
    "atnaujinta-skaitykla.txt",
    "darbo-laikas.txt",
    "poezijos-vakaras.txt",
    "senjorai-kompiuteris.txt",
    "vasaros-issukis.txt",
)
SAMPLES = tuple(sorted(f.name for f in (REPO / "input").iterdir() if f.is_file() and not f.name.startswith(".")))
LT = (FORMATS / "vasaros-skaitymai.txt").read_text(encoding="utf-8")  # not phrasebook: only for bad input


# -- helpers ---------------------------------------------------------------------------------


def _phrasebook() -> dict[str, dict[str, str]]:
    with (FIXTURES / "phrasebook.tsv").open(encoding="utf-8", newline="") as f:
        return {row["lt"]: row for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}


def _slug_of(link: str) -> str:
    return link.rsplit("/", 1)[1].removesuffix(".html")


def _entries(project: Path, lang: str, name: str = "atom.xml") -> dict[str, feedparser.FeedParserDict]:
    parsed = feedparser.parse((project / "feeds" / lang / name).read_bytes())
    assert not parsed.bozo, (lang, name, parsed.get("bozo_exception"))
    return {_slug_of(e.link): e for e in parsed.entries}


def _json_items(project: Path, lang: str) -> dict[str, dict[str, str]]:
    data = json.loads((project / "feeds" / lang / "feed.json").read_text(encoding="utf-8"))
    return {_slug_of(item["url"]): item for item in data["items"]}


def _assert_published_everywhere(project: Path, slugs: set[str], *, exactly: bool = True) -> None:
    """Each slug is in all 8 RSS/Atom feeds and every feed.json, with a page per language."""
    for lang, name in FEEDS:
        got = set(_entries(project, lang, name))
        if exactly:
            assert got == slugs, (lang, name, got ^ slugs)
        else:
            assert slugs <= got, (lang, name, slugs - got)
    for lang in LANGS:
        assert slugs <= set(_json_items(project, lang)), lang
        for slug in slugs:
            assert (project / "feeds" / lang / f"{slug}.html").is_file(), (lang, slug)


def _assert_absent_everywhere(project: Path, slug: str) -> None:
    for lang, name in FEEDS:
        assert slug not in _entries(project, lang, name), (lang, name)
    for lang in LANGS:
        assert slug not in _json_items(project, lang), lang
        assert not (project / "feeds" / lang / f"{slug}.html").exists(), (lang, slug)


def _files(root: Path) -> dict[str, bytes]:
    """Every regular file under root (not following links), by posix path."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _quarantined(report: dict) -> dict[str, str]:  # type: ignore[type-arg]
    files = [q["file"] for q in report["quarantined"]]
    assert len(files) == len(set(files)), "a file is listed twice"
    return {q["file"]: q["reason"] for q in report["quarantined"]}


def _run_verbose(project: Path, *extra: str, expect: int) -> tuple[dict, str]:  # type: ignore[type-arg]
    """`xlate -v run --json`: the report and the log (stderr)."""
    proc = run_cli(project, "-v", "run", "--json", *extra)
    assert proc.returncode == expect, proc.stderr + proc.stdout
    return json.loads(proc.stdout), proc.stderr


def _md(txt: Path) -> str:
    """A phrasebook .txt article as Markdown ('# headline')."""
    head, _, body = txt.read_text(encoding="utf-8").partition("\n\n")
    return f"# {head}\n\n{body}"


def _age(path: Path, seconds: float = 3600) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t), follow_symlinks=False)


# -- the bad-input corpus ----------------------------------------------------------------------

# Committed bad files that are quarantined: (what is wrong, how to fix it), both parts of the reason.
COMMITTED: dict[str, tuple[str, str]] = {
    "!!!.txt": ("gives no usable slug", "rename the file"),
    "bad-date.md": ("'gegužės trečią' is not a date", "write it as 2024-05-03"),
    "bad-lang-code.md": ("'lietuvių' is not a language code", "write a code such as lt"),
    "broken-front-matter.md": ("front matter is not valid YAML at front-matter line 2", "one 'key: value' per line"),
    "declared-polish.md": ("declares language 'pl' (Polish)", "set lang: lt"),
    "empty.txt": ("the file is empty", "put the article in it"),
    "english.txt": ("detected 'en' (p=1.00)", "put only Lithuanian articles in the input folder"),
    "front-matter-list.md": ("front matter must be", "'key: value' lines"),
    "front-matter-only.md": ("has front matter but no article text", "write the article below the closing ---"),
    "front-matter-unclosed.md": ("no closing '---' line", "add a line with just ---"),
    "headline-only.txt": ("has a headline but no body text", "add the article's paragraphs"),
    "image-only.md": ("has a headline but no body text", "add the article's paragraphs"),
    "latvian.txt": ("detected 'lv' (p=1.00)", "put only Lithuanian articles in the input folder"),
    "mixed-lt-pl.txt": ("below detect.min_probability", "remove or translate those parts"),
    "no-headline-line.txt": ("the headline is 448 characters, over the limit of 300", "shorten it"),
    "no-headline.html": ("no headline", "add an <h1>"),
    "only-script.html": ("has a headline but no body text", "add the article's paragraphs"),
    "polish.txt": ("detected 'pl' (p=1.00)", "put only Lithuanian articles in the input folder"),
    "senas.rtf": ("files of type .rtf are not supported", "save as .docx"),
    "tags-mapping.md": ("'tags' must be a list", "like [renginiai, vaikams]"),
    "whitespace-only.txt": ("contains only blank space", "put the article in it"),
}
# Committed files that are accepted (documented behaviour), with the note they log (or "").
COMMITTED_OK: dict[str, tuple[str, str]] = {
    "slug-tricks.md": ("etc-passwd", "slug '../../../etc/passwd' was made URL-safe: 'etc-passwd'"),
    "script-and-handlers.html": ("script-and-handlers", ""),
}


# Generated here (byte-level or large): name -> (bytes, what is wrong, how to fix it).
GENERATED: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "binary.txt": (lambda: bytes(range(256)) * 8, "contains NUL bytes", "save the article as UTF-8 text"),
    "huge.txt": (lambda: b"a" * 20_000_000, "the file is 20.0 MB, over the limit", "split it"),
    "cut-utf8.txt": (lambda: LT.encode()[:-1] + "ž".encode()[:1], "was cut off", "copy it again"),
    "broken-utf8.txt": (
        lambda: LT.encode().replace("ž".encode(), b"\xc5", 1),
        "invalid bytes at line 3 (byte 0xc5)",
        "save the whole file as UTF-8",
    ),
    "mixed-encodings.txt": (mixed_encodings, "parts of it may be in another encoding", "save the whole file as UTF-8"),
    "utf16-no-bom.txt": (lambda: LT.encode("utf-16-le"), "UTF-16 text without a byte-order mark", "save it as UTF-8"),
    "utf16-damaged.txt": (
        lambda: codecs.BOM_UTF16_LE + b"A\x00\x00\xd8",
        "is not valid UTF-16",
        "save it again as UTF-8",
    ),
    "random-8bit.txt": (
        lambda: bytes(range(1, 32)) * 40 + bytes(range(128, 256)) * 4,
        "does not look like text in any known encoding",
        "save the article as UTF-8 text",
    ),
    "only-controls.txt": (lambda: b"\x01\x02\x03\n\x04\x05\n", "contains only blank space", "put the article in it"),
    "pdf-renamed.txt": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "this is a PDF document", "copy its text"),
    "docx-renamed.txt": (empty_docx, "a ZIP package", "give it its real extension"),
    "not-a-zip.docx": (lambda: LT.encode(), "is not a valid .docx file", "save it as a Word document (.docx)"),
    "truncated.docx": (lambda: empty_docx()[:3000], "is not a valid .docx file", "save it as a Word document"),
    "spreadsheet.docx": (lambda: zip_bytes({"xl/workbook.xml": b"<x/>"}), "not a Word document", "save it as a Word"),
    "broken-xml.docx": (
        lambda: zip_bytes({"[Content_Types].xml": b"<Types", "word/document.xml": b"<w:document"}),
        "the Word document is damaged",
        "save it as a Word document",
    ),
    "old-word.docx": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        "old-format .doc",
        "save it as a Word",
    ),
    "no-text.docx": (empty_docx, "the Word document has no text", "write the article in it"),
    "README": (lambda: LT.encode(), "files without an extension are not supported", "use one of .txt"),
    "skelbimas.pdf": (lambda: b"%PDF-1.4\n" + LT.encode(), "files of type .pdf are not supported", "copy its text"),
    "senas.doc": (lambda: b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "files of type .doc are not supported", "save as .docx"),
    "title-list.md": (
        lambda: b"---\ntitle: [a, b]\n---\n\n" + LT.encode(),
        "'title' must be plain text",
        "",
    ),
    "sub/blank.html": (lambda: b"  \n\t\n", "contains only blank space", "put the article in it"),
    "sub/deeper/empty.md": (lambda: b"", "the file is empty", "put the article in it"),
}
# Generated files that are accepted with a note.
GENERATED_OK: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "control-chars.txt": (
        lambda: LT.replace("Savivaldybės", "Savi\x01valdybės", 1).encode() + b"\x7f\x1b",
        "control-chars",
        "removed 3 invisible control characters",
    ),
}


def test_the_corpus_covers_at_least_25_kinds() -> None:
    assert len(COMMITTED) + len(COMMITTED_OK) + len(GENERATED) + len(GENERATED_OK) >= 25
    # Every committed bad file is covered here: a new one must be added to a table.
    assert {p.name for p in BAD.iterdir()} == set(COMMITTED) | set(COMMITTED_OK)


def test_bad_corpus_beside_good_articles_in_one_run(make_project: Callable[..., Path]) -> None:
    project = make_project()
    inp = project / "input"
    for name in GOOD_EXTRA:
        shutil.copy2(ARTICLES / name, inp / name)
    for name in (*COMMITTED, *COMMITTED_OK):
        shutil.copy2(BAD / name, inp / name)
    for rel, (make, *_) in {**GENERATED, **GENERATED_OK}.items():
        (inp / rel).parent.mkdir(parents=True, exist_ok=True)
        (inp / rel).write_bytes(make())
    before = _files(inp)
    expected_bad = {**COMMITTED, **{rel: (what, fix) for rel, (_, what, fix) in GENERATED.items()}}
    assert set(expected_bad) | set(SAMPLES) | set(GOOD_EXTRA) | set(COMMITTED_OK) | set(GENERATED_OK) == set(before)

    report, log = _run_verbose(project, expect=1)

    # Every bad file is listed with a reason that names it, says what is wrong and how to fix it.
    quarantined = _quarantined(report)
    assert set(quarantined) == set(expected_bad)
    for rel, (what, fix) in expected_bad.items():
        reason = quarantined[rel]
        assert reason.startswith(f"{rel}: "), reason
        assert what in reason and fix in reason, (rel, reason)
        assert len(reason) < 600, reason

    # Each is moved, byte for byte, next to a note with the reason; nothing else is in quarantine/.
    q = _files(project / "quarantine")
    assert set(q) == set(expected_bad) | {f"{rel}.error.txt" for rel in expected_bad}
    for rel in expected_bad:
        assert q[rel] == before[rel], rel
        note = q[f"{rel}.error.txt"].decode("utf-8")
        assert quarantined[rel] in note and "xlate retry" in note, note

    # Nothing is lost and no original is modified: what is left in input/ is the good files, unchanged.
    left = _files(inp)
    assert set(left) | set(expected_bad) == set(before)
    assert not set(left) & set(expected_bad)
    assert all(left[rel] == before[rel] for rel in left)

    # The good articles and the accepted ones are published in all 8 feeds (and feed.json and pages).
    good = {Path(n).stem for n in (*SAMPLES, *GOOD_EXTRA)}
    accepted = {slug for slug, _ in COMMITTED_OK.values()} | {slug for _, slug, _ in GENERATED_OK.values()}
    assert report["published"] == len(good | accepted)
    _assert_published_everywhere(project, good | accepted)
    for rel, (_, note) in {**COMMITTED_OK, **{r: (s, n) for r, (_, s, n) in GENERATED_OK.items()}}.items():
        if note:
            assert f"{rel}: {note}" in log, (rel, log)

    # The phrasebook articles are translated well (their English titles are the phrasebook's).
    book = _phrasebook()
    lt, en = _entries(project, "lt"), _entries(project, "en")
    for slug in good:
        assert en[slug].title == book[lt[slug].title]["en"], slug
    # Scripts and event handlers leave no trace in any output (favicon.ico is the one binary file).
    for p in (project / "feeds").rglob("*"):
        if p.is_file() and p.suffix != ".ico":
            text = p.read_text(encoding="utf-8")
            for trace in ("alert(", "evil.example", "document.cookie", "javascript:", "onload", "onclick"):
                assert trace not in text, (p, trace)
    # The hostile front-matter slug stays inside feeds/.
    assert not (project / "etc").exists() and not (project / "feeds" / "etc").exists()

    # The editor drops a fixed version into input/ again: the next run publishes it and,
    # nothing else being bad, exits 0; the old copy stays in quarantine/ untouched.
    fixed = (BAD / "headline-only.txt").read_bytes().rstrip() + b"\n\n" + " ".join(EDIT_SENTENCES).encode() + b"\n"
    (inp / "headline-only.txt").write_bytes(fixed)
    again = run_json(project, expect=0)
    assert (again["quarantined"], again["published"], again["updated"]) == ([], 1, 0)
    assert (inp / "headline-only.txt").read_bytes() == fixed
    assert _files(project / "quarantine") == q
    _assert_published_everywhere(project, good | accepted | {"headline-only"})


# -- encodings ---------------------------------------------------------------------------------

# article -> encoding (all written as .txt; one body sentence gets „quotes“, which the two
# 8-bit code pages place differently, so the right one of them must be chosen).
ENCODED = {
    "atnaujinta-skaitykla.txt": "cp1257",
    "darbo-laikas.txt": "iso8859_13",
    "poezijos-vakaras.txt": "utf-16",
    "senjorai-kompiuteris.txt": "utf-8-sig",
}


def _quoted(text: str) -> str:
    """Put „…“ around the second paragraph's first word (a change only the lt feed must show exactly)."""
    head, para2, para3 = text.rstrip("\n").split("\n\n")
    first, rest = para2.split(" ", 1)
    return f"{head}\n\n„{first}“ {rest}\n\n{para3}\n"


def test_encodings_keep_lithuanian_letters_exact(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False)
    texts: dict[str, str] = {}
    for name, enc in ENCODED.items():
        text = (ARTICLES / name).read_text(encoding="utf-8")
        if enc in ("cp1257", "iso8859_13"):
            text = _quoted(text)
        data = text.encode(enc)
        if enc == "utf-16":
            assert data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        if enc == "utf-8-sig":
            assert data.startswith(codecs.BOM_UTF8)
        (project / "input" / name).write_bytes(data)
        texts[Path(name).stem] = text

    report = run_json(project)
    assert report["published"] == len(ENCODED) and report["quarantined"] == []
    _assert_published_everywhere(project, set(texts))

    book = _phrasebook()
    lt_items, lt_atom, en = _json_items(project, "lt"), _entries(project, "lt"), _entries(project, "en")
    for slug, text in texts.items():
        head, *paras = text.rstrip("\n").split("\n\n")
        assert lt_items[slug]["title"] == head, slug
        assert lt_atom[slug].title == head, slug
        for para in paras:
            assert para in lt_items[slug]["content_html"], (slug, para)
        assert en[slug].title == book[head]["en"], slug
        page = (project / "feeds" / "lt" / f"{slug}.html").read_text(encoding="utf-8")
        assert head in page and all(para in page for para in paras), slug


# -- lifecycle -------------------------------------------------------------------------------

# Phrasebook sentences none of the other articles in the lifecycle project use.
EDIT_SENTENCES = (
    "Iššūkyje gali dalyvauti vaikai nuo šešerių iki dvylikos metų.",
    "Registracija vyksta vaikų skyriuje.",
    "Skaityti vasarą yra smagu ir naudinga.",
)


def test_edit_delete_duplicate_and_slug_collision(make_project: Callable[..., Path]) -> None:
    project = make_project()
    inp = project / "input"
    book = _phrasebook()
    assert all(s in book for s in EDIT_SENTENCES)
    (inp / "a.md").write_text(_md(ARTICLES / "darbo-laikas.txt"), encoding="utf-8")
    shutil.copy2(ARTICLES / "atnaujinta-skaitykla.txt", inp / "a.txt")  # same slug, different text

    # Run 1: of two files with the same slug, the second is quarantined.
    r1 = run_json(project, expect=1)
    reasons = _quarantined(r1)
    assert set(reasons) == {"a.txt"}
    assert reasons["a.txt"].startswith("a.txt: ") and "'a'" in reasons["a.txt"] and "a.md" in reasons["a.txt"]
    assert "rename the file" in reasons["a.txt"]
    assert (project / "quarantine" / "a.txt").read_bytes() == (ARTICLES / "atnaujinta-skaitykla.txt").read_bytes()
    assert (project / "quarantine" / "a.txt.error.txt").is_file()
    assert r1["published"] == len(SAMPLES) + 1
    slugs = {Path(n).stem for n in SAMPLES} | {"a"}
    _assert_published_everywhere(project, slugs)
    assert _entries(project, "lt")["a"].title == "Keičiasi bibliotekos darbo laikas"  # a.md won, a.txt did not

    # Run 2: edit one paragraph: only its sentences are decoded; <updated> moves, <published> stays.
    # The same content appears under a second file name: reported, published once.
    before = _entries(project, "lt")
    shutil.copy2(inp / "skaitymo-klubas.txt", inp / "kopija.txt")
    path = inp / "vaiku-knygu-savaite.txt"
    old = path.read_text(encoding="utf-8")
    assert "Kviečiame atvykti su draugais ir šeima!" in old
    path.write_text(old.replace("Kviečiame atvykti su draugais ir šeima!", " ".join(EDIT_SENTENCES)), encoding="utf-8")
    r2 = run_json(project)
    assert (r2["published"], r2["updated"], r2["retracted"]) == (0, 1, 0)
    assert r2["duplicates"] == [{"file": "kopija.txt", "duplicate_of": "skaitymo-klubas"}]
    assert r2["quarantined"] == []
    assert r2["decoded_sentences"]["lt->en"] == len(EDIT_SENTENCES)
    _assert_published_everywhere(project, slugs)  # the duplicate is not published again
    after = _entries(project, "lt")
    slug = "vaiku-knygu-savaite"
    assert after[slug].published == before[slug].published
    assert after[slug].updated != before[slug].updated
    for other in slugs - {slug}:
        assert after[other].updated == before[other].updated, other
    en = _json_items(project, "en")[slug]["content_html"]
    assert all(book[s]["en"] in en for s in EDIT_SENTENCES)

    # Run 3: delete the original of the duplicate; it is retracted, its pages deleted,
    # and the duplicate (now alone) is published in its place.
    (inp / "skaitymo-klubas.txt").unlink()
    r3 = run_json(project)
    assert r3["retracted"] == 1
    _assert_absent_everywhere(project, "skaitymo-klubas")
    assert r3["published"] == 1
    _assert_published_everywhere(project, (slugs - {"skaitymo-klubas"}) | {"kopija"})

    # Run 4: deleting an article retracts it from all feeds and deletes its pages.
    (inp / "a.md").unlink()
    r4 = run_json(project)
    assert (r4["retracted"], r4["published"], r4["quarantined"]) == (1, 0, [])
    _assert_absent_everywhere(project, "a")
    _assert_published_everywhere(project, (slugs - {"skaitymo-klubas", "a"}) | {"kopija"})


def test_deleting_the_original_publishes_the_duplicate_in_the_same_run(make_project: Callable[..., Path]) -> None:
    project = make_project()
    inp = project / "input"
    shutil.copy2(inp / "skaitymo-klubas.txt", inp / "tas-pats.txt")  # sorts after: read second
    first = run_json(project)
    assert first["duplicates"] == [{"file": "tas-pats.txt", "duplicate_of": "skaitymo-klubas"}]
    (inp / "skaitymo-klubas.txt").unlink()
    report = run_json(project)
    assert (report["retracted"], report["published"]) == (1, 1)
    assert "tas-pats" in _entries(project, "lt")


def test_on_delete_keep_leaves_the_article_published(make_project: Callable[..., Path]) -> None:
    project = make_project(ingest__on_delete="keep")
    run_json(project)
    (project / "input" / "vaiku-knygu-savaite.txt").unlink()
    report, log = _run_verbose(project, expect=0)
    assert report["retracted"] == 0 and report["quarantined"] == []
    assert "ingest.on_delete: keep" in log
    _assert_published_everywhere(project, {Path(n).stem for n in SAMPLES})


# -- files still being written, temp and lock files, links ---------------------------------------

TEMP_FILES = ("~$x.docx", ".~lock.x#", "x.swp", "x.part", "x.tmp", ".hidden.txt", "sub/.slapta.md")


def test_settle_time_temp_files_and_outside_links(make_project: Callable[..., Path], tmp_path: Path) -> None:
    project = make_project()  # the samples keep their (old) mtimes
    inp = project / "input"
    for rel in TEMP_FILES:
        p = inp / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"\x00garbage that would be quarantined if it were read\xff")
        _age(p)
    outside = tmp_path / "elsewhere" / "slaptas.txt"
    outside.parent.mkdir()
    shutil.copy2(ARTICLES / "senjorai-kompiuteris.txt", outside)  # would be published if it were read
    (inp / "nuoroda.txt").symlink_to(outside)
    (inp / "aplankas").symlink_to(outside.parent, target_is_directory=True)
    _age(outside)
    fresh = inp / "poezijos-vakaras.txt"
    fresh.write_bytes((ARTICLES / "poezijos-vakaras.txt").read_bytes())  # just written
    kept = _files(inp) | {"outside": outside.read_bytes()}

    # Run 1 (settle 30 s): the fresh file is skipped, neither quarantined nor published.
    r1, log1 = _run_verbose(project, "--settle", "30", expect=0)
    assert r1["quarantined"] == [] and r1["published"] == len(SAMPLES)
    assert "skipped poezijos-vakaras.txt: modified" in log1
    assert fresh.read_bytes() == kept["poezijos-vakaras.txt"]
    _assert_published_everywhere(project, {Path(n).stem for n in SAMPLES})

    # Run 2 (settle 0): it is picked up; temp files and outside links are still left alone.
    r2, log2 = _run_verbose(project, "--settle", "0", expect=0)
    assert r2["quarantined"] == [] and r2["published"] == 1
    _assert_published_everywhere(project, {Path(n).stem for n in SAMPLES} | {"poezijos-vakaras"})

    for log in (log1, log2):
        for rel in TEMP_FILES:
            assert f"skipped {rel}: " in log, (rel, log)
        assert "skipped nuoroda.txt: symbolic link pointing outside the input folder" in log
        assert "skipped aplankas: symbolic link pointing outside the input folder" in log
    assert not (project / "quarantine").exists() or _files(project / "quarantine") == {}
    assert _files(inp) | {"outside": outside.read_bytes()} == kept
    assert (inp / "nuoroda.txt").is_symlink()
    for lang, name in FEEDS:
        assert not {"nuoroda", "slaptas", "x"} & set(_entries(project, lang, name))


# -- quarantine round trip -------------------------------------------------------------------


def _headline_only(inp: Path) -> str:
    """Write antraste.txt with only a headline; return the fixed (complete) text."""
    good = (ARTICLES / "vasaros-issukis.txt").read_text(encoding="utf-8")
    (inp / "antraste.txt").write_text(good.partition("\n\n")[0] + "\n", encoding="utf-8")
    return good


def _status(project: Path) -> dict:  # type: ignore[type-arg]
    proc = run_cli(project, "status", "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_retry_file_and_retry_all(make_project: Callable[..., Path]) -> None:
    project = make_project()
    inp, quarantine = project / "input", project / "quarantine"
    _headline_only(inp)
    (inp / "data.md").write_text(  # a date that is not a date
        "---\ndate: kitą savaitę\n---\n\n" + _md(ARTICLES / "darbo-laikas.txt"), encoding="utf-8"
    )
    (inp / "sub").mkdir()
    (inp / "sub" / "tuscias.txt").write_bytes(b"")
    bad = {"antraste.txt", "data.md", "sub/tuscias.txt"}
    originals = _files(inp)

    r1 = run_json(project, expect=1)
    assert set(_quarantined(r1)) == bad
    assert not any((inp / rel).exists() for rel in bad)
    assert {q["file"] for q in _status(project)["quarantined"]} == bad

    # `retry FILE` after fixing the file in quarantine/: it goes back and the next run publishes it.
    fixed = (quarantine / "data.md").read_text(encoding="utf-8").replace("kitą savaitę", "2026-11-03")
    (quarantine / "data.md").write_text(fixed, encoding="utf-8")
    proc = run_cli(project, "retry", "data.md")
    assert proc.returncode == 0, proc.stderr
    assert "data.md" in proc.stdout
    assert (inp / "data.md").read_text(encoding="utf-8") == fixed
    assert not (quarantine / "data.md").exists() and not (quarantine / "data.md.error.txt").exists()
    # `retry --all`: every other quarantined file goes back as it is.
    proc = run_cli(project, "retry", "--all")
    assert proc.returncode == 0, proc.stderr
    assert _files(quarantine) == {}
    assert _status(project)["quarantined"] == []
    for rel in ("antraste.txt", "sub/tuscias.txt"):
        assert (inp / rel).read_bytes() == originals[rel], rel

    # The next run processes them: the fixed one is published, the still-bad ones are quarantined again.
    r2 = run_json(project, expect=1)
    assert r2["published"] == 1
    reasons = _quarantined(r2)
    assert set(reasons) == {"antraste.txt", "sub/tuscias.txt"}
    assert "has a headline but no body text" in reasons["antraste.txt"]
    assert "the file is empty" in reasons["sub/tuscias.txt"]
    q = _files(quarantine)
    assert set(q) == {"antraste.txt", "antraste.txt.error.txt", "sub/tuscias.txt", "sub/tuscias.txt.error.txt"}
    assert q["antraste.txt"] == originals["antraste.txt"] and q["sub/tuscias.txt"] == b""
    _assert_published_everywhere(project, {Path(n).stem for n in SAMPLES} | {"data"})


def test_retry_all_after_a_fixed_file_was_dropped_in(make_project: Callable[..., Path]) -> None:
    project = make_project()
    inp = project / "input"
    good = _headline_only(inp)
    (inp / "tuscias.txt").write_bytes(b"")
    run_json(project, expect=1)
    (inp / "antraste.txt").write_text(good, encoding="utf-8")
    run_json(project, expect=0)
    proc = run_cli(project, "retry", "--all")
    assert proc.returncode == 0, proc.stderr
    assert (inp / "antraste.txt").read_text(encoding="utf-8") == good
    assert (inp / "tuscias.txt").exists()
    assert _status(project)["quarantined"] == []


# -- language ----------------------------------------------------------------------------------


def test_language_rules(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False)
    inp = project / "input"
    shutil.copy2(ARTICLES / "latvian.txt", inp / "zinas.txt")
    shutil.copy2(ARTICLES / "polish.txt", inp / "wiadomosci.txt")
    shutil.copy2(FORMATS / "su-lenkiska-pastraipa.txt", inp / "su-lenkiska-pastraipa.txt")
    (inp / "deklaruota.md").write_text(
        "---\ntitle: Keičiasi bibliotekos darbo laikas\nlang: pl\n---\n\n"
        + (ARTICLES / "darbo-laikas.txt").read_text(encoding="utf-8").partition("\n\n")[2],
        encoding="utf-8",
    )
    shutil.copy2(ARTICLES / "senjorai-kompiuteris.txt", inp / "senjorai-kompiuteris.txt")

    report, log = _run_verbose(project, expect=1)
    reasons = _quarantined(report)
    assert set(reasons) == {"zinas.txt", "wiadomosci.txt", "deklaruota.md"}
    for rel, code, name in (("zinas.txt", "lv", "Latvian"), ("wiadomosci.txt", "pl", "Polish")):
        m = re.search(rf"detected '{code}' \(p=(\d\.\d\d)\)", reasons[rel])
        assert m and float(m[1]) >= 0.9, reasons[rel]
        assert reasons[rel].startswith(f"{rel}: ") and name in reasons[rel] and "Lithuanian" in reasons[rel]
    assert "declares language 'pl' (Polish)" in reasons["deklaruota.md"]
    assert "lang: lt" in reasons["deklaruota.md"]

    # One Polish paragraph in a Lithuanian article: published, with a note in the log.
    assert report["published"] == 2
    assert "su-lenkiska-pastraipa.txt: block 2 looks Polish (pl, p=1.00)" in log
    _assert_published_everywhere(project, {"su-lenkiska-pastraipa", "senjorai-kompiuteris"})


def test_a_note_left_without_its_file_is_reused(tmp_path: Path) -> None:
    """A run killed between writing the reason and moving the file leaves a note alone; the
    next quarantine of that file takes its place (no `a.1.txt` beside a note for nothing)."""
    from xlate.quarantine import quarantine_file

    inp, q = tmp_path / "input", tmp_path / "quarantine"
    inp.mkdir()
    q.mkdir()
    (inp / "a.txt").write_text("x", encoding="utf-8")
    (q / "a.txt.error.txt").write_text("a.txt\n\nthe old reason\n", encoding="utf-8")
    assert quarantine_file(inp, q, "a.txt", "the new reason") == "a.txt"
    assert sorted(p.name for p in q.iterdir()) == ["a.txt", "a.txt.error.txt"]
    assert "the new reason" in (q / "a.txt.error.txt").read_text(encoding="utf-8")
    (inp / "a.txt").write_text("y", encoding="utf-8")  # quarantined again: the first one stays
    assert quarantine_file(inp, q, "a.txt", "again") == "a.1.txt"
    assert (q / "a.txt").read_text(encoding="utf-8") == "x"
