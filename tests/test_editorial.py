"""Issue 8: glossary terms through the pivot, do-not-translate spans, MT disclosure, quality holds."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import REPO, run_cli, run_json
from xlate.translate.protect import Glossary, Term, protect

GLOSSARY = Glossary.load(REPO / "glossary.yaml", ("en", "pl", "ru"))


def _entry(project: Path, lang: str, slug: str) -> tuple[str, str]:
    parsed = feedparser.parse((project / "feeds" / lang / "atom.xml").read_bytes())
    [e] = [e for e in parsed.entries if e.link.endswith(f"/{slug}.html")]
    return e.title, re.sub(r"<[^>]+>", " ", e.content[0].value)


def test_protect_matches_inflected_forms_on_word_boundaries() -> None:
    p = protect("Į šventę atvyko skaitytojai iš Marijampolės.", GLOSSARY)
    assert p.text == "Į šventę atvyko skaitytojai iš ⟦0⟧."
    assert p.restore("Readers from ⟦0⟧ came.", "pl") == "Readers from Mariampol came."
    # Not inside a longer word, and the longest term wins.
    assert protect("Marijampolėsiečiai atvyko.", GLOSSARY).slots == ()
    long = protect("Marijampolės Petro Kriaučiūno viešoji biblioteka kviečia.", GLOSSARY)
    assert long.text == "⟦0⟧ kviečia."
    assert "Kriaučiūnas" in long.restore("⟦0⟧ invites.", "en")  # type: ignore[operator]


def test_restore_refuses_lost_duplicated_or_invented_placeholders() -> None:
    p = protect("Renginys vyks Vilkaviškyje ir Marijampolėje.", GLOSSARY)
    assert p.text == "Renginys vyks ⟦0⟧ ir ⟦1⟧."
    assert p.restore("It will be in ⟦1⟧ and ⟦0⟧.", "en") == "It will be in Marijampolė and Vilkaviškis."
    assert p.restore("It will be in ⟦0⟧.", "en") is None
    assert p.restore("It will be in ⟦0⟧, ⟦0⟧ and ⟦1⟧.", "en") is None
    assert p.restore("It will be in ⟦0⟧, ⟦1⟧ and ⟦2⟧.", "en") is None
    assert p.restore("It will be in ⟦ 1 ⟧ and ⟦ 0 ⟧.", "ru") == "It will be in Мариямполе and Вилкавишкис."


def test_urls_emails_and_phones_pass_verbatim() -> None:
    p = protect(
        "Rašykite info_vaikams@biblioteka.lt arba skambinkite +370 612 34567, žr. https://x.lt/a_b.", Glossary()
    )
    assert [s.source for s in p.slots] == ["info_vaikams@biblioteka.lt", "+370 612 34567", "https://x.lt/a_b"]


@given(st.text(alphabet="abcąčė ⟦⟧.,", max_size=40))
def test_protect_restore_round_trip_is_lossless(text: str) -> None:
    g = Glossary((Term(("ąč", "ab"), (("en", "X"),)),))
    p = protect(text, g)
    # The model echoing the protected text back must give the source text for an unknown language.
    assert p.restore(p.text, "xx") == text


ARTICLE = """Vaikų knygų savaitė vyks Marijampolėje ir Vilkaviškyje.

Marijampolė garsėja savo jaukia biblioteka. Į šventę atvyko skaitytojai iš Marijampolės.
Kitą savaitę paroda keliaus į Marijampolę.

Daugiau informacijos rasite https://biblioteka.example.lt/renginiai_2026/vaikams.
"""


def test_glossary_term_in_three_forms_survives_the_pivot(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False)
    (project / "input" / "marijampole.txt").write_text(ARTICLE, encoding="utf-8")
    report = run_json(project)
    assert report["flagged"] == []
    expect = {
        "en": ("Marijampolė", "Vilkaviškis", "is known for its cozy library"),
        "pl": ("Mariampol", "Wyłkowyszki", "słynie z przytulnej biblioteki"),
        "ru": ("Мариямполе", "Вилкавишкис", "славится своей уютной библиотекой"),
    }
    for lang, (town, other, phrase) in expect.items():
        title, body = _entry(project, lang, "marijampole")
        assert town in title and other in title, (lang, title)
        assert body.count(town) >= 3, (lang, body)
        assert phrase in body
        assert "https://biblioteka.example.lt/renginiai_2026/vaikams" in body
        assert "⟦" not in title + body


MARKED_MD = """---
title: Bibliotekos naujienos
no_translate: [Rūta Jankauskienė]
---

Parodą parengė istorikas [Jonas Petraitis]{.notranslate}. Susitikime dalyvaus rašytoja Rūta Jankauskienė.

