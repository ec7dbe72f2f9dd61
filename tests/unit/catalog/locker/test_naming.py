from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from catalog.case import ExhibitFacts
from catalog.errors import UsageError
from catalog.locker import naming
from catalog.locker.discovery import LockerItem
from catalog.locker.naming import (
    DEFAULT_RULE,
    ExhibitPlan,
    exhibit_from_rule,
    plan_exhibits,
    read_manifest,
)

MD5 = "0123456789abcdef0123456789abcdef"
HEADER = "path,exhibit"


def _item(relpath: str, role: str = "image", reason: str = "EWF first segment") -> LockerItem:
    return LockerItem(Path("/locker") / relpath, relpath, role, 512, reason)


def _manifest(tmp_path: Path, text: str, *, bom: bool = False) -> Path:
    path = tmp_path / "manifest.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "locker"
    root.mkdir(exist_ok=True)
    return root


@pytest.mark.parametrize(
    ("rule", "relpath", "expected"),
    [
        ("{relpath}", "site-A/PC-01.E01", "site-A/PC-01.E01"),
        ("{name}", "site-A/PC-01.E01", "PC-01.E01"),
        ("{stem}", "site-A/PC-01.E01", "PC-01"),
        ("{stem}", "disk.raw.001", "disk.raw"),
        ("{relstem}", "site-A/PC-01.E01", "site-A/PC-01"),
        ("{relstem}", "noext", "noext"),
        ("{dir}", "site-A/room 2/PC-01.E01", "site-A/room 2"),
        ("{parent}", "site-A/room 2/PC-01.E01", "room 2"),
        ("{parent}-{stem}", "disk.raw.001", "-disk.raw"),
        ("CASE7/{parent}/{stem}", "raid/PC-9.dd", "CASE7/raid/PC-9"),
        ("  {stem}  ", "disk.dd", "disk"),
    ],
    ids=[
        "relpath",
        "name",
        "stem",
        "stem-last-suffix-only",
        "relstem",
        "relstem-no-suffix",
        "dir",
        "parent",
        "parent-at-root",
        "literal-text",
        "stripped",
    ],
)
def test_rule_placeholders(rule: str, relpath: str, expected: str) -> None:
    assert exhibit_from_rule(rule, _item(relpath)) == expected


def test_default_rule_is_the_path_in_the_locker() -> None:
    """Two images of one disk (``image.dd``, ``image.vmdk``) still get two ids by default."""
    assert exhibit_from_rule(DEFAULT_RULE, _item("site-A/PC-01.E01")) == "site-A/PC-01.E01"
    assert exhibit_from_rule(DEFAULT_RULE, _item("image.dd")) != exhibit_from_rule(
        DEFAULT_RULE, _item("image.vmdk")
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("{path}", "unknown placeholder {path}"),
        ("{name!r}", "unknown placeholder {name}"),
        ("{name:>9}", "unknown placeholder {name}"),
        ("{name.upper}", "unknown placeholder {name.upper}"),
        ("{}", "unknown placeholder {}"),
        ("{relstem", "naming rule '{relstem'"),
        ("relstem}", "naming rule 'relstem}'"),
    ],
    ids=["unknown", "conversion", "format-spec", "attribute", "positional", "open", "close"],
)
def test_bad_rules_are_usage_errors_naming_the_rule(rule: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(f"naming rule {rule!r}")) as caught:
        exhibit_from_rule(rule, _item("disk.dd"))
    assert message in str(caught.value)


def test_rule_giving_an_empty_id_is_refused() -> None:
    with pytest.raises(UsageError, match=r"gives an empty exhibit id for disk\.dd"):
        exhibit_from_rule("{dir}", _item("disk.dd"))


def test_rule_ids_are_safe_text() -> None:
    exhibit = exhibit_from_rule("{stem}", _item("\x1b[31mred\\xff.E01"))
    assert exhibit == "\\x1b[31mred\\xff"
    assert "\x1b" not in exhibit


