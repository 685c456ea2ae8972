"""Issue 5: an XSS payload corpus through the whole pipeline; nothing active reaches any output."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import lxml.etree
import lxml.html

from tests.helpers import run_json

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    '<a href="javascript:alert(3)">spausk</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<div style="background:url(javascript:alert(4))">stilius</div>',
    '<svg onload="alert(5)"></svg>',
    '"><script>alert(6)</script>',
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg=='>duomenys</a>",
]

BODY = "Bibliotekoje vyko renginys vaikams ir jų tėvams. Skaitytojai aptarė naujas knygas ir susitiko su autoriais.\n\n"


def _write_corpus(input_dir: Path) -> None:
    joined = " ".join(PAYLOADS)
    (input_dir / "xss-tekstas.txt").write_text(
        f"Renginys {PAYLOADS[0]} bibliotekoje\n\n{BODY}Pastraipa su {joined} viduryje.\n", encoding="utf-8"
    )
    (input_dir / "xss-md.md").write_text(
        "---\n"
        f"title: 'Naujienos {PAYLOADS[1]}'\n"
        f"author: '{PAYLOADS[6]}'\n"
        f"tags: ['{PAYLOADS[0]}', renginiai]\n"
        f"summary: '{PAYLOADS[2]}'\n"
        "image: 'javascript:alert(8)'\n"
        "slug: ../../../etc/passwd\n"
        "---\n\n"
        f"{BODY}[spausk čia](javascript:alert(9)) ir ![x](data:image/png;base64,AAAA) "
        "bei <b onclick=x>paryškinta</b>.\n\n"
        f"- {PAYLOADS[3]}\n- {PAYLOADS[4]}\n",
        encoding="utf-8",
    )
    (input_dir / "xss-puslapis.html").write_text(
        "<html lang='lt'><head><title>Puslapis</title><script>alert(10)</script>"
        "<style>body{display:none}</style></head><body>"
        f"<h1 onclick='alert(11)'>Renginys bibliotekoje {PAYLOADS[5]}</h1>"
        f"<p style='color:red' onmouseover='alert(12)'>{BODY}</p>"
        "<p>Tekstas <a href='javascript:alert(13)'>nuoroda</a> "
        "<iframe src='https://evil.example'></iframe> ir daugiau teksto apie knygas ir skaitytojus.</p>"
        "<ul><li onfocus='alert(14)'>Pirmas punktas apie knygas</li></ul></body></html>",
        encoding="utf-8",
    )


def _active(doc: lxml.html.HtmlElement, where: str, own_style_ok: bool) -> Iterator[str]:
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in ("script", "iframe", "object", "embed", "svg", "math", "form", "base"):
            yield f"{where}: <{tag}>"
        if tag == "style" and not (own_style_ok and el.getparent() is not None and el.getparent().tag == "head"):
            yield f"{where}: <style> outside the page's own head"
        for name, value in el.attrib.items():
            low = value.strip().lower()
            if name.lower().startswith("on"):
                yield f"{where}: {name}= on <{tag}>"
            if name.lower() == "style":
                yield f"{where}: style= on <{tag}>"
            if name.lower() in ("href", "src", "action", "xlink:href") and low.startswith(("javascript:", "data:")):
                yield f"{where}: {name}={value[:30]}"


def _html_fragments_of_feed(path: Path) -> Iterator[tuple[str, str]]:
    """The parts of a feed that a reader renders as HTML (Atom type="html", RSS description)."""
    root = lxml.etree.fromstring(path.read_bytes())
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        local = tag.rsplit("}", 1)[-1]
        if not el.text:
            continue
        if local in ("description", "encoded") or el.get("type") in ("html", "xhtml"):
            yield f"{path.name}:{local}", el.text
        if local == "title":
            # Plain text by spec, but some readers render RSS titles as HTML: no markup at all.
            assert "<" not in el.text, (path, el.text)


def test_nothing_active_survives_anywhere(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False)
    _write_corpus(project / "input")
    report = run_json(project, expect=None)
    assert report["published"] == 3, report
    feeds = project / "feeds"
    assert not (project / "etc").exists() and all(p.resolve().is_relative_to(feeds.resolve()) for p in feeds.rglob("*"))
    problems: list[str] = []
    for path in sorted(feeds.rglob("*")):
        if path.suffix == ".html":
            problems += _active(lxml.html.fromstring(path.read_bytes()), str(path.relative_to(feeds)), True)
        elif path.suffix in (".xml", ".opml"):
            for where, fragment in _html_fragments_of_feed(path):
                problems += _active(lxml.html.fragment_fromstring(fragment, create_parent="div"), where, False)
        elif path.suffix == ".json":
            for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
                if item.get("content_html"):
                    doc = lxml.html.fragment_fromstring(item["content_html"], create_parent="div")
                    problems += _active(doc, f"{path.name}:{item['id']}", False)
                assert not str(item.get("image", "")).lower().startswith(("javascript:", "data:"))
    assert problems == []
    # The text itself is kept, escaped: readers see what the editor wrote.
    lt = (feeds / "lt" / "xss-tekstas.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in lt
