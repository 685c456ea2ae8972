"""Issue 16, points 1-2 (pipeline side): an article's own date is its entries' `published` and
orders every feed; a future date holds the article until a run at or after it (time injected
through XLATE_NOW, never slept); dates far off are warnings; the no-op stamp never hides a due
article."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import feedparser
import pytest
from babel.dates import format_date
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import count_runs, run_cli, run_json
from xlate import noop
from xlate.languages import LANGUAGES
from xlate.publish.pages import _locale, date_text

TOWNS = ["Marijampolėje", "Kaune", "Vilniuje", "Alytuje", "Šiauliuose", "Panevėžyje", "Utenoje", "Telšiuose"]


def _article(project: Path, slug: str, date: str, n: int) -> None:
    """A Markdown article with its own words (so no two are duplicates) and front-matter date."""
    town = TOWNS[n % len(TOWNS)]
    text = (
        f"---\ntitle: Bibliotekos naujiena {town} numeris {n}\ndate: {date}\n---\n\n"
        f"Bibliotekoje {town} vyks susitikimas su rašytoja. Skaitytojai aptars naujas knygas ir "
        f"dalinsis įspūdžiais. Renginys nemokamas, registruotis nereikia, laukiami visi {n + 2} klubo nariai.\n"
    )
    (project / "input" / f"{slug}.md").write_text(text, encoding="utf-8")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _entries(project: Path, lang: str) -> Iterator[tuple[str, list[tuple[str, datetime, datetime | None]]]]:
    """Each feed of a language as (file, [(slug, published, updated or None)] in feed order)."""
    folder = project / "feeds" / lang
    for name in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse((folder / name).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        rows = []
        for e in parsed.entries:
            slug = e.link.rsplit("/", 1)[-1].removesuffix(".html")
            updated = _at(e.updated) if name == "atom.xml" else None
            rows.append((slug, datetime(*e.published_parsed[:6]).replace(tzinfo=UTC), updated))
        yield f"{lang}/{name}", rows
    items = json.loads((folder / "feed.json").read_bytes())["items"]
    rows = [
        (i["url"].rsplit("/", 1)[-1].removesuffix(".html"), _at(i["date_published"]), _at(i["date_modified"]))
        for i in items
    ]
    yield f"{lang}/feed.json", rows


LANGS = ("lt", "en", "pl", "ru")
VALIDATOR = Path(__file__).resolve().parents[2] / "shared" / "tools" / "validate-feed"


def _w3c_valid(project: Path) -> None:
    """The W3C Feed Validation Service's own code: 0 errors and 0 warnings over every feed."""
    if not VALIDATOR.is_file():
        pytest.skip(f"{VALIDATOR} is absent (a user's clone): the W3C feed validator cannot run")
    feeds = [str(project / "feeds" / lang / name) for lang in LANGS for name in ("rss.xml", "atom.xml")]
    proc = subprocess.run([str(VALIDATOR), *feeds], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_backfill_of_old_articles_never_appears_above_newer_ones(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False, feeds__max_items=5)
    recent = {f"naujiena-{i}": f"2026-11-{20 + i}T10:00:00+02:00" for i in range(3)}
    for n, (slug, when) in enumerate(recent.items()):
        _article(project, slug, when, n)
    assert run_json(project)["published"] == 3
    # Five years of archive arrive after them, several on the same day and time.
    old = {f"archyvas-{i}": f"20{20 + i // 2}-03-01" for i in range(5)}
    for n, (slug, when) in enumerate(old.items(), start=3):
        _article(project, slug, when, n)
    assert run_json(project)["published"] == 5
    dates = {s: _at(d) for s, d in recent.items()}
    for lang in LANGS:
        for feed, rows in _entries(project, lang):
            slugs = [s for s, _, _ in rows]
            assert len(slugs) == 5, feed  # feeds.max_items: the oldest archive entries are not in the feed
            assert slugs[:3] == sorted(recent, reverse=True), f"{feed}: an archive entry above a newer article"
            assert {s for s in slugs[3:]} <= set(old)
            published = [p for _, p, _ in rows]
            assert published == sorted(published, reverse=True), feed
            for slug, p, u in rows:
                if slug in dates:
                    assert p == dates[slug], f"{feed}: {slug} is not published at its own date"
                assert u is None or u >= p, f"{feed}: {slug} updated before it was published"
            updated = [u for _, _, u in rows if u is not None]
            assert len(set(updated)) == len(updated), f"{feed}: two entries share `updated`"
    # The newest archive entries are the ones in the feed: 2022, then the later of 2021's twins.
    _, rows = next(_entries(project, "en"))
    assert [p.year for _, p, _ in rows[3:]] == [2022, 2021]
    _w3c_valid(project)  # many entries on the same day: still 0 errors, 0 warnings


def _atom_ids(project: Path, lang: str) -> dict[str, str]:
    """slug -> Atom entry id."""
    parsed = feedparser.parse((project / "feeds" / lang / "atom.xml").read_bytes())
    return {e.link.rsplit("/", 1)[-1].removesuffix(".html"): e.id for e in parsed.entries}


def test_correcting_an_articles_date_keeps_its_entry_ids(make_project: Callable[..., Path]) -> None:
    """Entry ids come from when xlate first published the article, not from its own date: an
    editor who fixes a wrong date must not make subscribers see a second, "new" item."""
    project = make_project(sample=False)
    _article(project, "pataisyta-data", "2025-06-01T10:00:00+03:00", 0)
    run_json(project)
    before = {lang: _atom_ids(project, lang) for lang in LANGS}
    _article(project, "pataisyta-data", "2026-06-01T10:00:00+03:00", 0)  # the year was wrong
    run_json(project)
    for lang in LANGS:
        assert _atom_ids(project, lang) == before[lang], lang
        json_ids = {i["id"] for i in json.loads((project / "feeds" / lang / "feed.json").read_bytes())["items"]}
        assert json_ids == set(before[lang].values()), lang
        [(_, rows)] = [(f, r) for f, r in _entries(project, lang) if f.endswith("atom.xml")]
        assert rows[0][1] == _at("2026-06-01T10:00:00+03:00"), f"{lang}: the corrected date is not published"


def _published_files(project: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(project / "feeds")): p.read_bytes()
        for p in sorted((project / "feeds").rglob("*"))
        if p.is_file()
    }