Knygą vaikams skaitys aktorius Antanas Kavaliauskas.
"""

MARKED_HTML = """<html lang="lt"><head><title>Bibliotekos naujienos</title></head><body>
<h1>Bibliotekos naujienos</h1>
<p>Knygą vaikams skaitys aktorius <span translate="no">Antanas Kavaliauskas</span>.</p>
<p>Parodą parengė istorikas <b class="notranslate">Jonas Petraitis</b>. Už pagalbą dėkojame Vilkaviškio bibliotekai.</p>
</body></html>
"""


def test_marked_spans_pass_verbatim(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False)
    (project / "input" / "pazymeta.md").write_text(MARKED_MD, encoding="utf-8")
    (project / "input" / "pazymeta-html.html").write_text(MARKED_HTML, encoding="utf-8")
    run_json(project)
    for lang in ("en", "pl", "ru"):
        _, body = _entry(project, lang, "pazymeta")
        assert "Jonas Petraitis" in body and "Rūta Jankauskienė" in body, (lang, body)
        _, body = _entry(project, lang, "pazymeta-html")
        assert "Antanas Kavaliauskas" in body and "Jonas Petraitis" in body, (lang, body)


def test_changing_the_glossary_retranslates_only_affected_sentences(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    glossary = tmp_path / "g.yaml"
    glossary.write_text((REPO / "glossary.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    project = make_project(sample=True, paths__glossary=str(glossary))
    (project / "input" / "marijampole.txt").write_text(ARTICLE, encoding="utf-8")
    run_json(project)
    # A new rendering changes the output without decoding anything (placeholders are the same).
    glossary.write_text(
        glossary.read_text(encoding="utf-8").replace("pl: Mariampol", "pl: Mariampolu"), encoding="utf-8"
    )
    report = run_json(project)
    assert sum(report["decoded_sentences"].values()) == 0
    assert report["updated"] == 1  # only the article that names the town
    assert "Mariampolu" in _entry(project, "pl", "marijampole")[1]
    # A new form changes which span is protected: exactly that sentence is decoded again.
    text = (project / "input" / "skaitymo-klubas.txt").read_text(encoding="utf-8")
    assert "Diskusija truko beveik dvi valandas." in text
    glossary.write_text(
        glossary.read_text(encoding="utf-8")
        + "  - forms: [Diskusija]\n    en: Debate\n    pl: Debata\n    ru: Дебаты\n",
        encoding="utf-8",
    )
    report = run_json(project)
    assert report["decoded_sentences"]["lt->en"] == 1


def test_machine_translated_entries_are_disclosed(make_project: Callable[..., Path]) -> None:
    project = make_project()
    run_json(project)
    notices = {
        "en": "Machine-translated from Lithuanian",
        "pl": "Przetłumaczono maszynowo z języka litewskiego",
        "ru": "Машинный перевод с литовского",
    }
    for lang, notice in notices.items():
        for kind in ("atom.xml", "rss.xml"):
            parsed = feedparser.parse((project / "feeds" / lang / kind).read_bytes())
            assert parsed.entries
            for e in parsed.entries:
                html = e.content[0].value if "content" in e else e.summary
                assert notice in html, (lang, kind)
                assert "machine-translation" in [t.term for t in e.get("tags", [])]
                assert "/lt/" in html  # a link to the original
            assert any(
                w in (parsed.feed.title + parsed.feed.subtitle).lower() for w in ("machine", "maszynow", "машин")
            )
    lt = feedparser.parse((project / "feeds/lt/atom.xml").read_bytes())
    assert all("machine-translation" not in [t.term for t in e.get("tags", [])] for e in lt.entries)


@pytest.mark.parametrize("mode", ["publish", "hold"])
def test_forced_degenerate_output_is_flagged_and_held_when_config_says_hold(
    make_project: Callable[..., Path], mode: str
) -> None:
    project = make_project(translate__length_ratio=0.05, editorial__on_flag=mode)
    report = run_json(project)
    assert report["flagged"]
    status = json.loads(run_cli(project, "status", "--json").stdout)
    assert status["flagged"]
    en = feedparser.parse((project / "feeds/en/atom.xml").read_bytes())
    lt = feedparser.parse((project / "feeds/lt/atom.xml").read_bytes())
    assert len(lt.entries) == 3
    if mode == "publish":
        assert len(en.entries) == 3
    else:
        assert len(en.entries) < 3
        flagged_slugs = {f["slug"] for f in status["flagged"] if f["lang"] == "en"}
        held = {e.link.rsplit("/", 1)[1].removesuffix(".html") for e in en.entries}
        assert not flagged_slugs & held


REVIEW_PL = """---
title: Nowy klub czytelniczy dla dorosłych w naszej bibliotece
lang: pl
---

Jesienią w bibliotece publicznej w Pavyzdys zaczął działać klub czytelniczy dla dorosłych.
Członkowie klubu spotykają się w każdy drugi czwartek miesiąca wieczorem.

