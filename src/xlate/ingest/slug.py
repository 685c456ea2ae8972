"""Slugs: the stable, URL- and file-name-safe identity of an article.

A slug ends up in URLs and output file names, so whatever an editor writes
(front matter, file name) is reduced to [a-z0-9-]: no dots, no slashes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from pathlib import PurePosixPath

from xlate.errors import InputError
from xlate.ingest.formats import strip_extension
from xlate.outputs import RESERVED_SLUGS

MAX_SLUG = 80

# Letters that NFKD does not split into base + accent; Lithuanian ones are
# listed too so the mapping is explicit and does not rely on decomposition.
_TRANSLIT = {
    "ą": "a", "č": "c", "ę": "e", "ė": "e", "į": "i", "š": "s", "ų": "u", "ū": "u", "ž": "z",
    "ł": "l", "ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ħ": "h", "ı": "i", "þ": "th",
    "ð": "d", "ŀ": "l",
    # Russian/Ukrainian/Belarusian, a simple readable scheme
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia", "і": "i", "ї": "i", "є": "ie",
    "ґ": "g", "ў": "u",
}  # fmt: skip
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lowercase ASCII [a-z0-9-], single dashes, no dash at either end, <= 80 chars.

    Idempotent: slugify(slugify(x)) == slugify(x). May return "".
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(_TRANSLIT.get(ch, ch) for ch in text)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    slug = _NON_SLUG.sub("-", text).strip("-")
    if len(slug) > MAX_SLUG:
        cut = slug[:MAX_SLUG]
        # End at a word boundary when that keeps most of the length.
        dash = cut.rfind("-")
        slug = (cut[:dash] if dash >= MAX_SLUG // 2 else cut).strip("-")
    return slug


def file_stem(rel: str) -> str:
    """The file name without folders and without its (supported) extension."""
    return strip_extension(PurePosixPath(rel).name)


def split_lang_suffix(stem: str, langs: Collection[str]) -> tuple[str, str | None]:
    """'renginys.pl' -> ('renginys', 'pl'): a reviewed translation's file name.
    Only the site's languages (`langs`: its targets and source) count; any other
    suffix is part of the name."""
    base, dot, suffix = stem.rpartition(".")
    if dot and base and suffix.lower() in langs:
        return base, suffix.lower()
    return stem, None


def make_slug(rel: str, from_front_matter: str | None) -> tuple[str, list[str]]:
    """The article's slug and notes. A front-matter slug that sanitizes to nothing
    falls back to the file name, which must give a slug."""
    notes: list[str] = []
    if from_front_matter is not None:
        wanted = str(from_front_matter)
        slug = slugify(wanted)
        if slug:
            if slug != wanted:
                notes.append(f"slug {wanted[:60]!r} was made URL-safe: {slug!r}")
            return _not_reserved(rel, slug), notes
        notes.append(f"slug {wanted[:60]!r} has no usable letters; used the file name instead")
    slug = slugify(file_stem(rel))
    if not slug:
        raise InputError(
            f"{rel}: the file name gives no usable slug (web address); rename the file using "
            "letters or digits, e.g. bibliotekos-renginys.txt, or set slug: in the front matter"
        )
    return _not_reserved(rel, slug), notes


def _not_reserved(rel: str, slug: str) -> str:
    if slug in RESERVED_SLUGS:
        raise InputError(
            f"{rel}: its slug (web address) {slug!r} is the name of each language's home page "
            f"({slug}.html); rename the file, e.g. {slug}-renginys.txt, or set slug: in the front matter"
        )
    return slug
