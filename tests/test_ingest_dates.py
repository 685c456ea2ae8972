"""An article's own date, from real files in every input format (issue 16.1, ingest side).

Front matter `date`, else the HTML page's own metadata, else the Word document's core
properties, else none (the pipeline then uses when it first saw the article).
Naive values are in the site's time zone.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest

from xlate.ingest import ReadContext, parse_article
from xlate.model import Article

VILNIUS = ReadContext()
NEW_YORK = ReadContext(timezone=ZoneInfo("America/New_York"))
BODY = "Bibliotekoje vyko renginys. Dalyvavo daug skaitytojų."


def read(tmp_path: Path, name: str, data: str | bytes, ctx: ReadContext = VILNIUS) -> Article:
    f = tmp_path / name
    f.write_bytes(data.encode() if isinstance(data, str) else data)
    return parse_article(name, f.read_bytes(), ctx)


def html(head: str = "", body: str = "") -> str:
    return (
        f'<!doctype html><html lang="lt"><head><meta charset="utf-8"><title>T</title>{head}</head>'
        f"<body><article>{body}<h1>Renginys bibliotekoje</h1><p>{BODY}</p></article></body></html>"
    )


def word(created: datetime | None) -> bytes:
    d = docx.Document()
    d.add_paragraph("Renginys bibliotekoje", style="Title")
    d.add_paragraph(BODY)
    if created is not None:
        d.core_properties.created = created
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_plain_text_has_no_date_of_its_own(tmp_path: Path) -> None:
    assert read(tmp_path, "a.txt", f"Renginys bibliotekoje\n\n{BODY}\n").date is None


@pytest.mark.parametrize(
    ("value", "ctx", "want"),
    [
        # A bare date is noon in the site's zone, so the day is the same for every reader.
        ("2026-12-04", VILNIUS, datetime(2026, 12, 4, 10, 0, tzinfo=UTC)),
        ("2026-12-04", NEW_YORK, datetime(2026, 12, 4, 17, 0, tzinfo=UTC)),
        ("2026-07-01 09:30", VILNIUS, datetime(2026, 7, 1, 6, 30, tzinfo=UTC)),  # summer time, UTC+3
        ("2026-07-01 09:30", NEW_YORK, datetime(2026, 7, 1, 13, 30, tzinfo=UTC)),
        ("2026-07-01T09:30:00+01:00", NEW_YORK, datetime(2026, 7, 1, 8, 30, tzinfo=UTC)),  # its own zone wins
    ],
)
def test_markdown_front_matter_date_in_the_sites_time_zone(
    tmp_path: Path, value: str, ctx: ReadContext, want: datetime
) -> None:
    a = read(tmp_path, "a.md", f"---\ntitle: Renginys\ndate: {value}\n---\n{BODY}\n", ctx)
    assert a.date == want


def test_markdown_without_date(tmp_path: Path) -> None:
    assert read(tmp_path, "a.md", f"---\ntitle: Renginys\n---\n{BODY}\n").date is None


def test_html_published_time_metadata(tmp_path: Path) -> None:
    meta = '<meta property="article:published_time" content="2026-11-30T08:00:00+02:00">'
    a = read(tmp_path, "a.html", html(head=meta))
    assert a.date == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    # The metadata wins over a <time> in the page's header.
    b = read(tmp_path, "b.html", html(head=meta, body='<header><time datetime="2026-01-01">1 d.</time></header>'))
    assert b.date == a.date


def test_html_time_element_outside_the_running_text(tmp_path: Path) -> None:
    a = read(tmp_path, "a.html", html(body='<header><time datetime="2026-11-29 18:00">vakar</time></header>'))
    assert a.date == datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # naive: Vilnius, UTC+2 in winter
    b = read(tmp_path, "b.html", html(body='<div class="meta"><time datetime="2026-11-28">lapkričio 28</time></div>'))
    assert b.date == datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    # A <time> marked as the publication date wins over any other.
    c = read(
        tmp_path,
        "c.html",
        html(body='<div><time datetime="2026-01-02">x</time><time pubdate datetime="2026-02-03">y</time></div>'),
    )
    assert c.date == datetime(2026, 2, 3, 10, 0, tzinfo=UTC)


def test_html_dates_the_article_talks_about_are_not_its_date(tmp_path: Path) -> None:
    # "The fair takes place on <time>…</time>": an event date inside the text, not publication.
    page = html().replace(BODY, f'{BODY} Mugė vyks <time datetime="2027-05-01">gegužės 1 d.</time>')
    a = read(tmp_path, "a.html", page)
    assert a.date is None


def test_html_odd_metadata_is_skipped_with_a_note_never_refused(tmp_path: Path) -> None:
    head = '<meta property="article:published_time" content="vakar">'
    a = read(tmp_path, "a.html", html(head=head, body='<header><time datetime="14:30">14.30</time></header>'))
    assert a.date is None
    assert any("article:published_time" in n and "'vakar'" in n for n in a.notes)
    assert any("<time datetime>" in n and "'14:30'" in n for n in a.notes)
    # A good value further down still counts.
    b = read(tmp_path, "b.html", html(head=head, body='<header><time datetime="2026-11-27">x</time></header>'))
    assert b.date == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def test_html_without_date(tmp_path: Path) -> None:
    assert read(tmp_path, "a.html", html()).date is None


def test_word_core_properties_date(tmp_path: Path) -> None:
    a = read(tmp_path, "a.docx", word(datetime(2026, 11, 26, 7, 45, tzinfo=UTC)))
    assert a.date == datetime(2026, 11, 26, 7, 45, tzinfo=UTC)


def test_word_without_a_date_of_its_own(tmp_path: Path) -> None:
    # python-docx's template stamp (2013-12-23) says nothing about this article.
    assert read(tmp_path, "a.docx", word(None)).date is None
