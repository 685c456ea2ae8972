"""The language table: everything xlate says or does differently per language, in one place.

Adding a target language is a row here (plus config and an Argos package). Texts that
depend on the source language (a notice says *which* language it was translated from) are
keyed by the source's code, so a non-Lithuanian source is a few more entries, not code.
Pure data: no I/O, importable from the no-op path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1
    name: str  # the language's own name ("Polski"), for switchers and feed lists
    english_name: str  # for logs and messages addressed to the operator
    # "Machine-translated from <source>." in this language, per source language.
    mt_notice: Mapping[str, str] = field(default_factory=dict)
    # "Machine-translated from <source>, reviewed by the editors." (an approved draft).
    reviewed_notice: Mapping[str, str] = field(default_factory=dict)
    read_original: str = "Read the original"  # the link text to the source-language page
    other_languages: str = "In other languages"  # heading of the language switcher
    # Page strings (publish). English defaults; a row without its own text shows English.
    locale: str = ""  # Babel locale for dates people read; "" means the code itself
    subscribe: str = "Subscribe"
    subscribe_hint: str = "Paste this address into a feed reader to receive new articles as they are published."
    latest: str = "Latest news"
    all_languages: str = "All languages"
    archive: str = "Archive"
    opml: str = "Feed list for feed readers (OPML)"
    other_formats: str = "Other formats"
    read_more: str = "Read the full article"
    # Segmentation of text *in* this language (used for the source language): the
    # sentence-splitter language code, or None where it has no rules for it.
    splitter: str | None = None
    # Abbreviations ending in "." that do not end a sentence and that sentence-splitter's
    # own list for `splitter` lacks (given in lower case; the capitalised form is added).
    abbreviations: tuple[str, ...] = ()
    # Letters that text in this language nearly always contains (encoding detection).
    letters: frozenset[str] = frozenset()
    # Abbreviations that follow a number ("2024 m.", "17 val."): "m." there is no sentence end
    # when a lower-case word follows. Lower case, without the period.
    after_number: tuple[str, ...] = ()
    # The legacy 8-bit code pages text in this language arrives in (tried besides the detector's guesses).
    encodings: tuple[str, ...] = ()


def _t(**kw: str) -> Mapping[str, str]:
    return MappingProxyType(dict(kw))


_TABLE: tuple[Language, ...] = (
    Language(
        code="lt",
        name="Lietuvių",
        english_name="Lithuanian",
        read_original="Skaityti originalą",
        other_languages="Kitomis kalbomis",
        locale="lt",
        subscribe="Prenumeruoti",
        subscribe_hint="Įklijuokite šį adresą į naujienų skaityklę ir gausite naujus straipsnius lietuvių kalba.",
        latest="Naujausios naujienos",
        all_languages="Visos kalbos",
        archive="Archyvas",
        opml="Visų kanalų sąrašas skaityklėms (OPML)",
        other_formats="Kiti formatai",
        read_more="Skaityti visą straipsnį",
        splitter="lt",
        abbreviations=(
            "tel",
            "nr",
            "pvz",
            "val",
            "proc",
            "min",
            "sek",
            "mob",
            "el",
            "vnt",
            "gim",
            "mirė",
            "šv",
            "kt",
            "pan",
            "t. y",
        ),
        letters=frozenset("ąčęėįšųūžĄČĘĖĮŠŲŪŽ"),
        after_number=("m", "d", "val", "min", "proc", "vnt"),
        encodings=("cp1257", "iso8859_13"),
    ),
    Language(
        code="en",
        name="English",
        english_name="English",
        mt_notice=_t(lt="Machine-translated from Lithuanian."),
        reviewed_notice=_t(lt="Machine-translated from Lithuanian, reviewed by the editors."),
        read_original="Read the original in Lithuanian",
        other_languages="In other languages",
        locale="en_GB",  # "4 December 2026", the European order
        subscribe_hint="Paste this address into a feed reader to receive new articles in English.",
        splitter="en",
    ),
    Language(
        code="pl",
        name="Polski",
        english_name="Polish",
        mt_notice=_t(lt="Przetłumaczono maszynowo z języka litewskiego."),
        reviewed_notice=_t(lt="Przetłumaczono maszynowo z języka litewskiego, sprawdzone przez redakcję."),
        read_original="Przeczytaj oryginał po litewsku",
        other_languages="W innych językach",
        locale="pl",
        subscribe="Subskrybuj",
        subscribe_hint="Wklej ten adres do czytnika kanałów, aby otrzymywać nowe artykuły po polsku.",
        latest="Najnowsze wiadomości",
        all_languages="Wszystkie języki",
        archive="Archiwum",
        opml="Lista kanałów dla czytników (OPML)",
        other_formats="Inne formaty",
        read_more="Przeczytaj cały artykuł",
        splitter="pl",
        letters=frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"),
        encodings=("cp1250", "iso8859_2"),
    ),
    Language(
        code="ru",
        name="Русский",
        english_name="Russian",
        mt_notice=_t(lt="Машинный перевод с литовского."),
        reviewed_notice=_t(lt="Машинный перевод с литовского, проверен редакцией."),
        read_original="Читать оригинал на литовском",
        other_languages="На других языках",
        locale="ru",
        subscribe="Подписаться",
        subscribe_hint="Вставьте этот адрес в программу для чтения лент, чтобы получать новые статьи на русском языке.",
        latest="Последние новости",
        all_languages="Все языки",
        archive="Архив",
        opml="Список лент для программ чтения (OPML)",
        other_formats="Другие форматы",
        read_more="Читать статью полностью",
        splitter="ru",
        encodings=("cp1251", "koi8_r"),
    ),
    Language(
        code="de",
        name="Deutsch",
        english_name="German",
        mt_notice=_t(lt="Maschinell aus dem Litauischen übersetzt."),
        reviewed_notice=_t(lt="Maschinell aus dem Litauischen übersetzt, von der Redaktion geprüft."),
        read_original="Original auf Litauisch lesen",
        other_languages="In anderen Sprachen",
        locale="de",
        subscribe="Abonnieren",
        subscribe_hint="Fügen Sie diese Adresse in einen Feedreader ein, um neue Artikel auf Deutsch zu erhalten.",
        latest="Neueste Nachrichten",
        all_languages="Alle Sprachen",
        archive="Archiv",
        opml="Feedliste für Feedreader (OPML)",
        other_formats="Andere Formate",
        read_more="Den ganzen Artikel lesen",
        splitter="de",
        letters=frozenset("äöüßÄÖÜ"),
        encodings=("cp1252",),
    ),
    Language(
        code="uk",
        name="Українська",
        english_name="Ukrainian",
        mt_notice=_t(lt="Машинний переклад з литовської."),
        reviewed_notice=_t(lt="Машинний переклад з литовської, перевірений редакцією."),
        read_original="Читати оригінал литовською",
        other_languages="Іншими мовами",
        encodings=("cp1251", "koi8_u"),
        locale="uk",
        subscribe="Підписатися",
        subscribe_hint="Вставте цю адресу в програму для читання стрічок, щоб отримувати нові статті українською.",
        latest="Останні новини",
        all_languages="Усі мови",
        archive="Архів",
        opml="Список стрічок для програм читання (OPML)",
        other_formats="Інші формати",
        read_more="Читати статтю повністю",
    ),
    Language(code="lv", name="Latviešu", english_name="Latvian", splitter="lv", encodings=("cp1257", "iso8859_13")),
    Language(code="et", name="Eesti", english_name="Estonian", encodings=("cp1257", "iso8859_13")),
    Language(code="be", name="Беларуская", english_name="Belarusian", encodings=("cp1251",)),
    Language(code="fr", name="Français", english_name="French", splitter="fr"),
    # Languages langdetect may report for a misplaced file: named in its messages.
    Language(code="es", name="Español", english_name="Spanish", splitter="es"),
    Language(code="it", name="Italiano", english_name="Italian", splitter="it"),
    Language(code="fi", name="Suomi", english_name="Finnish", splitter="fi"),
    Language(code="sv", name="Svenska", english_name="Swedish", splitter="sv"),
    Language(code="cs", name="Čeština", english_name="Czech", splitter="cs"),
    Language(code="sk", name="Slovenčina", english_name="Slovak", splitter="sk"),
    Language(code="sl", name="Slovenščina", english_name="Slovenian", splitter="sl"),
    Language(code="hr", name="Hrvatski", english_name="Croatian"),
    Language(code="bg", name="Български", english_name="Bulgarian"),
    Language(code="nl", name="Nederlands", english_name="Dutch", splitter="nl"),
    Language(code="da", name="Dansk", english_name="Danish", splitter="da"),
    Language(code="no", name="Norsk", english_name="Norwegian", splitter="no"),
    Language(code="pt", name="Português", english_name="Portuguese", splitter="pt"),
    Language(code="hu", name="Magyar", english_name="Hungarian", splitter="hu"),
    Language(code="ro", name="Română", english_name="Romanian", splitter="ro"),
    Language(code="tr", name="Türkçe", english_name="Turkish", splitter="tr"),
)

LANGUAGES: Mapping[str, Language] = MappingProxyType({lang.code: lang for lang in _TABLE})


def language(code: str) -> Language:
    """The row for `code`; a bare row (name = code) for a language the table does not know."""
    return LANGUAGES.get(code) or Language(code=code, name=code, english_name=code)


def missing_texts(source: str, targets: tuple[str, ...]) -> list[str]:
    """Targets whose notice texts for `source` are not in the table (config validation)."""
    return [t for t in targets if source not in language(t).mt_notice or source not in language(t).reviewed_notice]