def test_manifest_with_facts_bom_backslashes_and_absolute_paths(tmp_path: Path) -> None:
    root = _root(tmp_path)
    text = (
        "path,exhibit,description,seized_when,acquisition_md5,seized_by\r\n"
        f"site-A\\PC-01.E01,EX-1,Tower PC,2026-03-01T09:30+09:00,{MD5.upper()},  Sgt. Tanaka \r\n"
        f"{root.resolve() / 'phone.bin'},EX-2,,,,\r\n"
        "./raid/../disk.dd,EX-3\r\n"
        "\r\n"
    )
    rows = read_manifest(_manifest(tmp_path, text, bom=True), root)
    assert sorted(rows) == ["disk.dd", "phone.bin", "site-A/PC-01.E01"]
    first = rows["site-A/PC-01.E01"]
    assert (first.exhibit, first.line) == ("EX-1", 2)
    assert first.facts == ExhibitFacts(
        description="Tower PC",
        seized_when="2026-03-01T09:30+09:00",
        acquisition_md5=MD5,
        seized_by="Sgt. Tanaka",
    )
    assert rows["phone.bin"].facts == ExhibitFacts()
    assert rows["disk.dd"].exhibit == "EX-3"


def test_manifest_header_is_case_and_space_insensitive(tmp_path: Path) -> None:
    rows = read_manifest(_manifest(tmp_path, " Path , EXHIBIT \ndisk.dd,E1\n"), _root(tmp_path))
    assert rows["disk.dd"].exhibit == "E1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "manifest is empty"),
        ("path,description\ndisk.dd,x\n", "line 1: missing column(s) exhibit"),
        ("path,exhibit,colour,size\n", "line 1: unknown column(s) 'colour', 'size'"),
        ("path,exhibit,path\n", "line 1: repeated column(s) path"),
        (f"{HEADER}\n,E1\n", "line 2: empty path"),
        (f"{HEADER}\ndisk.dd,  \n", "line 2: empty exhibit id"),
        (f"{HEADER}\ndisk.dd,E1\ndisk.dd,E2\n", "line 3: duplicate path disk.dd (line 2)"),
        (f"{HEADER}\na\\disk.dd,E1\na/disk.dd,E2\n", "line 3: duplicate path a/disk.dd (line 2)"),
        (f"{HEADER}\na.dd,E1\nb.dd,E1\n", "line 3: duplicate exhibit id 'E1' (line 2)"),
        (f"{HEADER}\n../outside.dd,E1\n", "line 2: path '../outside.dd' is outside the locker"),
        (f"{HEADER}\na/../../x.dd,E1\n", "is outside the locker"),
        (f"{HEADER}\n.,E1\n", "line 2: path '.' is outside the locker"),
        (f"{HEADER}\n/etc/passwd,E1\n", "line 2: path '/etc/passwd' is outside the locker"),
        (f"{HEADER}\ndisk.dd,E1,extra\n", "line 2: 3 cells but the header has 2"),
        ("path,exhibit,acquisition_sha1\nd.dd,E1,abc\n", "line 2: acquisition SHA1 'abc' is not"),
        (f'{HEADER}\n"unterminated,E1\n', "unexpected end of data"),
    ],
    ids=[
        "empty",
        "missing-column",
        "unknown-columns",
        "repeated-column",
        "empty-path",
        "empty-exhibit",
        "duplicate-path",
        "duplicate-path-backslash",
        "duplicate-exhibit",
        "outside-relative",
        "outside-dotdot",
        "root-itself",
        "outside-absolute",
        "too-many-cells",
        "bad-hash",
        "bad-quoting",
    ],
)
def test_manifest_errors_name_the_manifest_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    manifest = _manifest(tmp_path, text)
    with pytest.raises(UsageError) as caught:
        read_manifest(manifest, _root(tmp_path))
    assert str(caught.value).startswith(f"{manifest}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_manifest_over_the_size_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(naming, "MAX_MANIFEST_SIZE", 10)
    manifest = _manifest(tmp_path, f"{HEADER}\ndisk.dd,E1\n")
    with pytest.raises(UsageError, match=r"manifest\.csv: manifest is over"):
        read_manifest(manifest, _root(tmp_path))


def test_manifest_field_over_64_kib_is_refused_and_the_limit_restored(tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    manifest = _manifest(tmp_path, f'{HEADER}\ndisk.dd,"{"x" * (64 * 1024 + 1)}"\n')
    with pytest.raises(UsageError, match="line 2: field larger than field limit"):
        read_manifest(manifest, _root(tmp_path))
    assert csv.field_size_limit() == limit


def test_manifest_that_is_not_utf8_or_missing_is_a_usage_error(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_bytes(b"path,exhibit\n\xff\xfe,E1\n")
    with pytest.raises(UsageError, match="manifest is not UTF-8 text"):
        read_manifest(manifest, _root(tmp_path))
    with pytest.raises(UsageError, match=r"missing\.csv: cannot read the manifest"):
        read_manifest(tmp_path / "missing.csv", _root(tmp_path))


def _plan(
    tmp_path: Path, items: list[LockerItem], text: str | None, rule: str = DEFAULT_RULE
) -> list[ExhibitPlan]:
    manifest = None if text is None else read_manifest(_manifest(tmp_path, text), _root(tmp_path))
    return plan_exhibits(items, rule, manifest)


LOCKER = [
    _item("site-B/PC-02.E01"),
    _item("site-A/PC-01.E01"),
    _item("site-A/PC-01.E02", "segment", "segment 2 of PC-01.E01"),
    _item("site-A/PC-01.E01.txt", "sidecar", "acquisition log (.txt)"),
    _item("phone.bin", reason="disk-image extension (.bin)"),
]


def test_plan_uses_manifest_rows_first_and_the_rule_for_the_rest(tmp_path: Path) -> None:
    text = "path,exhibit,seized_from\nsite-A/PC-01.E01,EX-1,Desk 4\n"
    plans = _plan(tmp_path, LOCKER, text)
    assert [(plan.item.relpath, plan.exhibit, plan.source) for plan in plans] == [
        ("phone.bin", "phone.bin", "rule"),
        ("site-A/PC-01.E01", "EX-1", "manifest"),
        ("site-B/PC-02.E01", "site-B/PC-02.E01", "rule"),
    ]
    assert plans[1].facts == ExhibitFacts(seized_from="Desk 4")
    assert plans[0].facts == ExhibitFacts()


def test_plan_without_manifest_names_every_image_by_rule() -> None:
    plans = plan_exhibits(LOCKER, "{parent}{stem}")
    assert [plan.exhibit for plan in plans] == ["phone", "site-APC-01", "site-BPC-02"]
    assert {plan.source for plan in plans} == {"rule"}


def test_plan_refuses_a_bad_rule_even_when_the_manifest_names_everything() -> None:
    with pytest.raises(UsageError, match="unknown placeholder"):
        plan_exhibits([], "{nope}")


@pytest.mark.parametrize(
    ("relpath", "message"),
    [
        ("site-A/PC-01.E01.txt", "it is a sidecar: acquisition log (.txt)"),
        ("site-A/PC-01.E02", "it is a segment: segment 2 of PC-01.E01"),
        ("site-C/gone.E01", "not found"),
    ],
    ids=["sidecar", "segment", "not-found"],
)
def test_manifest_row_that_is_not_an_image_is_refused(
    tmp_path: Path, relpath: str, message: str
) -> None:
    with pytest.raises(UsageError) as caught:
        _plan(tmp_path, LOCKER, f"{HEADER}\n{relpath},EX-9\n")
    assert str(caught.value) == (
        f"manifest line 2 names {relpath}, which is not an image in the locker ({message})"
    )


def test_rule_collision_names_both_images() -> None:
    items = [_item("a/disk.E01"), _item("b/disk.E01")]
    with pytest.raises(UsageError, match=r"'disk' would name both a/disk\.E01 and b/disk\.E01"):
        plan_exhibits(items, "{stem}")


def test_manifest_id_colliding_with_a_rule_id_is_refused(tmp_path: Path) -> None:
    text = f"{HEADER}\nsite-A/PC-01.E01,phone.bin\n"
    with pytest.raises(
        UsageError, match=r"'phone\.bin' would name both phone\.bin and site-A/PC-01"
    ):
        _plan(tmp_path, LOCKER, text)