def test_a_future_dated_article_is_held_then_published_by_the_run_after_its_time(
    make_project: Callable[..., Path],
) -> None:
    project = make_project(sample=False)
    _article(project, "rudens-skaitymai", "2026-11-02T12:00:00+02:00", 0)
    _article(project, "kaledu-renginys", "2026-12-10T09:00:00+02:00", 1)
    before = {"XLATE_NOW": "2026-12-05T00:00:00Z"}
    first = run_json_env(project, before)
    assert first["published"] == 1
    assert first["scheduled"] == [{"slug": "kaledu-renginys", "at": "2026-12-10T07:00:00Z"}]
    for rel, data in _published_files(project).items():
        assert b"kaledu-renginys" not in data and "kaledu" not in rel, f"{rel} shows a scheduled article"
    status = json.loads(run_cli(project, "status", "--json", env=before).stdout)
    assert status["scheduled"] == [{"slug": "kaledu-renginys", "at": "2026-12-10T07:00:00Z"}]
    assert "kaledu-renginys: 2026-12-10T07:00:00Z" in run_cli(project, "status", env=before).stdout

    # Still early: nothing changes, and the feeds keep their bytes.
    feeds = _published_files(project)
    early = run_json_env(project, {"XLATE_NOW": "2026-12-10T06:59:59Z"})
    assert (early["published"], early["updated"]) == (0, 0)
    assert _published_files(project) == feeds

    # The first run after its time publishes it, in every language, at its own date.
    due = {"XLATE_NOW": "2026-12-10T07:00:30Z"}
    later = run_json_env(project, due)
    assert later["published"] == 1 and later["scheduled"] == []
    for lang in LANGS:
        assert (project / "feeds" / lang / "kaledu-renginys.html").is_file()
        for feed, rows in _entries(project, lang):
            assert [s for s, _, _ in rows] == ["kaledu-renginys", "rudens-skaitymai"], feed
            _, p, u = rows[0]
            assert p == _at("2026-12-10T07:00:00Z"), feed
            assert u is None or u >= p, feed
    assert json.loads(run_cli(project, "status", "--json", env=due).stdout)["scheduled"] == []
    assert run_json_env(project, due)["published"] == 0  # published once


