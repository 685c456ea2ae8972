"""Incremental publishing: a run renders the feeds, the index and the OPML, but article
pages only for slugs whose versions changed; the result is byte-identical to a full render."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import yaml

from tests.helpers import run_cli, run_json


def _articles(paths: set[str]) -> set[str]:
    """Article pages: <lang>/<slug>.html, not a language home or an archive page."""
    return {p for p in paths if p.count("/") == 1 and p.endswith(".html") and not p.endswith("/index.html")}


def _pages(project: Path) -> dict[str, int]:
    feeds = project / "feeds"
    pages = _articles({p.relative_to(feeds).as_posix() for p in feeds.glob("*/*.html")})
    return {p: (feeds / p).stat().st_mtime_ns for p in sorted(pages)}


def _written(project: Path, report: dict) -> set[str]:  # type: ignore[type-arg]
    return {Path(p).relative_to(project / "feeds").as_posix() for p in report["feeds"]}


def _add(project: Path, name: str, title: str) -> None:
    body = "Biblioteka kviečia skaitytojus į susitikimą su rašytoja. Renginys vyks ketvirtadienį."
    (project / "input" / name).write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def _assert_full_render_changes_nothing(project: Path) -> None:
    """`xlate publish` renders every output from the state: if the incremental runs left
    anything behind or wrong, it writes it now."""
    proc = run_cli(project, "publish", "--json")
    assert proc.returncode == 0, proc.stderr
    assert '"feeds": []' in proc.stdout, proc.stdout


def test_adding_an_article_renders_only_its_pages(make_project: Callable[..., Path]) -> None:
    project = make_project()
    run_json(project)
    before = _pages(project)
    _add(project, "naujas.txt", "Naujas renginys bibliotekoje")
    report = run_json(project)
    assert report["published"] == 1
    written = _articles(_written(project, report))
    assert written == {f"{lang}/naujas.html" for lang in ("lt", "en", "pl", "ru")}
    after = _pages(project)
    assert {k: v for k, v in after.items() if k in before} == before  # other pages untouched
    _assert_full_render_changes_nothing(project)


def test_incremental_runs_equal_a_full_render(make_project: Callable[..., Path]) -> None:
    project = make_project()
    run_json(project)
    _add(project, "pirmas.txt", "Pirmas renginys bibliotekoje")
    run_json(project)
    _assert_full_render_changes_nothing(project)
    # An edit changes one article's pages in every language.
    first = sorted((project / "input").glob("*.md")) or sorted((project / "input").glob("*.txt"))
    p = first[0]
    p.write_text(p.read_text(encoding="utf-8") + "\nBiblioteka dirbs ir šeštadienį.\n", encoding="utf-8")
    run_json(project)
    _assert_full_render_changes_nothing(project)
    # A reviewed translation changes one language's page and the alternates of the others.
    slug = "pirmas"
    (project / "input" / f"{slug}.en.md").write_text(
        "---\ntitle: First event at the library\nlang: en\n---\n\nThe library invites readers to meet a writer.\n",
        encoding="utf-8",
    )
    run_json(project)
    _assert_full_render_changes_nothing(project)
    # A deletion retracts the pages.
    (project / "input" / "pirmas.txt").unlink()
    report = run_json(project)
    assert report["retracted"] == 1
    assert not (project / "feeds" / "pl" / "pirmas.html").exists()
    _assert_full_render_changes_nothing(project)


def test_a_deleted_page_comes_back_with_the_next_publishing_run(make_project: Callable[..., Path]) -> None:
    project = make_project()
    run_json(project)
    victim = sorted((project / "feeds" / "ru").glob("*.html"))[0]
    victim.unlink()
    _add(project, "kitas.txt", "Kitas renginys bibliotekoje")
    run_json(project)
    assert victim.is_file()


def test_a_config_change_renders_every_page(make_project: Callable[..., Path]) -> None:
    project = make_project()
    run_json(project)
    before = _pages(project)
    cfg = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    cfg["languages"]["pl"]["title"] = "Nowy tytuł (tłumaczenie maszynowe)"
    (project / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    _add(project, "dar.txt", "Dar vienas renginys bibliotekoje")  # a publishing run
    run_json(project)
    after = _pages(project)
    pl = [k for k in before if k.startswith("pl/")]
    assert pl and all(after[k] != before[k] for k in pl)
    assert "Nowy tytuł" in (project / "feeds" / pl[0]).read_text(encoding="utf-8")
    _assert_full_render_changes_nothing(project)


def test_state_from_before_page_keys_renders_everything_once(make_project: Callable[..., Path], tmp_path: Path) -> None:
    """A state migrated from v3 has no page keys: the first publishing run renders all pages."""
    import sqlite3

    project = make_project()
    run_json(project)
    db = sqlite3.connect(project / "state" / "xlate.sqlite3")
    with db:
        db.execute("DELETE FROM pages")
    db.close()
    shutil.rmtree(project / "feeds" / "en")  # and a folder someone removed
    _add(project, "vel.txt", "Vėl renginys bibliotekoje")
    run_json(project)
    assert len(_articles({f"en/{p.name}" for p in (project / "feeds" / "en").glob("*.html")})) == 4
    _assert_full_render_changes_nothing(project)


def test_a_changed_site_setting_alone_republishes(make_project: Callable[..., Path]) -> None:
    """No article changed, only how the site looks (a feed title): the next run publishes it."""
    project = make_project()
    run_json(project)
    title = "Library news, now from Vilnius (machine-translated)"
    make_project(sample=False, languages__en__title=title)
    report = run_json(project)
    assert report["published"] == 0
    assert title in (project / "feeds" / "en" / "rss.xml").read_text(encoding="utf-8")
    assert title in (project / "feeds" / "en" / "index.html").read_text(encoding="utf-8")
