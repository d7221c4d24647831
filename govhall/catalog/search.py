"""Chinese search over the catalog, the same on SQLite and PostgreSQL.

Why not FTS5 or pg_trgm: FTS5's trigram tokenizer misses the one- and
two-character words people type (社保, 婚姻), and the two databases would rank
differently. Instead each item keeps plain `SearchTerm` rows with one B-tree
index, and a query becomes a few exact lookups on it:

* Chinese: every character and every two-character slice of the name
  (结婚登记 → 结 婚 登 记 结婚 婚登 登记);
* full pinyin: every syllable and every pair of adjacent syllables (hun, hunyin);
* initials: every first letter and every adjacent pair, marked with "#" (#h, #hy);
* jieba words of three or more characters, with their pinyin and initials.

A query is normalised (full-width to half-width, lower case), synonyms expanded,
and split into units: Chinese characters, pinyin syllables, or initials (an
ASCII run that is not whole syllables). Adjacent units of one kind become a
pair term; the item must have every term (AND). Name terms weigh more than
keyword, theme and body terms, so name matches come first.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from pypinyin import lazy_pinyin

NAME_WEIGHT = 10
KEYWORD_WEIGHT = 6
THEME_WEIGHT = 3
BODY_WEIGHT = 1
WEIGHTS = (NAME_WEIGHT, KEYWORD_WEIGHT, THEME_WEIGHT, BODY_WEIGHT)
MAX_CANDIDATES = 500
INITIAL = "#"

HAN_RE = re.compile(r"[\u3400-\u9fff]")
RUN_RE = re.compile(r"[\u3400-\u9fff]+|[a-z]+|'")


def _is_han(ch: str) -> bool:
    return bool(HAN_RE.match(ch))


@functools.cache
def syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (ü written v), from pypinyin's own dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict

    found = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            s = unicodedata.normalize("NFC", reading)
            s = re.sub("[ǖǘǚǜü]", "v", s)
            s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
            if s.isascii() and s.isalpha() and (len(s) > 1 or s in {"a", "e", "o"}):
                found.add(s.lower())
    found -= {"hm", "hng", "ng", "ê"}
    return frozenset(found)


def _jieba():
    import jieba

    jieba.setLogLevel(60)
    return jieba


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower().strip()


# --- indexing -----------------------------------------------------------------


def _han_runs(text: str) -> list[str]:
    return re.findall(r"[\u3400-\u9fff]+", normalise(text))


@functools.lru_cache(maxsize=100_000)
def _run_terms(run: str, *, with_pinyin: bool) -> frozenset[str]:
    terms = set(run) | {run[i : i + 2] for i in range(len(run) - 1)}
    if with_pinyin:
        py = lazy_pinyin(run)
        if len(py) == len(run):
            ini = [p[0] for p in py]
            terms |= set(py) | {py[i] + py[i + 1] for i in range(len(py) - 1)}
            terms |= {INITIAL + c for c in ini} | {INITIAL + ini[i] + ini[i + 1] for i in range(len(ini) - 1)}
    return frozenset(terms)


def _word_terms(text: str) -> set[str]:
    terms: set[str] = set()
    for run in _han_runs(text):
        terms |= _run_word_terms(run)
    return terms


@functools.lru_cache(maxsize=100_000)
def _run_word_terms(run: str) -> frozenset[str]:
    terms: set[str] = set()
    for word in _jieba().cut(run):
        if len(word) >= 3:
            py = lazy_pinyin(word)
            terms |= {word, "".join(py)[:40], INITIAL + "".join(p[0] for p in py)}
    return frozenset(terms)


def text_terms(text: str, *, with_pinyin: bool = True, words: bool = True) -> set[str]:
    """The search terms of one piece of text."""
    terms: set[str] = set()
    for run in _han_runs(text):
        terms |= _run_terms(run, with_pinyin=with_pinyin)
    if words and with_pinyin:
        terms |= _word_terms(text)
    return {t for t in terms if len(t) <= 40}


def item_terms(
    *, name: str, keywords: str = "", themes: Sequence[str] = (), body: str = ""
) -> dict[str, int]:
    """term → weight for one item; the name outweighs keywords, themes and body."""
    weighted: dict[str, int] = {}
    for text, weight, pinyin in (
        (body, BODY_WEIGHT, False),
        (" ".join(themes), THEME_WEIGHT, True),
        (keywords, KEYWORD_WEIGHT, True),
        (name, NAME_WEIGHT, True),
    ):
        for term in text_terms(text, with_pinyin=pinyin, words=pinyin):
            weighted[term] = max(weighted.get(term, 0), weight)
    return weighted


# --- queries --------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    kind: str  # "han", "pinyin", "initial"
    value: str


@dataclass
class Alternative:
    """One reading of the query: every term must be present on the item."""

    terms: list[str]
    label: str = ""
    bonus: int = 0
    relaxed_min: int | None = None  # if set: at least this many of `terms`


@dataclass
class ParsedQuery:
    text: str
    alternatives: list[Alternative] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(a.terms for a in self.alternatives)


def segment_pinyin(letters: str) -> list[Unit]:
    """Split an ASCII run into syllables where it can, single initials where it
    cannot: fewest initials first, then fewest units (hunyin → hun yin;
    hydj → h y d j; jiehundj → jie hun d j)."""
    sy = syllables()
    n = len(letters)
    best: list[tuple[int, int, list[Unit]] | None] = [None] * (n + 1)
    best[0] = (0, 0, [])
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        inits, count, units = here
        for j in range(i + 1, min(n, i + 6) + 1):
            piece = letters[i:j]
            if piece in sy:
                cand = (inits, count + 1, units + [Unit("pinyin", piece)])
            elif j == i + 1:
                cand = (inits + 1, count + 1, units + [Unit("initial", piece)])
            else:
                continue
            there = best[j]
            if there is None or cand[:2] < there[:2]:
                best[j] = cand
    found = best[n]  # never None: a single letter always fits as an initial
    return found[2] if found is not None else []


def _units_of(text: str, *, initials_only: bool = False) -> list[list[Unit]]:
    """Groups of adjacent units; an apostrophe or a space breaks a group."""
    groups: list[list[Unit]] = [[]]
    for tok in RUN_RE.findall(text):
        if tok == "'":
            groups.append([])
        elif _is_han(tok[0]):
            groups[-1].extend(Unit("han", c) for c in tok)
        elif initials_only:
            groups[-1].extend(Unit("initial", c) for c in tok)
        else:
            groups[-1].extend(segment_pinyin(tok))
    return [g for g in groups if g]


def _unit_term(u: Unit) -> str:
    return INITIAL + u.value if u.kind == "initial" else u.value


def _terms_of_units(groups: list[list[Unit]]) -> list[str]:
    terms: list[str] = []
    for units in groups:
        covered = [False] * len(units)
        for i in range(len(units) - 1):
            a, b = units[i], units[i + 1]
            if a.kind == b.kind:
                terms.append(_unit_term(a) + b.value)
                covered[i] = covered[i + 1] = True
        terms += [_unit_term(u) for u, c in zip(units, covered, strict=True) if not c]
    return list(dict.fromkeys(terms))  # without repeats, in order


def parse_query(q: str, synonyms: dict[str, list[str]] | None = None) -> ParsedQuery:
    """Turn what a citizen typed into alternatives of exact term lookups."""
    text = re.sub(r"\s+", "", normalise(q))[:40]
    parsed = ParsedQuery(text=text)
    if not text:
        return parsed
    readings = [(text, 0, "")]
    for word, expansions in (synonyms or {}).items():
        w = normalise(word)
        if w and w in text:
            readings += [(text.replace(w, normalise(e)), -1, e) for e in expansions]
    for reading, bonus, label in readings:
        groups = _units_of(reading)
        if groups:
            parsed.alternatives.append(Alternative(_terms_of_units(groups), label=label, bonus=bonus))
        # "an", "xian": also try every letter as an initial (no initial is i, u or v).
        if (
            reading.isascii()
            and 2 <= len(reading) <= 5
            and not set(reading) & set("iuv")
            and any(u.kind != "initial" for g in groups for u in g)
        ):
            init = _terms_of_units(_units_of(reading, initials_only=True))
            parsed.alternatives.append(Alternative(init, label=label, bonus=bonus - 1))
    # 婚烟 → hun yan: the same sounds with other characters, ranked below every exact match.
    if len(text) >= 2 and all(_is_han(c) for c in text):
        py = lazy_pinyin(text)
        if len(py) == len(text) and all(p.isascii() and p.isalpha() for p in py):
            units = [Unit("pinyin", p.lower()) for p in py]
            parsed.alternatives.append(Alternative(_terms_of_units([units]), label="", bonus=HOMOPHONE_BONUS))
    # A long query rarely matches every slice; let it match most of them, ranked lower.
    first = parsed.alternatives[0] if parsed.alternatives else None
    if first and len(first.terms) >= 4:
        parsed.alternatives.append(
            Alternative(first.terms, label="", bonus=-2, relaxed_min=math.ceil(len(first.terms) * 0.6))
        )
    return parsed


# --- ranking and sorting ----------------------------------------------------------

# A name that holds the query in a row (结婚登记 for "jhdj", "jiehun" or 结婚) ranks
# above one whose letters or characters match in scattered pairs (吉祥话…大家 for "jhdj").
CONTIGUOUS_BONUS = 300
# A homophone (same pinyin, other characters) is a reading of its own, ranked below
# every exact character match, keyword ones included.
HOMOPHONE_BONUS = -100
SORT_KEY_MAX = 255


@functools.lru_cache(maxsize=50_000)
def _readings(name: str) -> tuple[str, str, tuple[str, ...], str]:
    text = normalise(name)
    py = lazy_pinyin(text)
    syl = tuple(p.lower() for p in py if p.isascii() and p.isalpha())
    return text, "".join(s[0] for s in syl), syl, " ".join(py)[:SORT_KEY_MAX]


def name_readings(name: str) -> tuple[str, str, tuple[str, ...]]:
    """(characters, initials, syllables) of a name, lower case, Chinese only in the last two."""
    text, initials, syl, _ = _readings(name)
    return text, initials, syl


def _contiguous_pinyin(letters: str, syl: tuple[str, ...]) -> bool:
    """`letters` is a run of whole syllables of the name, the last one possibly cut short (jiehund)."""
    for start in range(len(syl)):
        rest = letters
        for s in syl[start:]:
            if rest.startswith(s):
                rest = rest[len(s) :]
            elif s.startswith(rest):
                rest = ""
            else:
                break
            if not rest:
                return True
    return False


def contiguous_bonus(query: str, name: str) -> int:
    """CONTIGUOUS_BONUS when every part of the query is found in the name in a row:
    its characters as one slice, its letters as consecutive initials or syllables."""
    text = re.sub(r"\s+", "", normalise(query))
    if not text:
        return 0
    chars, initials, syl = name_readings(name)
    han = "".join(c for c in text if _is_han(c))
    letters = "".join(c for c in text if c.isascii() and c.isalpha())
    if han and han not in chars:
        return 0
    if letters and letters not in initials and not _contiguous_pinyin(letters, syl):
        return 0
    return CONTIGUOUS_BONUS if (han or letters) else 0


def sort_key(name: str) -> str:
    """How item lists sort: by pinyin (婚 under h), not by code point."""
    return _readings(name)[3]