def run_json_env(project: Path, env: dict[str, str]) -> dict:  # type: ignore[type-arg]
    proc = run_cli(project, "run", "--json", env=env)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_the_no_op_stamp_stops_holding_when_a_scheduled_article_is_due(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False)
    _article(project, "ateities-renginys", "2030-01-01T10:00:00+02:00", 2)
    report = run_json(project)
    assert report["published"] == 0 and [s["slug"] for s in report["scheduled"]] == ["ateities-renginys"]
    stamp = Path(noop.stamp_path(project / "config.yaml", str(project / "state" / "xlate.sqlite3")))
    fields = stamp.read_text(encoding="utf-8").split("\0")
    assert float(fields[2]) == _at("2030-01-01T08:00:00Z").timestamp()  # the due time it holds until
    runs = count_runs(project)
    run_json(project)
    assert count_runs(project) == runs  # answered from the stamp: nothing is due yet
    # The same stamp once its time has passed (the clock cannot be moved for the fast path: the
    # stamp's due time is moved instead): the run takes the normal path.
    fields[2] = repr(datetime(2020, 1, 1, tzinfo=UTC).timestamp())
    stamp.write_text("\0".join(fields), encoding="utf-8")
    run_json(project)
    assert count_runs(project) == runs + 1
    # An injected clock never gets an answer from the stamp.
    run_json(project)
    assert count_runs(project) == runs + 1
    run_json_env(project, {"XLATE_NOW": "2026-12-05T00:00:00Z"})
    assert count_runs(project) == runs + 2


def test_a_date_far_off_is_a_warning_in_the_run_and_in_status(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False)
    _article(project, "rasybos-klaida", "2062-10-12", 3)  # a typo for 2026
    _article(project, "senas-irasas", "1999-10-12", 4)
    now = {"XLATE_NOW": "2026-12-05T00:00:00Z"}
    proc = run_cli(project, "run", "--json", env=now)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    warned = {w["file"]: w["warning"] for w in report["warnings"]}
    assert set(warned) == {"rasybos-klaida.md", "senas-irasas.md"}
    assert "2062-10-12" in warned["rasybos-klaida.md"] and "future" in warned["rasybos-klaida.md"]
    assert "1999-10-12" in warned["senas-irasas.md"] and "past" in warned["senas-irasas.md"]
    assert [s["slug"] for s in report["scheduled"]] == ["rasybos-klaida"]
    text = run_cli(project, "run", env=now).stdout
    assert text.startswith("0 published")
    status = json.loads(run_cli(project, "status", "--json", env=now).stdout)
    assert {w["file"] for w in status["warnings"]} == {"rasybos-klaida.md", "senas-irasas.md"}
    assert "senas-irasas.md: its date 1999-10-12" in run_cli(project, "status", env=now).stdout
    # Fixed: the warning goes with the file's next reading.
    _article(project, "rasybos-klaida", "2026-10-12", 3)
    fixed = run_json_env(project, now)
    assert fixed["warnings"] == [] and fixed["published"] == 1
    status = json.loads(run_cli(project, "status", "--json", env=now).stdout)
    assert [w["file"] for w in status["warnings"]] == ["senas-irasas.md"]


@pytest.mark.parametrize("value", ["tomorrow", "2026-13-01"])
def test_a_bad_injected_time_is_a_usage_error(make_project: Callable[..., Path], value: str) -> None:
    project = make_project(sample=False)
    proc = run_cli(project, "run", env={"XLATE_NOW": value})
    assert proc.returncode == 2 and "XLATE_NOW" in proc.stderr


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)), st.sampled_from(sorted(LANGUAGES)))
def test_page_dates_are_babels_long_format(day: date, lang: str) -> None:
    """Pages show babel's long date format in each language (the pattern looked up once)."""
    assert date_text(day, lang) == format_date(day, "long", locale=_locale(lang))
