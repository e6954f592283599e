"""PII discovery: per-type precision, recall and F1 (exact and overlap) and records/s, Mamori and Presidio.

    .venv/bin/python bench/discovery.py [--records 2000] [--seed 25]
    .venv-bench/bin/python bench/discovery.py        # with presidio-analyzer (+ ja_ginza) installed

The corpus is generated here with a fixed seed (bench/discovery_corpus.py): a tuned part, a
held-out part (templates and values never tuned on: the figure that counts) and negative records
(look-alikes only). Presidio runs on the same records in the same run: its predefined pattern
recognizers, and with the spaCy pipeline ``ja_ginza`` for names and places when that is installed.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from discovery_corpus import COMPANY_PHONES, DEV, FRESH, HELD_OUT, NEGATIVE, TUNED, Record, corpus

from mamori.discovery.engine import company_numbers, detect
from mamori.discovery.spans import STRUCTURED, TYPES

Found = list[tuple[str, int, int]]
Detector = Callable[[str], Found]


def mamori_detector() -> Detector:
    company = company_numbers(COMPANY_PHONES)
    return lambda text: [(s.type, s.start, s.end) for s in detect(text, company_phones=company)]


PRESIDIO_TYPES = {
    "EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "CREDIT_CARD": "payment_card",
    "US_PASSPORT": "passport",
    "US_DRIVER_LICENSE": "drivers_licence", "US_BANK_NUMBER": "bank_account", "DATE_TIME": "date_of_birth",
    "PERSON": "person_name", "LOCATION": "address",
}  # fmt: skip
GINZA_TYPES = {"Person": "person_name", "Province": "address", "City": "address", "Country": "address",
               "GPE_Other": "address", "Address_Other": "address", "Location": "address",
               "Postal_Address": "address"}  # fmt: skip


def presidio_detectors() -> dict[str, Detector]:
    """Presidio's pattern recognizers; with ja_ginza's entities for names and places if it loads."""
    try:
        from presidio_analyzer.predefined_recognizers import (
            CreditCardRecognizer,
            DateRecognizer,
            EmailRecognizer,
            PhoneRecognizer,
            UsBankRecognizer,
            UsLicenseRecognizer,
            UsPassportRecognizer,
        )  # fmt: skip
    except ImportError as exc:
        print(f"presidio: not installed ({exc}); install the 'bench' extra to compare")
        return {}
    recognizers = [CreditCardRecognizer(), DateRecognizer(), EmailRecognizer(), UsBankRecognizer(),
                   UsLicenseRecognizer(), UsPassportRecognizer(),
                   PhoneRecognizer(supported_regions=("JP", "CN", "TW", "HK", "US"))]  # fmt: skip

    def patterns(text: str) -> Found:
        return [
            (PRESIDIO_TYPES[r.entity_type], r.start, r.end)
            for rec in recognizers
            for r in rec.analyze(text, rec.supported_entities, None)
            if r.score >= 0.4 and r.entity_type in PRESIDIO_TYPES  # noqa: PLR2004
        ]

    found = {"presidio-patterns": patterns}
    try:
        import spacy

        nlp = spacy.load("ja_ginza")
    except (ImportError, OSError) as exc:
        print(f"presidio+ja_ginza: not available ({type(exc).__name__}: {exc})")
        return found

    def with_ginza(text: str) -> Found:
        ents = [
            (GINZA_TYPES[e.label_], e.start_char, e.end_char)
            for e in nlp(text).ents
            if e.label_ in GINZA_TYPES
        ]
        return patterns(text) + ents

    found["presidio+ja_ginza"] = with_ginza
    return found


def overlaps(a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


def score(records: list[Record], detector: Detector) -> tuple[dict[str, Counter[str]], float, list[Found]]:
    counts: dict[str, Counter[str]] = {t: Counter() for t in TYPES}
    started = time.perf_counter()
    predictions = [detector(text) for _, text, _ in records]
    elapsed = time.perf_counter() - started
    for (_, _, gold), pred in zip(records, predictions, strict=True):
        for p in pred:
            c = counts.setdefault(p[0], Counter())
            c["pred"] += 1
            c["tp_exact"] += p in gold
            c["tp_overlap"] += any(overlaps(p, g) for g in gold)
        for g in gold:
            c = counts[g[0]]
            c["gold"] += 1
            c["hit_exact"] += g in pred
            c["hit_overlap"] += any(overlaps(g, p) for p in pred)
    return counts, len(records) / elapsed, predictions


def f1(c: Counter[str], mode: str) -> tuple[float, float, float]:
    p = c[f"tp_{mode}"] / c["pred"] if c["pred"] else (1.0 if not c["gold"] else 0.0)
    r = c[f"hit_{mode}"] / c["gold"] if c["gold"] else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def report(name: str, part: str, counts: dict[str, Counter[str]], rate: float) -> None:
    print(f"\n## {name} — {part}: {rate:,.0f} records/s")
    print(
        f"{'type':16} {'gold':>5} {'pred':>5}  {'P exact':>7} {'R exact':>7} {'F1 exact':>8}"
        f"  {'P ovl':>6} {'R ovl':>6} {'F1 ovl':>6}"
    )
    for t in TYPES:
        c = counts.get(t, Counter())
        pe, re_, fe = f1(c, "exact")
        po, ro, fo = f1(c, "overlap")
        print(
            f"{t:16} {c['gold']:5d} {c['pred']:5d}  {pe:7.3f} {re_:7.3f} {fe:8.3f}"
            f"  {po:6.3f} {ro:6.3f} {fo:6.3f}"
        )
    for group, members in (("structured", STRUCTURED), ("names+addresses", {"person_name", "address"})):
        total: Counter[str] = Counter()
        for t in members:
            total.update(counts.get(t, Counter()))
        print(f"{group:16} micro F1 exact {f1(total, 'exact')[2]:.3f}  overlap {f1(total, 'overlap')[2]:.3f}")


def negatives(name: str, records: list[Record], detector: Detector) -> float:
    started = time.perf_counter()
    flagged = sum(bool(detector(text)) for _, text, _ in records)
    rate = len(records) / (time.perf_counter() - started)
    print(
        f"{name:20} hard negatives flagged: {flagged}/{len(records)} = {flagged / len(records):.1%}"
        f"  ({rate:,.0f} records/s)"
    )
    return flagged / len(records)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000, help="records per part")
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument(
        "--presidio-records", type=int, default=400, help="records per part for Presidio (slow)"
    )
    args = parser.parse_args()
    parts = {
        "tuned": corpus(TUNED, args.records, args.seed),
        "held-out": corpus(HELD_OUT, args.records, args.seed + 1, rare=True),
        "dev": corpus(DEV, args.records, args.seed + 4, rare=True),
        "fresh": corpus(FRESH, args.records, args.seed + 3, fresh=True),
    }
    negative = corpus(NEGATIVE, args.records, args.seed + 2)
    assert all(labels for part in parts.values() for _, _, labels in part), "every positive record has labels"
    detectors: dict[str, Detector] = {"mamori": mamori_detector(), **presidio_detectors()}
    rates: dict[tuple[str, str], float] = {}
    for name, detector in detectors.items():
        for part, records in parts.items():
            subset = records if name == "mamori" else records[: args.presidio_records]
            counts, rate, predictions = score(subset, detector)
            assert name != "mamori" or sum(map(len, predictions)) > len(subset), "the detector did the work"
            rates[name, part] = rate
            report(name, f"{part} ({len(subset)} records)", counts, rate)
            if name == "mamori":  # Presidio on the same first records, for a like-for-like speed figure
                _, rates[name, part + "-same"], _ = score(records[: args.presidio_records], detector)
    print()
    for name, detector in detectors.items():
        negatives(name, negative if name == "mamori" else negative[: args.presidio_records], detector)
    print()
    for name in detectors:
        if name != "mamori":
            for part in parts:
                ratio = rates["mamori", part + "-same"] / rates[name, part]
                print(
                    f"speed {part}: mamori {rates['mamori', part + '-same']:,.0f} rec/s"
                    f" vs {name} {rates[name, part]:,.0f} rec/s = {ratio:,.0f}x"
                )


if __name__ == "__main__":
    main()
