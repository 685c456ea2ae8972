"""HTML articles (a saved web page or an export from a CMS).

Only plain text leaves this module, so scripts, event handlers and styles cannot
survive into feeds: nothing here needs sanitizing, only choosing what to keep.
"""

from __future__ import annotations

import re
from typing import Any

from xlate.errors import InputError
from xlate.ingest.formats import ReadContext
from xlate.ingest.text import clean, control_note, decode, finish_article, lang_code, sniff_charset, to_utc
from xlate.languages import language
from xlate.model import Article, Block, BlockKind

# Removed with their content: code, chrome around the article, media, forms.
DROP = frozenset({
    "script", "style", "noscript", "template", "head", "title", "meta", "link", "nav", "footer", "header",
    "aside", "form", "iframe", "object", "embed", "svg", "math", "canvas", "video", "audio", "picture",
    "img", "figure", "button", "select", "textarea", "input",
})  # fmt: skip
HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
PARAS = frozenset({"p", "pre", "address", "dt", "dd"})
# Walked into; text loose inside them becomes its own block.
CONTAINERS = frozenset({
    "html", "body", "main", "article", "section", "div", "center", "table", "thead", "tbody", "tfoot",
    "tr", "td", "th", "ul", "ol", "dl", "li", "blockquote", "details", "summary", "hgroup",
})  # fmt: skip
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
# A <time> inside running text is a date the article talks about ("the fair on <time>…"),
# not when it was published.
TEXT_BLOCKS = frozenset({*PARAS, *HEADINGS, "li", "blockquote", "td", "th", "figcaption", "q", "cite"})
_PUBLISHED_META = frozenset({"article:published_time", "datepublished", "dcterms.date", "dc.date"})


def _is_element(el: Any) -> bool:
    return isinstance(el.tag, str)  # comments and processing instructions have a function as tag


