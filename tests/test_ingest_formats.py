"""One reader per format: what becomes the title, which block kinds come out."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
import yaml

from xlate import config
from xlate.config import Ingest
from xlate.errors import InputError
from xlate.ingest import SUPPORTED, parse_article
from xlate.ingest.formats import FORMATS as READ_FORMATS
from xlate.ingest.formats import ReadContext, format_of
from xlate.ingest.slug import file_stem, slugify
from xlate.model import Article, BlockKind

FORMATS = Path(__file__).parent / "fixtures" / "formats"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed"
CFG = Ingest()
P, L, H, Q, B = (
    BlockKind.PARAGRAPH,
    BlockKind.LIST_ITEM,
    BlockKind.HEADING,
    BlockKind.QUOTE,
    BlockKind.BYLINE,
)


def load(tmp_path: Path, name: str, data: bytes | str | None = None) -> Article:
    """Write a real file into an input folder and parse what is read back."""
    f = tmp_path / name
    f.parent.mkdir(parents=True, exist_ok=True)
    if data is None:
        shutil.copy(FORMATS / name, f)
    else:
        f.write_bytes(data.encode() if isinstance(data, str) else data)
    return parse_article(name, f.read_bytes(), CFG)


def kinds(a: Article) -> list[BlockKind]:
    return [b.kind for b in a.blocks]


# --- .txt ------------------------------------------------------------------------------------


def test_txt_headline_paragraphs_list_byline(tmp_path: Path) -> None:
    a = load(tmp_path, "vasaros-skaitymai.txt")
    assert a.title == "Rajono bibliotekoje prasidėjo vasaros skaitymų iššūkis"
    assert a.slug == "vasaros-skaitymai" and a.source == "vasaros-skaitymai.txt"
    assert kinds(a) == [P, P, P, L, L, L, P, B, B, B]
    assert a.blocks[2].text == "Iššūkio dalyviai gali:"
    assert a.blocks[3].text == "Pasiimti skaitytojo pasą bet kuriame bibliotekos filiale."  # marker stripped
    assert [b.text for b in a.blocks[-3:]] == [
        "Rūta Žemaitienė",
        "Savivaldybės viešoji biblioteka",
        "Vaikų literatūros skyriaus vyresnioji bibliotekininkė",
    ]
    assert a.notes == ()


def test_txt_scraping_artefact_is_removed(tmp_path: Path) -> None:
    clean = load(tmp_path, "vasaros-skaitymai.txt")
    scraped = load(tmp_path, "nuskaityta-su-kartojimais.txt")
    assert scraped.blocks == clean.blocks  # the byline is recognised once the repeats are gone
    assert scraped.notes == (
        "dropped 1 repeated paragraph (copy or scraping artefact)",
        "dropped a cut-off fragment at the end that repeats the start of an earlier paragraph",
    )


@pytest.mark.skipif(not SEED.is_dir(), reason="shared/seed is not beside the repository")
def test_txt_real_seed_article() -> None:
    for f in sorted(SEED.glob("*.txt")):
        a = parse_article(f.name, f.read_bytes(), CFG)
        assert L in kinds(a) and kinds(a)[-1] is B
        assert any("repeated" in n for n in a.notes)
        texts = [b.text for b in a.blocks]
        assert len(texts) == len(set(texts))


def test_txt_hard_wrapped_lines_are_folded(tmp_path: Path) -> None:
    a = load(
        tmp_path,
        "wrap.txt",
        "Antraštė\n\nBiblioteka kviečia visus\nį renginį, kuris vyks\nšeštadienį.\n"
        "Kita pastraipa prasideda čia.\n"
        "• Sąrašo punktas, kuris\n  tęsiasi kitoje eilutėje.\n- Antras punktas.\n",
    )
    assert [(b.kind, b.text) for b in a.blocks] == [
        (P, "Biblioteka kviečia visus į renginį, kuris vyks šeštadienį."),
        (P, "Kita pastraipa prasideda čia."),
        (L, "Sąrašo punktas, kuris tęsiasi kitoje eilutėje."),
        (L, "Antras punktas."),
    ]


def test_txt_every_list_marker_and_ordinary_dashes(tmp_path: Path) -> None:
    body = "• vienas\n- du\n* trys\n– keturi\n-5 laipsniai šalčio.\n*svarbu* nepamiršti.\n"
    a = load(tmp_path, "list.txt", "Antraštė\n\n" + body)
    assert [(b.kind, b.text) for b in a.blocks] == [
        (L, "vienas"),
        (L, "du"),
        (L, "trys"),
        (L, "keturi"),
        (P, "-5 laipsniai šalčio."),
        (P, "*svarbu* nepamiršti."),
    ]


def test_txt_byline_rules(tmp_path: Path) -> None:
    head = "Antraštė\n\nPastraipa apie renginį bibliotekoje.\n\n"
    # A final short block of up to 4 lines without a full stop: a signature, one block per line.
    a = load(tmp_path, "a.txt", head + "Vardenis Pavardenis\nbibliotekos\nvedėjas\n")
    assert kinds(a) == [P, B, B, B]
    # Five lines, a line over 80 characters, a full stop, or no blank line before: paragraphs.
    for tail in ("A\nB\nC\nD\nE\n", "Vardenis\n" + "x" * 81 + "\n", "Ačiū visiems.\n"):
        assert B not in kinds(load(tmp_path, "b.txt", head + tail))
    assert B not in kinds(load(tmp_path, "c.txt", "Antraštė\n\nPastraipa.\nVardenis Pavardenis\n"))
    # A short last block is body text when it is the only body.
    assert kinds(load(tmp_path, "d.txt", "Antraštė\n\nVardenis Pavardenis\n")) == [P]


def test_txt_crlf_and_blank_lines(tmp_path: Path) -> None:
    a = load(tmp_path, "crlf.txt", "\r\n\r\n  Antraštė  \r\n\r\n\r\nPirma.\r\nAntra.\r\n")
    assert a.title == "Antraštė" and [b.text for b in a.blocks] == ["Pirma.", "Antra."]


# --- .md -------------------------------------------------------------------------------------


def test_markdown_front_matter_and_body(tmp_path: Path) -> None:
    a = load(tmp_path, "knygu-muge.md")
    assert a.title == "Knygų mugė kvies į susitikimus su autoriais"
    assert a.author == "Jonas Petrauskas"
    assert a.date == datetime(2024, 5, 3, 9, 0, tzinfo=UTC)  # noon in Vilnius
    assert a.tags == ("renginiai", "knygos")
    assert a.summary == "Savaitgalį bibliotekos kieme vyks knygų mugė."
    assert a.declared_lang == "lt" and a.image == "https://biblioteka.example.lt/img/muge.jpg"
    assert kinds(a) == [P, H, L, L, Q, P]
    assert a.blocks[0].text.startswith("Šį savaitgalį bibliotekos kieme vyks tradicinė knygų mugė.")
    assert "susitikti su vietos autoriais ir" in a.blocks[0].text  # link text kept, URL gone
    joined = " ".join(a.units)
    assert "plakatas" not in joined and "alert" not in joined and "**" not in joined
    assert a.notes == ()
    assert a.warnings == (
        "front matter: unknown key `layout` was ignored; known keys: title, author, date, tags, slug, lang, "
        "summary, image, no_translate, translation_of",
    )


def test_markdown_title_from_first_heading_and_levels(tmp_path: Path) -> None:
    md = "# Antraštė\n\nĮžanga.\n\n## Dalis\n\n### Smulkiau\n\n#### Dar\n\n# Kitas pirmo lygio\n\nTekstas.\n"
    a = load(tmp_path, "h.md", md)
    assert a.title == "Antraštė"
    assert kinds(a) == [P, H, H, H, H, P]


def test_markdown_without_any_title_uses_first_paragraph(tmp_path: Path) -> None:
    a = load(tmp_path, "p.md", "Pirmoji eilutė\n\nTekstas.\n")
    assert a.title == "Pirmoji eilutė" and [b.text for b in a.blocks] == ["Tekstas."]
    assert "used the first paragraph as the headline" in a.notes[0]


def test_markdown_front_matter_details(tmp_path: Path) -> None:
    md = (
        "---\ntitle: 'Antraštė: su dvitaškiu'\ndate: 2024-01-15 08:00\ntags: renginiai, vaikams\n"
        "slug: ../../etc/passwd\nimage: javascript:alert(1)\nauthor: [Ona, Jonas]\n---\nTekstas.\n"
    )
    a = load(tmp_path, "fm.md", md)
    assert a.title == "Antraštė: su dvitaškiu"
    assert a.date == datetime(2024, 1, 15, 6, 0, tzinfo=UTC)
    assert a.tags == ("renginiai", "vaikams")
    assert a.slug == "etc-passwd"
    assert a.image is None and any("image" in n for n in a.notes)
    assert a.author == "Ona, Jonas"


# --- .html -----------------------------------------------------------------------------------


def test_html_keeps_text_blocks_drops_the_rest(tmp_path: Path) -> None:
    a = load(tmp_path, "kraštotyros-diena.html")
    assert a.title == "Bibliotekoje paminėta kraštotyros diena"
    assert a.slug == "krastotyros-diena"
    assert a.author == "Aistė Vaitkutė" and a.declared_lang == "lt"
    assert kinds(a) == [P, H, L, L, Q, P]
    assert a.blocks[-1].text == "Renginį vainikavo ekskursija po miestelį."
    joined = " ".join(a.units)
    for gone in ("alert", "steal", "komentaras", "įterptas", "Pradžia", "visos teisės", "color", "onclick"):
        assert gone not in joined


def test_html_title_fallback_and_loose_text(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Iš title žymės</title></head><body>"
        "<div>Laisvas tekstas diva.<br>Ta pati pastraipa.<div><p>Pastraipa.</p></div></div>"
        "<ol><li>Vienas<ul><li>Įdėtas</li></ul></li></ol><h3>Poskyris</h3></body></html>"
    )
    a = load(tmp_path, "t.htm", html)
    assert a.title == "Iš title žymės"
    assert [(b.kind, b.text) for b in a.blocks] == [
        (P, "Laisvas tekstas diva. Ta pati pastraipa."),
        (P, "Pastraipa."),
        (L, "Vienas"),
        (L, "Įdėtas"),
        (H, "Poskyris"),
    ]


def test_html_in_windows_1257_with_xml_declaration(tmp_path: Path) -> None:
    html = (
        '<?xml version="1.0" encoding="windows-1257"?>\n<html><head><meta http-equiv="Content-Type" '
        'content="text/html; charset=windows-1257"></head><body><h1>Šventė</h1>'
        "<p>Čia ąžuolai ir „kabutės“.</p></body></html>"
    )
    a = load(tmp_path, "w.html", html.encode("cp1257"))
    assert a.title == "Šventė" and a.blocks[0].text == "Čia ąžuolai ir „kabutės“."


# --- .docx -----------------------------------------------------------------------------------


def make_docx(*paras: tuple[str, str | None], table: bool = False) -> bytes:
    d = docx.Document()
    for text, style in paras:
        d.add_paragraph(text, style=style)
    if table:
        d.add_table(rows=1, cols=1).cell(0, 0).text = "lentelė"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_styles_map_to_blocks(tmp_path: Path) -> None:
    data = make_docx(
        ("Antraštė iš Word", "Title"),
        ("Įžanginė pastraipa.", None),
        ("Skyrius", "Heading 2"),
        ("• Pirmas punktas", "List Bullet"),
        ("Antras punktas", "List Number"),
        ("• Ranka įvestas punktas", None),
        ("Citata.", "Quote"),
        ("Poskyris", "Heading 4"),
        ("   ", None),
        ("Pabaiga.", None),
        table=True,
    )
    a = load(tmp_path, "zodis.docx", data)
    assert a.title == "Antraštė iš Word"
    assert [(b.kind, b.text) for b in a.blocks] == [
        (P, "Įžanginė pastraipa."),
        (H, "Skyrius"),
        (L, "Pirmas punktas"),
        (L, "Antras punktas"),
        (L, "Ranka įvestas punktas"),
        (Q, "Citata."),
        (H, "Poskyris"),
        (P, "Pabaiga."),
    ]
    assert a.notes == ("ignored 1 table (only paragraphs are translated)",)


def test_docx_title_from_heading_1_or_first_paragraph(tmp_path: Path) -> None:
    a = load(
        tmp_path,
        "h1.docx",
        make_docx(("Data: gegužės 3 d.", None), ("Antraštė", "Heading 1"), ("Tekstas.", None)),
    )
    assert a.title == "Antraštė" and [b.text for b in a.blocks] == ["Data: gegužės 3 d.", "Tekstas."]
    b = load(tmp_path, "plain.docx", make_docx(("Paprasta antraštė", None), ("Tekstas.", None)))
    assert b.title == "Paprasta antraštė"


# --- dispatch --------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", SUPPORTED)
def test_every_supported_extension_dispatches(tmp_path: Path, ext: str) -> None:
    if ext == ".docx":
        data = make_docx(("Antraštė", "Title"), ("Tekstas.", None))
    elif ext in (".html", ".htm"):
        data = b"<h1>Antra\xc5\xa1t\xc4\x97</h1><p>Tekstas.</p>"
    else:
        data = "Antraštė\n\nTekstas.\n".encode()
        if ext in (".md", ".markdown"):
            data = b"# " + data
    a = load(tmp_path, "Dir/Sub/Mano Straipsnis" + ext.upper(), data)
    assert a.title == "Antraštė" and a.blocks[0].text == "Tekstas."
    assert a.slug == "mano-straipsnis" and a.source == "Dir/Sub/Mano Straipsnis" + ext.upper()


def test_unsupported_extension_lists_formats() -> None:
    with pytest.raises(InputError) as e:
        parse_article("senas.doc", b"whatever", CFG)
    assert str(e.value) == (
        "senas.doc: files of type .doc are not supported; use one of .txt, .md, .markdown, .html, .htm, "
        ".docx; open it in Word and save as .docx"
    )


def test_the_registry_is_the_one_place_that_knows_formats() -> None:
    # Every extension belongs to exactly one format, each format's module reads it with
    # the Reader signature, and the names that strip extensions (slugs) follow the registry.
    exts = [e for f in READ_FORMATS for e in f.extensions]
    assert len(exts) == len(set(exts)) and tuple(exts) == SUPPORTED
    for f in READ_FORMATS:
        reader = f.reader()
        assert callable(reader) and getattr(reader, "__name__", None) == "read" and reader.__module__ == f.module
        for ext in f.extensions:
            assert format_of(f"a/b/x{ext.upper()}") is f
            assert file_stem(f"a/b/Mano.straipsnis{ext}") == "Mano.straipsnis"
    assert format_of("x.rtf") is None and format_of("README") is None


def test_a_reader_module_is_imported_only_when_its_format_is_read() -> None:
    # A run that reads only .txt files must not import lxml (HTML) or python-docx (Word).
    code = (
        "import sys; from xlate.config import Ingest; from xlate.ingest import parse_article;"
        "parse_article('a.txt', 'Antraštė\\n\\nTekstas.'.encode(), Ingest());"
        "print(sorted(m for m in ('lxml', 'docx', 'xlate.ingest.html', 'xlate.ingest.docx', 'markdown_it')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# --- front matter: text stays text, misspelt keys are warnings (issue 12.6) -----------------


def test_front_matter_values_that_name_things_stay_text(tmp_path: Path) -> None:
    # YAML 1.1 would give 7, 2024, 1918 and False here: a review that finds no article,
    # a slug and a title that are numbers, a language "False".
    md = "---\ntitle: 1918\nslug: 2024\nauthor: 007\ntags: [2024, no, renginiai]\n---\nTekstas apie metus.\n"
    a = load(tmp_path, "metai.md", md)
    assert (a.title, a.slug, a.author, a.tags) == ("1918", "2024", "007", ("2024", "no", "renginiai"))
    review = "---\ntranslation_of: 07\nlang: pl\ntitle: Rok 1918\n---\nTekst.\n"
    r = load(tmp_path, "przeglad.md", review)
    assert (r.translation_of, r.slug, r.declared_lang) == ("07", "07-pl", "pl")
    # `lang: no` is Norwegian, not "false": it reaches detection as a language code.
    n = load(tmp_path, "norsk.md", "---\nlang: no\ntitle: Nyheter\n---\nTekst.\n")
    assert n.declared_lang == "no"
    # Empty and null values are still "not given".
    e = load(tmp_path, "tuscias.md", "---\ntitle: Antraštė\nslug:\ndate: ~\n---\nTekstas.\n")
    assert (e.slug, e.date) == ("tuscias", None)


def test_front_matter_dates_as_text_are_still_dates(tmp_path: Path) -> None:
    for value, want in [
        ("2024-05-03", datetime(2024, 5, 3, 9, 0, tzinfo=UTC)),  # a bare date: noon in Vilnius (UTC+3)
        ("2024-01-03 14:30", datetime(2024, 1, 3, 12, 30, tzinfo=UTC)),  # winter: UTC+2
        ("2024-05-03T14:30:00+00:00", datetime(2024, 5, 3, 14, 30, tzinfo=UTC)),
        ("'2024-05-03T14:30:00Z'", datetime(2024, 5, 3, 14, 30, tzinfo=UTC)),
    ]:
        a = load(tmp_path, "d.md", f"---\ntitle: Antraštė\ndate: {value}\n---\nTekstas.\n")
        assert a.date == want, value


def test_a_misspelt_front_matter_key_is_a_warning_with_the_likely_key(tmp_path: Path) -> None:
    md = "---\ntitle: Antraštė\ndte: 2024-05-03\nTags: [a]\nfoo: bar\n---\nTekstas.\n"
    a = load(tmp_path, "rasybos.md", md)
    assert a.date is None  # the misspelt date was not used...
    assert len(a.warnings) == 3  # ...and the editor is told, with the fix
    dte, tags, foo = a.warnings
    assert "unknown key `dte`" in dte and "did you mean `date`?" in dte
    assert "unknown key `Tags`" in tags and "did you mean `tags`?" in tags
    assert "unknown key `foo`" in foo and "did you mean" not in foo
    assert all("known keys: title, author, date" in w for w in a.warnings)


def test_a_review_suffix_is_any_configured_language(tmp_path: Path) -> None:
    f = tmp_path / "skaitymo-klubas.de.md"
    f.write_text("---\ntitle: Ein neuer Leseklub\n---\nDer Klub freut sich über neue Mitglieder.\n", encoding="utf-8")
    with_german = ReadContext(targets=("en", "pl", "ru", "de"))
    a = parse_article(f.name, f.read_bytes(), with_german)
    assert (a.translation_of, a.declared_lang, a.slug) == ("skaitymo-klubas", "de", "skaitymo-klubas-de")
    # Without German among the targets, `.de` is part of the name: an article like any other.
    b = parse_article(f.name, f.read_bytes(), ReadContext())
    assert (b.translation_of, b.declared_lang, b.slug) == (None, None, "skaitymo-klubas-de")
    # A review without a language names the configured targets in its fix.
    g = tmp_path / "perziura.md"
    g.write_text("---\ntranslation_of: skaitymo-klubas\ntitle: X\n---\nY.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"add `lang: en` \(or pl, ru, de\).*skaitymo-klubas\.en\.md"):
        parse_article(g.name, g.read_bytes(), with_german)


def test_the_read_context_comes_from_the_config() -> None:
    data = yaml.safe_load((Path(__file__).parents[1] / "config.yaml").read_text(encoding="utf-8"))
    data["targets"] = ["en", "de"]
    data["languages"] = {k: v for k, v in data["languages"].items() if k in ("lt", "en")}
    data["languages"]["de"] = {"title": "Nachrichten", "description": "Nachrichten der Bibliothek."}
    ctx = ReadContext.from_config(config.parse(data, Path("/srv/x")))
    assert (ctx.source_lang, ctx.targets, ctx.review_langs) == ("lt", ("en", "de"), ("en", "de", "lt"))
    assert str(ctx.timezone) == "Europe/Vilnius"


@pytest.mark.parametrize("value", ["07", "1918", "no", "Yes", "off", "0x1F", "1e3", "12:30", ".inf", "3.10", "0o17"])
def test_yaml_1_1_traps_stay_the_text_the_editor_wrote(tmp_path: Path, value: str) -> None:
    # Each of these is a number, a boolean or a sexagesimal (12:30 = 750) to plain YAML 1.1.
    md = f"---\ntitle: {value}\nauthor: {value}\nsummary: {value}\ntranslation_of: {value}\nlang: pl\n---\nTekstas.\n"
    a = load(tmp_path, "r.md", md)
    assert (a.title, a.author, a.summary, a.translation_of) == (value, value, value, slugify(value))