Klub czeka na nowych członków. Nie jest potrzebna wcześniejsza rejestracja.
"""


def _pl_entry(project: Path, slug: str) -> tuple[str, str, list[str]]:
    parsed = feedparser.parse((project / "feeds/pl/atom.xml").read_bytes())
    [e] = [e for e in parsed.entries if e.link.endswith(f"/{slug}.html")]
    return e.title, e.content[0].value, [t.term for t in e.get("tags", [])]


@pytest.mark.parametrize("stale_policy", ["publish", "machine"])
def test_reviewed_translation_wins_survives_and_goes_stale(
    make_project: Callable[..., Path], stale_policy: str
) -> None:
    project = make_project(editorial__stale_review=stale_policy)
    run_json(project)
    mt_title, _, _ = _pl_entry(project, "skaitymo-klubas")
    (project / "input" / "skaitymo-klubas.pl.md").write_text(REVIEW_PL, encoding="utf-8")
    report = run_json(project)
    assert report["updated"] == 1
    title, html, tags = _pl_entry(project, "skaitymo-klubas")
    assert title == "Nowy klub czytelniczy dla dorosłych w naszej bibliotece" != mt_title
    assert "Przetłumaczono maszynowo" not in html and "machine-translation" not in tags
    # The other languages and the other articles stay machine-translated and say so.
    _, other_html, _ = _pl_entry(project, "vaiku-knygu-savaite")
    assert "Przetłumaczono maszynowo" in other_html
    page = (project / "feeds/pl/skaitymo-klubas.html").read_text(encoding="utf-8")
    assert "Przetłumaczono maszynowo" not in page and "klub czytelniczy" in page
    # Two further runs: nothing changes.
    for _ in range(2):
        again = run_json(project)
        assert again["updated"] == 0 and sum(again["decoded_sentences"].values()) == 0
        assert _pl_entry(project, "skaitymo-klubas")[0] == title
    status = json.loads(run_cli(project, "status", "--json").stdout)
    assert status["reviews"] == [
        {"file": "skaitymo-klubas.pl.md", "slug": "skaitymo-klubas", "lang": "pl", "stale": False}
    ]
    # The original is edited after the review: the review is stale.
    src = project / "input" / "skaitymo-klubas.txt"
    src.write_text(
        src.read_text(encoding="utf-8").replace("Diskusija truko beveik dvi valandas.", "Paroda veiks visą mėnesį."),
        encoding="utf-8",
    )
    run_json(project)
    status = json.loads(run_cli(project, "status", "--json").stdout)
    assert status["reviews"][0]["stale"] is True
    title_after, html_after, _ = _pl_entry(project, "skaitymo-klubas")
    if stale_policy == "publish":
        assert title_after == title and "Przetłumaczono maszynowo" not in html_after
    else:
        assert title_after == mt_title and "Przetłumaczono maszynowo" in html_after
    # Deleting the review hands the language back to machine translation.
    (project / "input" / "skaitymo-klubas.pl.md").unlink()
    run_json(project)
    assert _pl_entry(project, "skaitymo-klubas")[0] == mt_title


def test_review_in_a_language_that_is_not_a_target_is_quarantined(make_project: Callable[..., Path]) -> None:
    project = make_project()
    (project / "input" / "vertimas.md").write_text(
        REVIEW_PL.replace("lang: pl", "lang: de\ntranslation_of: skaitymo-klubas"), encoding="utf-8"
    )
    (project / "input" / "kita.md").write_text(REVIEW_PL.replace("lang: pl", "translation_of: x"), encoding="utf-8")
    report = run_json(project, expect=1)
    reasons = {q["file"]: q["reason"] for q in report["quarantined"]}
    assert set(reasons) == {"kita.md", "vertimas.md"}
    assert "needs its language" in reasons["kita.md"]
    assert "the targets are en, pl, ru" in reasons["vertimas.md"]


def test_publish_force_releases_a_held_translation(make_project: Callable[..., Path]) -> None:
    project = make_project(translate__length_ratio=0.05, editorial__on_flag="hold")
    run_json(project)
    status = json.loads(run_cli(project, "status", "--json").stdout)
    held = sorted({f["slug"] for f in status["flagged"] if f["lang"] == "en"})
    assert held

    def en() -> set[str]:
        parsed = feedparser.parse((project / "feeds/en/atom.xml").read_bytes())
        return {e.link.rsplit("/", 1)[1].removesuffix(".html") for e in parsed.entries}

    assert held[0] not in en()
    proc = run_cli(project, "publish", "--force", held[0])
    assert proc.returncode == 0, proc.stderr
    assert held[0] in en()
    assert (project / "feeds/en" / f"{held[0]}.html").is_file()
    bad = run_cli(project, "publish", "--force", "no-such-article")
    assert bad.returncode == 2 and "not a published article" in bad.stderr