def inline_text(el: Any) -> str:
    """Text of an element and its inline children; comments and dropped
    elements contribute nothing but their tail."""
    parts = [el.text or ""] if _is_element(el) else []
    for child in el:
        if _is_element(child) and child.tag not in DROP:
            parts.append(" " if child.tag == "br" else inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


class _Walker:
    def __init__(self, title_el: Any) -> None:
        self.title_el = title_el
        self.blocks: list[Block] = []

    def emit(self, kind: BlockKind, text: str) -> None:
        if text.strip():
            self.blocks.append(Block(kind, text))

    def walk(self, el: Any, kind: BlockKind) -> None:
        """`kind` is what a paragraph inside `el` becomes: a list item, a quote..."""
        loose: list[str] = [el.text or ""]
        for child in el:
            if not _is_element(child) or child.tag in DROP:
                loose.append(child.tail or "")
                continue
            tag = child.tag
            block = tag in CONTAINERS or tag in PARAS or tag in HEADINGS or tag == "h1"
            if not block:
                loose.append(" " if tag == "br" else inline_text(child))
                loose.append(child.tail or "")
                continue
            self.emit(kind, "".join(loose))
            loose = [child.tail or ""]
            if child is self.title_el:
                continue
            if tag in HEADINGS or tag == "h1":
                self.emit(BlockKind.HEADING, inline_text(child))
            elif tag in PARAS:
                self.emit(kind, inline_text(child))
            elif tag == "li":
                self.walk(child, BlockKind.LIST_ITEM)
            elif tag == "blockquote":
                self.walk(child, BlockKind.QUOTE)
            else:
                self.walk(child, kind)
        self.emit(kind, "".join(loose))


def _inside(el: Any, tags: frozenset[str]) -> bool:
    return any(a.tag in tags for a in el.iterancestors() if _is_element(a))


# Site chrome: an <h1> or <main> inside these is not the article's.
CHROME = frozenset({"nav", "footer", "aside", "script", "template", "noscript"})


def _document(rel: str, data: bytes, ctx: ReadContext) -> tuple[Any, list[str]]:
    """The parsed page and the notes decoding left."""
    import lxml.etree
    import lxml.html

    text, removed = clean(decode(rel, data, language(ctx.source_lang), hint=sniff_charset(data)))
    notes = [control_note(removed)] if removed else []
    text = _XML_DECL.sub("", text)  # lxml refuses str input that declares an encoding
    if not text.strip():
        raise InputError(f"{rel}: contains only blank space; put the article in it or delete it")
    try:
        return lxml.html.document_fromstring(text), notes
    except (lxml.etree.ParserError, ValueError) as e:
        raise InputError(f"{rel}: cannot be read as HTML ({e}); save the page again as HTML") from None


def _headline(rel: str, doc: Any) -> tuple[str, Any]:
    """The headline and its element: the first <h1> of the article proper, not of site
    chrome; else the page's <title> (element None: nothing to skip in the body)."""
    h1s = [h for h in doc.iter("h1") if not _inside(h, CHROME)]
    main = [h for h in h1s if _inside(h, frozenset({"main", "article"}))]
    title_el = (main or h1s or [None])[0]
    title = inline_text(title_el) if title_el is not None else ""
    if not title.strip():
        found = doc.find(".//title")
        title = inline_text(found) if found is not None else ""
        title_el = None
    if not title.strip():
        raise InputError(f"{rel}: no headline; add an <h1> (or a <title>) with the article's headline")
    return title, title_el


def _article_root(doc: Any) -> Any:
    """The article proper when the page marks it (one <main> or <article>), else the body."""
    for tag in ("main", "article"):
        found_all = [e for e in doc.iter(tag) if not _inside(e, CHROME)]
        if len(found_all) == 1:
            return found_all[0]
    return doc.body if doc.find("body") is not None else doc


def _keep(root: Any) -> list[str]:
    """translate="no" (the web standard) and class="notranslate" mark do-not-translate spans."""
    return [
        inline_text(el)
        for el in root.iter()
        if _is_element(el)
        and el.tag not in DROP
        and ((el.get("translate") or "").strip().lower() == "no" or "notranslate" in (el.get("class") or "").split())
    ]


def _meta(doc: Any, name: str, *, last: bool = False) -> str | None:
    """The content of <meta name=...> (the first, or the last one)."""
    found = [
        m.get("content") for m in doc.iter("meta") if (m.get("name") or "").strip().lower() == name and m.get("content")
    ]
    return (found[-1] if last else found[0]) if found else None


def _declared_lang(rel: str, doc: Any, notes: list[str]) -> str | None:
    lang: str | None = doc.get("lang") or doc.get("{http://www.w3.org/XML/1998/namespace}lang")
    try:
        lang_code(rel, lang)
    except InputError:
        # A page template's odd lang attribute is not the editor's to fix.
        notes.append(f"ignored <html lang={(lang or '')[:20]!r}>: not a language code")
        return None
    return lang


def read(rel: str, data: bytes, ctx: ReadContext) -> Article:
    doc, notes = _document(rel, data, ctx)
    title, title_el = _headline(rel, doc)
    root = _article_root(doc)
    walker = _Walker(title_el)
    walker.walk(root, BlockKind.PARAGRAPH)
    when, date_notes = published(rel, doc, ctx)
    notes.extend(date_notes)
    lang = _declared_lang(rel, doc, notes)
    return finish_article(
        rel,
        ctx,
        title=title,
        blocks=walker.blocks,
        notes=notes,
        author=_meta(doc, "author", last=True),
        summary=_meta(doc, "description"),
        declared_lang=lang,
        keep=_keep(root),
        when=when,
    )


def _date_candidates(doc: Any) -> list[tuple[str, str]]:
    """(where, value) pairs that may say when the page was published, best first: the
    page's metadata (`article:published_time` and its kin), then a `<time datetime>`
    marked as the publication date, then one outside the running text."""
    out: list[tuple[str, str]] = []
    for m in doc.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip().lower()
        if key in _PUBLISHED_META and (m.get("content") or "").strip():
            out.append((f"<meta {key}>", m.get("content").strip()))
    times = [t for t in doc.iter("time") if (t.get("datetime") or "").strip()]
    marked = [t for t in times if t.get("pubdate") is not None or (t.get("itemprop") or "") == "datePublished"]
    loose = [t for t in times if t not in marked and not _inside(t, TEXT_BLOCKS)]
    out.extend(("<time datetime>", t.get("datetime").strip()) for t in (*marked, *loose))
    return out


def published(rel: str, doc: Any, ctx: ReadContext) -> tuple[str | None, list[str]]:
    """The page's own publication date (a value `to_utc` accepts) and notes on values
    that were no date. A page template's odd value is not the editor's to fix: it is
    skipped, never a reason to refuse the article."""
    notes: list[str] = []
    for where, value in _date_candidates(doc):
        try:
            if to_utc(rel, value, ctx.timezone) is not None:
                return value, notes
        except InputError:
            notes.append(f"ignored the date in {where} ({value[:40]!r}): not a date and time")
    return None, notes
