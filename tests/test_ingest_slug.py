"""Slugs are URL and file-name safe whatever an editor types."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlate.errors import InputError
from xlate.ingest import split_lang_suffix
from xlate.ingest.slug import MAX_SLUG, file_stem, make_slug, slugify

SAFE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Ąžuolų šventė Čiurlionio gatvėje", "azuolu-svente-ciurlionio-gatveje"),
        ("ąčęėįšųūž ĄČĘĖĮŠŲŪŽ", "aceeisuuz-aceeisuuz"),
        ("../../etc/passwd", "etc-passwd"),
        ("a/b\\c..d", "a-b-c-d"),
        ("--Keli   tarpai__ir---brūkšniai--", "keli-tarpai-ir-bruksniai"),
        ("Łódź ir Kraków", "lodz-ir-krakow"),
        ("Новости библиотеки", "novosti-biblioteki"),
        ("2024-05-03 renginys", "2024-05-03-renginys"),
        ("???", ""),
        ("", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_long_slug_cut_at_word_boundary() -> None:
    s = slugify("žodis " * 30)
    assert len(s) <= MAX_SLUG and s.endswith("zodis") and SAFE.match(s)
    assert slugify("a" * 200) == "a" * MAX_SLUG


def test_make_slug_prefers_front_matter_and_notes_changes() -> None:
    assert make_slug("x/renginys.md", None) == ("renginys", [])
    assert make_slug("x/renginys.md", "gera-nuoroda") == ("gera-nuoroda", [])
    slug, notes = make_slug("x/renginys.md", "../../Bloga Nuoroda")
    assert slug == "bloga-nuoroda" and "made URL-safe" in notes[0]
    slug, notes = make_slug("x/renginys.md", "../")
    assert slug == "renginys" and "used the file name" in notes[0]


def test_make_slug_without_usable_name_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^dir/\?\?\?\.txt: the file name gives no usable slug"):
        make_slug("dir/???.txt", None)


def test_file_stem_and_lang_suffix() -> None:
    assert file_stem("a/b/Renginys.Markdown") == "Renginys"
    assert file_stem("a/renginys.pl.md") == "renginys.pl"
    site = ("en", "pl", "ru", "lt")
    assert split_lang_suffix("renginys.pl", site) == ("renginys", "pl")
    assert split_lang_suffix("renginys.EN", site) == ("renginys", "en")
    # Only the site's languages are review suffixes: German is one once it is a target.
    assert split_lang_suffix("renginys.de", site) == ("renginys.de", None)
    assert split_lang_suffix("renginys.de", (*site, "de")) == ("renginys", "de")
    assert split_lang_suffix("v1.2", site) == ("v1.2", None)
    assert split_lang_suffix(".pl", site) == (".pl", None)


@given(st.text(max_size=200))
def test_slugify_is_safe_and_idempotent(text: str) -> None:
    s = slugify(text)
    assert s == "" or SAFE.match(s)
    assert len(s) <= MAX_SLUG
    assert slugify(s) == s


@given(st.text(max_size=100), st.text(min_size=1, max_size=40).map(lambda s: s.replace("/", "")))
def test_make_slug_never_escapes(front: str, name: str) -> None:
    try:
        slug, _ = make_slug(f"sub/{name}.md", front)
    except InputError:
        return  # neither front matter nor file name had a usable letter
    assert SAFE.match(slug) and ".." not in slug and "/" not in slug
