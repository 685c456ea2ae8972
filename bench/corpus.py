"""Generated Lithuanian news articles for the bench: deterministic, every sentence unique.

Each article has a headline, 5-15 paragraphs of 1-3 sentences, and one bulleted list
(an introductory sentence ending in ':' and 3-5 items); sentences have 5-40 words.
The words come from the hand-written lexicon in bench/lithuanian.py, plus generated
person and village names, so the text passes xlate's language detection and no
sentence repeats, anywhere in a corpus, so the translation memory cannot help a cold run.

    python -m bench.corpus OUT_DIR [--articles N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import lithuanian as lx

MIN_WORDS, MAX_WORDS = 5, 40
HEADLINE_WORDS = (5, 11)
ITEM_WORDS = (5, 12)


@dataclass(frozen=True)
class Article:
    name: str  # file name (gives the slug)
    headline: str
    paragraphs: tuple[tuple[str, ...], ...]  # sentences per paragraph
    list_after: int  # the list follows this paragraph
    list_intro: str
    items: tuple[str, ...]

    @property
    def units(self) -> list[str]:
        """The translation units the generator meant, in reading order."""
        out = [self.headline]
        for i, p in enumerate(self.paragraphs):
            out.extend(p)
            if i == self.list_after:
                out.append(self.list_intro)
                out.extend(self.items)
        return out

    def text(self) -> str:
        """The article as a .txt file in the form editors use (see xlate.ingest.txt)."""
        parts = [self.headline]
        for i, p in enumerate(self.paragraphs):
            parts.append(" ".join(p))
            if i == self.list_after:
                parts.append("\n".join([self.list_intro, *(f"• {it}" for it in self.items)]))
        return "\n\n".join(parts) + "\n"


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


class Generator:
    """Sentences and articles from one seed. `seen` holds every sentence produced so far."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seen: set[str] = set()

    # -- names ------------------------------------------------------------------------
    def _stem(self, syllables: int) -> str:
        return "".join(self.rng.choice(lx.SYLLABLES) for _ in range(syllables)) + self.rng.choice(lx.CODAS)

    def person(self, female: bool | None = None) -> str:
        r = self.rng
        female = r.random() < 0.5 if female is None else female
        first = r.choice(lx.FIRST_NAMES_F if female else lx.FIRST_NAMES_M)
        ending = r.choice(lx.SURNAME_F if female else lx.SURNAME_M)
        return f"{first} {_cap(self._stem(r.randint(1, 3)))}{ending}"

    def village(self, case: str) -> str:
        ending = self.rng.choice(list(lx.VILLAGE))
        stem = _cap(self._stem(self.rng.randint(1, 3)))
        gen, loc = lx.VILLAGE[ending]
        return stem + {"nom": ending, "gen": gen, "loc": loc}[case]

    # -- phrases ----------------------------------------------------------------------
    def np(self, nouns: Sequence[lx.Noun], case: str, plural: bool = False, adj: float = 0.5) -> list[str]:
        """A noun phrase: [genitive modifier] [adjective] noun."""
        r = self.rng
        n = r.choice(nouns)
        words = [n.form(case, plural)]
        if r.random() < adj:
            words.insert(0, r.choice(lx.ADJECTIVES).form(n.gender, case, plural))
        roll = r.random()
        if roll < 0.25:
            words.insert(0, r.choice(lx.TOPICS).form("gen", r.random() < 0.2))
        elif roll < 0.4:
            words.insert(0, r.choice(lx.PLACES).form("gen"))
        elif roll < 0.5:
            words.insert(0, self.village("gen"))
        return words

    def place(self) -> list[str]:
        r = self.rng
        if r.random() < 0.3:
            return [self.village("loc")]
        p = self.np(lx.PLACES, "loc", adj=0.2)
        if r.random() < 0.3:
            p.insert(0, self.village("gen"))
        return p

    def agent(self) -> tuple[list[str], bool]:
        """A subject in the nominative and whether it is plural."""
        r = self.rng
        roll = r.random()
        if roll < 0.35:
            n = r.choice(lx.AGENTS)
            return [*self.np([n], "nom", adj=0.2), self.person(n.gender == "f")], False
        if roll < 0.75:
            return self.np(lx.AGENTS, "nom", plural=True, adj=0.4), True
        return self.np([lx.Noun("bibliotek", "a"), lx.Noun("bendruomen", "ė")], "nom", adj=0.6), False

    def time(self, future: bool) -> list[str]:
        r = self.rng
        t = r.choice(lx.TIME_FUTURE if future else lx.TIME_PAST)
        return t.format(
            wd=r.choice(lx.WEEKDAYS_ACC),
            Wg=_cap(r.choice(lx.WEEKDAYS_GEN)),
            Mg=_cap(r.choice(lx.MONTHS_GEN)),
            n=r.randint(1, 28),
        ).split()

    def clause(self, future: bool, with_time: bool) -> list[str]:
        r = self.rng
        kind = r.random()
        words = self.time(future) if with_time and r.random() < 0.6 else []
        if kind < 0.3:  # something took place somewhere
            if r.random() < 0.5:
                words += self.place()
            words.append(r.choice(lx.FUTURE_HAPPEN if future else lx.PAST_HAPPEN))
            words += self.np(lx.EVENTS, "nom", adj=0.7)
        elif kind < 0.5:  # someone attended something
            subject, _ = self.agent()
            words += subject
            words.append(r.choice(lx.FUTURE_ATTEND if future else lx.PAST_ATTEND))
            words += self.np(lx.EVENTS, "loc", adj=0.5) if r.random() < 0.6 else self.place()
        else:  # someone did something to something
            subject, _ = self.agent()
            words += subject
            verbs = lx.FUTURE_TRANSITIVE if future else lx.PAST_TRANSITIVE
            if not future and r.random() < 0.25:
                verbs = lx.PRESENT_TRANSITIVE
            words.append(r.choice(verbs))
            words += self.np(lx.THINGS if r.random() < 0.6 else lx.EVENTS, "acc", plural=r.random() < 0.3)
        return words

    def extension(self, future: bool) -> tuple[str, list[str]]:
        """(joiner, words): something that lengthens a sentence."""
        r = self.rng
        roll = r.random()
        if roll < 0.15:
            return " ", r.choice(lx.MANNER).split()
        if roll < 0.3:
            return ", ", r.choice(lx.PURPOSES).split()
        if roll < 0.42:
            return " ", self.place()
        if roll < 0.52:
            return " ", ["kartu", "su", *self.np(lx.AGENTS, "ins", plural=True, adj=0.3)]
        if roll < 0.62:
            return " ", ["apie", *self.np(lx.TOPICS, "acc", adj=0.4)]
        if roll < 0.7:
            n = r.choice((10, 20, 30, 40, 50, 60, 80, 100, 120, 150, 200, 300))
            return ", ", ["sulaukęs", "daugiau", "nei", str(n), *self.np(lx.AGENTS, "gen", plural=True, adj=0.2)]
        if roll < 0.78:
            return ", ", ["tarp", "jų", "ir", self.person()]
        conj = r.choice(lx.CONNECTIVES)
        return conj + " ", self.clause(future, with_time=False)

    def _build(self, lo: int, hi: int) -> list[str]:
        r = self.rng
        future = r.random() < 0.3
        # Sentence lengths: mostly 8-22 words, a tail up to `hi`.
        target = max(lo, min(hi, int(r.lognormvariate(2.65, 0.45))))
        words = self.clause(future, with_time=True)
        joined = " ".join(words)
        for _ in range(12):
            if len(joined.split()) >= target:
                break
            joiner, more = self.extension(future)
            candidate = joined + joiner + " ".join(more)
            if len(candidate.split()) <= hi:
                joined = candidate
        out = joined.split()
        while len(out) < lo:  # pad a too-short clause with a place or a manner phrase
            out += self.place() if r.random() < 0.5 else r.choice(lx.MANNER).split()
        if len(out) > hi:
            out = out[:hi]
        return out

    def unique(self, make: Callable[[], str]) -> str:
        for _ in range(1000):
            s = make()
            if s not in self.seen:
                self.seen.add(s)
                return s
        raise RuntimeError("could not generate a new unique sentence")

    def sentence(self) -> str:
        def make() -> str:
            s = " ".join(self._build(MIN_WORDS, MAX_WORDS)).rstrip(",")
            return _cap(s) + ("." if self.rng.random() < 0.92 else "!")

        return self.unique(make)

    def headline(self) -> str:
        return self.unique(lambda: _cap(" ".join(self._build(*HEADLINE_WORDS)).rstrip(",")))

    def list_intro(self) -> str:
        return self.unique(lambda: _cap(" ".join(self._build(MIN_WORDS, 18)).rstrip(",")) + ":")

    def item(self) -> str:
        return self.unique(lambda: " ".join(self._build(*ITEM_WORDS)).rstrip(","))

    def article(self, index: int, tag: str) -> Article:
        r = self.rng
        headline = self.headline()
        n_par = r.randint(5, 15)
        paragraphs = tuple(
            tuple(self.sentence() for _ in range(r.choices((1, 2, 3), weights=(5, 3, 2))[0])) for _ in range(n_par)
        )
        list_after = r.randint(0, n_par - 2)
        intro = self.list_intro()
        items = tuple(self.item() for _ in range(r.randint(3, 5)))
        words = "-".join(headline.split()[:4]).lower()
        from xlate.ingest.slug import slugify

        name = f"{tag}-{index:04d}-{slugify(words)}.txt"
        return Article(name, headline, paragraphs, list_after, intro, items)


def generate(n: int, seed: int, tag: str = "bench") -> list[Article]:
    """`n` articles from `seed`; the first k of generate(n, s) are generate(k, s)."""
    g = Generator(seed)
    return [g.article(i, tag) for i in range(n)]


def write(articles: Sequence[Article], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for a in articles:
        p = folder / a.name
        p.write_text(a.text(), encoding="utf-8")
        paths.append(p)
    return paths


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--articles", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    paths = write(generate(args.articles, args.seed), args.out)
    print(f"wrote {len(paths)} articles to {args.out}")


if __name__ == "__main__":
    main()
