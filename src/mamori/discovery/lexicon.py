"""The word lists of the detectors (``data/``, shipped in the package), as sets and fast regexes.

An alternation of a few hundred words is slow in ``re`` (each alternative is tried at each
position); the same words as a trie (``山(?:田|本|口)``) are matched with one branch per character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


def _lines(name: str) -> list[str]:
    text = resources.files("mamori.discovery").joinpath("data", name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def trie_pattern(words: set[str] | frozenset[str]) -> str:
    """A regex (no groups) matching exactly ``words``, longest first, built as a character trie."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node(trie)


def _node(node: dict) -> str:  # type: ignore[type-arg]
    ends = "" in node
    branches = [re.escape(c) + _node(sub) for c, sub in sorted(node.items()) if c]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{body})?"
    return body


@dataclass(frozen=True)
class Lexicon:
    ja_surnames: frozenset[str]
    ja_surnames_kana: frozenset[str]
    ja_given: frozenset[str]
    ja_given_kana: frozenset[str]
    romaji_surnames: frozenset[str]
    romaji_given: frozenset[str]
    zh_surnames: frozenset[str]
    prefectures: frozenset[str]
    ja_cities: frozenset[str]
    zh_places: frozenset[str]


def _triples(name: str) -> list[tuple[str, str, str]]:
    out = []
    for line in _lines(name):
        kanji, kana, romaji = line.split("\t")
        out.append((kanji, kana, romaji))
    return out


@cache
def lexicon() -> Lexicon:
    """The dictionaries, read once per process."""
    surnames = _triples("ja_surnames.tsv")
    given = _triples("ja_given.tsv")
    english = {line.split("\t")[0]: line.split("\t")[1].split() for line in _lines("en_names.tsv")}
    places: dict[str, set[str]] = {"P": set(), "C": set()}
    for line in _lines("ja_places.txt"):
        kind, *names = line.split()
        places[kind].update(names)
    return Lexicon(
        ja_surnames=frozenset(k for k, _, _ in surnames),
        ja_surnames_kana=frozenset(k for _, k, _ in surnames),
        ja_given=frozenset(k for k, _, _ in given),
        ja_given_kana=frozenset(k for _, k, _ in given),
        romaji_surnames=frozenset({r for _, _, r in surnames} | set(english["s"])),
        romaji_given=frozenset({r for _, _, r in given} | set(english["g"])),
        zh_surnames=frozenset(w for line in _lines("zh_surnames.txt") for w in line.split()),
        prefectures=frozenset(places["P"]),
        ja_cities=frozenset(places["C"]),
        zh_places=frozenset(w for line in _lines("zh_places.txt") for w in line.split()),
    )
