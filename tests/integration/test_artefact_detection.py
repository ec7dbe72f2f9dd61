"""Detection quality on the labelled artefact corpus: precision and recall per kind.

The corpus (tests/fixtures/artefacts) is built into a temporary folder, every file goes
through ``catalog.documents.analyse_path`` (extraction, archives, every detector), and the
findings are compared with the labels over (file, kind) pairs for document kinds and
(file, kind, normalized) triples for identifiers. Run with ``pytest -s`` to see the table.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import phonenumbers
import pytest

from parsers.detector import DOCUMENT_KINDS, FINDING_KINDS
from tests.fixtures.artefacts import CATEGORIES, LabelledFile, build_corpus, source_documents

MIN_PRECISION = 0.9
MIN_RECALL = 0.9
IDENTIFIER_KINDS = tuple(k for k in FINDING_KINDS if k not in DOCUMENT_KINDS)

Triple = tuple[str, str, str]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[LabelledFile]:
    return build_corpus(tmp_path_factory.mktemp("artefacts"))


@pytest.fixture(scope="module")
def findings(corpus: list[LabelledFile]) -> dict[str, list]:
    from catalog.documents import analyse_path

    return {labelled.path.name: list(analyse_path(labelled.path)) for labelled in corpus}


def _expected(corpus: list[LabelledFile]) -> set[Triple]:
    triples: set[Triple] = set()
    for labelled in corpus:
        name = labelled.path.name
        triples |= {(name, kind, "") for kind in labelled.categories}
        triples |= {(name, k, v) for k, values in labelled.identifiers.items() for v in values}
    return triples


def _found(findings: dict[str, list]) -> set[Triple]:
    triples: set[Triple] = set()
    for name, items in findings.items():
        for f in items:
            triples.add((name, f.kind, "" if f.kind in DOCUMENT_KINDS else f.normalized))
    return triples


def _table(expected: set[Triple], found: set[Triple]) -> tuple[str, list[str]]:
    lines = [f"{'kind':<16}{'labels':>7}{'found':>7}{'tp':>6}{'precision':>11}{'recall':>8}"]
    failures = []
    for kind in FINDING_KINDS:
        exp = {t for t in expected if t[1] == kind}
        got = {t for t in found if t[1] == kind}
        tp = len(exp & got)
        precision = tp / len(got) if got else 1.0
        recall = tp / len(exp) if exp else 1.0
        lines.append(f"{kind:<16}{len(exp):>7}{len(got):>7}{tp:>6}{precision:>11.2f}{recall:>8.2f}")
        if (exp and (precision < MIN_PRECISION or recall < MIN_RECALL)) or (not exp and got):
            fps = "\n    ".join(map(str, sorted(got - exp)))
            fns = "\n    ".join(map(str, sorted(exp - got)))
            failures.append(
                f"{kind}: precision {precision:.2f} recall {recall:.2f}\n"
                f"  false positives:\n    {fps or '-'}\n  false negatives:\n    {fns or '-'}"
            )
    return "\n".join(lines), failures


def test_precision_and_recall_per_kind_reach_the_bar(
    corpus: list[LabelledFile], findings: dict[str, list]
) -> None:
    table, failures = _table(_expected(corpus), _found(findings))
    print("\n" + table)
    assert not failures, "\n".join(failures)


def test_findings_are_well_formed(findings: dict[str, list]) -> None:
    for name, items in findings.items():
        documents = [f.kind for f in items if f.kind in DOCUMENT_KINDS]
        assert all(f.kind in FINDING_KINDS for f in items), name
        assert all(0.0 <= f.score <= 1.0 for f in items), name
        assert len(documents) == len(set(documents)) or name.endswith(".zip"), name


# The corpus itself: checked without analyse_path, so these run before it exists.


def test_corpus_is_large_varied_and_has_decoys(tmp_path: Path) -> None:
    corpus = build_corpus(tmp_path)
    suffixes = {f.path.suffix for f in corpus}
    assert len(corpus) >= 70
    assert sum(1 for f in corpus if not f.categories) >= 20
    assert {".txt", ".html", ".mht", ".docx", ".xlsx", ".pdf", ".rtf", ".csv", ".tsv"} <= suffixes
    assert {".vcf", ".eml", ".sqlite", ".json", ".zip"} <= suffixes
    assert all(f.categories <= CATEGORIES for f in corpus)
    assert all(f.path.is_file() and f.path.stat().st_size > 0 for f in corpus)
    assert len({f.path.name for f in corpus}) == len(corpus)


def test_corpus_build_is_deterministic(tmp_path: Path) -> None:
    first = {
        f.path.name: hashlib.sha256(f.path.read_bytes()).hexdigest()
        for f in build_corpus(tmp_path / "a")
    }
    second = {
        f.path.name: hashlib.sha256(f.path.read_bytes()).hexdigest()
        for f in build_corpus(tmp_path / "b")
    }
    assert first == second


def _haystack(doc) -> str:
    cells = [c for _, header, rows in doc.tables for row in [header or (), *rows] for c in row]
    return "\n".join([doc.text, doc.markup or "", *doc.settings.values(), *cells])


def _deobfuscated(text: str) -> str:
    text = re.sub(r"hxxp", "http", text, flags=re.I)
    return re.sub(r"\[\.\]|\(\.\)|\[dot\]", ".", text)


def _present(kind: str, value: str, hay: str) -> bool:
    digits = re.sub(r"\D", "", hay)
    squeezed = re.sub(r"[\s-]", "", hay).upper()
    if kind == "phone":
        number = phonenumbers.parse(value)
        return str(number.national_number) in digits
    if kind in {"email", "url", "domain", "eth_address"}:
        return value.lower() in _deobfuscated(hay).lower()
    if kind in {"anydesk_id", "teamviewer_id", "bank_account"}:
        return value in digits
    if kind in {"gift_card_code", "iban"}:
        return value in squeezed
    if kind == "sip_account":
        user, host = value.split("@")
        return user in hay and host in hay.lower()
    return value in hay


@pytest.mark.parametrize("doc", list(source_documents()), ids=lambda d: d.name)
def test_every_label_is_normalised_and_written_in_its_source(doc) -> None:
    hay = _haystack(doc)
    for kind, values in doc.identifiers.items():
        assert kind in IDENTIFIER_KINDS
        for value in values:
            assert _present(kind, value, hay), (kind, value)
            if kind == "phone":
                assert phonenumbers.is_valid_number(phonenumbers.parse(value)), value
                assert value == phonenumbers.format_number(
                    phonenumbers.parse(value), phonenumbers.PhoneNumberFormat.E164
                )
            if kind in {"email", "domain", "btc_address"} and not value.startswith(("1", "3")):
                assert value == value.lower(), value
            if kind in {"gift_card_code", "iban"}:
                assert value == value.upper() and " " not in value and "-" not in value
