from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest

from catalog.errors import CatalogError, UsageError
from catalog.hashsets import (
    HashSetFormatError,
    HashSetNameConflict,
    HashSetNotFound,
    HashSetStore,
    HashSetStoreError,
    LineProblem,
    Match,
    default_store_path,
)
from catalog.hashsets import store as store_module
from catalog.provenance import tool_version
from tests.unit.catalog.hashsets.conftest import (
    ANYDESK,
    NOTEPAD,
    OTHER,
    SCRIPT,
    TEAMVIEWER,
    Digests,
    digests,
    write,
)


def names(matches: list[Match]) -> list[str]:
    return [match.name for match in matches]


def test_import_md5sum_then_lookup_by_md5(store: HashSetStore, tmp_path: Path) -> None:
    source = write(
        tmp_path / "bad.md5",
        f"# raid 2024-03\n{TEAMVIEWER.md5.upper()}  tv.exe\nnot a line\n{ANYDESK.md5} *ad.exe\n",
        newline="\r\n",
    )
    result = store.import_set(source, "raid-2024", "known-bad", "auto", "Examiner A")

    assert result.already_present is False
    assert result.problems == (LineProblem(3, "md5 has 3 characters, expected 32 hex digits"),)
    assert result.problem_count == 1
    info = result.info
    assert (info.name, info.kind, info.format, info.row_count) == (
        "raid-2024",
        "known-bad",
        "md5sum",
        2,
    )
    assert info.hash_types == ("md5",)
    assert info.source_sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert info.source_path == str(source.resolve())
    assert info.examiner == "Examiner A"
    assert info.tool == tool_version()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", info.imported)
    assert store.lookup(*TEAMVIEWER.lookup) == [
        Match(info.set_id, "raid-2024", "known-bad", "tv.exe")
    ]
    assert store.lookup(None, None, ANYDESK.md5.upper()) == [
        Match(info.set_id, "raid-2024", "known-bad", "ad.exe")
    ]
    assert store.lookup(*OTHER.lookup) == []


@pytest.mark.parametrize(
    ("fmt", "text", "hash_types"),
    [
        ("sha1sum", f"{TEAMVIEWER.sha1.upper()}  tv.exe\n", ("sha1",)),
        ("sha256sum", f"SHA256 (tv.exe) = {TEAMVIEWER.sha256}\n", ("sha256",)),
        (
            "hashdeep",
            "%%%% HASHDEEP-1.0\n%%%% size,md5,sha1,sha256,filename\n## x\n"
            f"9,{TEAMVIEWER.md5},{TEAMVIEWER.sha1},{TEAMVIEWER.sha256.upper()},tv.exe\n",
            ("sha256", "sha1", "md5"),
        ),
        ("csv", f"SHA-1,File_Name\n{TEAMVIEWER.sha1},tv.exe\n", ("sha1",)),
    ],
)
def test_every_text_format_imports_and_matches(
    store: HashSetStore, tmp_path: Path, fmt: str, text: str, hash_types: tuple[str, ...]
) -> None:
    source = write(tmp_path / "set.txt", text, newline="\r\n")
    result = store.import_set(source, "set", "known-good", "auto", "A")
    assert result.info.format == fmt
    assert result.info.hash_types == hash_types
    assert result.problem_count == 0
    assert names(store.lookup(*TEAMVIEWER.lookup)) == ["set"]
    assert store.lookup(*ANYDESK.lookup) == []


def test_explicit_format_is_used_without_detection(store: HashSetStore, tmp_path: Path) -> None:
    source = write(tmp_path / "list.txt", f"{TEAMVIEWER.md5}\n{ANYDESK.sha1}\n")
    result = store.import_set(source, "bare", "known-bad", "md5sum", "A")
    assert result.info.format == "md5sum"
    assert result.info.row_count == 1
    assert result.problems == (LineProblem(2, "md5 has 40 characters, expected 32 hex digits"),)


def test_importing_the_same_content_again_is_a_no_op(store: HashSetStore, tmp_path: Path) -> None:
    source = write(tmp_path / "a.md5", f"{TEAMVIEWER.md5}  tv.exe\n")
    first = store.import_set(source, "a", "known-bad", "auto", "A")
    copy = write(tmp_path / "copy.md5", f"{TEAMVIEWER.md5}  tv.exe\n")
    again = store.import_set(copy, "a", "known-bad", "md5sum", "B")
    assert again.already_present is True
    assert again.info == first.info
    assert again.problems == ()
    assert len(store.sets()) == 1
    assert store.lookup(*TEAMVIEWER.lookup) == [
        Match(first.info.set_id, "a", "known-bad", "tv.exe")
    ]
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT count(*) FROM hashes").fetchone() == (1,)
    db.close()


def test_same_name_with_other_content_is_refused(store: HashSetStore, tmp_path: Path) -> None:
    store.import_set(
        write(tmp_path / "a.md5", f"{TEAMVIEWER.md5}  tv\n"), "a", "known-bad", "auto", "A"
    )
    other = write(tmp_path / "b.md5", f"{ANYDESK.md5}  ad\n")
    with pytest.raises(HashSetNameConflict, match=r"b\.md5: a hash set called 'a' was imported"):
        store.import_set(other, "a", "known-bad", "auto", "A")
    assert store.lookup(*ANYDESK.lookup) == []


def test_same_content_under_another_kind_is_refused(store: HashSetStore, tmp_path: Path) -> None:
    source = write(tmp_path / "a.md5", f"{TEAMVIEWER.md5}  tv\n")
    store.import_set(source, "a", "known-bad", "auto", "A")
    with pytest.raises(HashSetNameConflict, match="known-bad, not known-good"):
        store.import_set(source, "a", "known-good", "auto", "A")


def test_same_content_under_another_name_is_a_second_set(
    store: HashSetStore, tmp_path: Path
) -> None:
    source = write(tmp_path / "a.md5", f"{TEAMVIEWER.md5}  tv\n")
    store.import_set(source, "b-set", "known-bad", "auto", "A")
    store.import_set(source, "a-set", "known-good", "auto", "A")
    matches = store.lookup(*TEAMVIEWER.lookup)
    assert [(m.name, m.kind) for m in matches] == [("a-set", "known-good"), ("b-set", "known-bad")]


def test_source_without_valid_rows_is_refused_and_leaves_nothing(
    store: HashSetStore, tmp_path: Path
) -> None:
    source = write(tmp_path / "bad.md5", "# nothing\nzz  a\nyy  b\n")
    with pytest.raises(HashSetFormatError, match=r"bad.md5: no valid md5sum row \(2 malformed"):
        store.import_set(source, "bad", "known-bad", "md5sum", "A")
    assert store.sets() == []


@pytest.mark.parametrize(
    ("name", "kind", "fmt", "message"),
    [
        ("", "known-bad", "auto", "must be one printable line"),
        ("two\nlines", "known-bad", "auto", "must be one printable line"),
        ("ok", "suspicious", "auto", "kind 'suspicious'"),
        ("ok", "known-bad", "xml", "format 'xml'"),
    ],
)
def test_bad_arguments_are_usage_errors(
    store: HashSetStore, tmp_path: Path, name: str, kind: str, fmt: str, message: str
) -> None:
    source = write(tmp_path / "a.md5", f"{TEAMVIEWER.md5}  tv\n")
    with pytest.raises(UsageError, match=message):
        store.import_set(source, name, kind, fmt, "A")


def test_missing_source_is_a_format_error_naming_it(store: HashSetStore, tmp_path: Path) -> None:
    with pytest.raises(HashSetFormatError, match=r"nope\.md5: cannot read"):
        store.import_set(tmp_path / "nope.md5", "a", "known-bad", "auto", "A")


def test_source_changed_during_import_is_refused(
    store: HashSetStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path / "a.md5", f"{TEAMVIEWER.md5}  tv\n")
    monkeypatch.setattr(store_module.importer, "file_sha256", lambda path: "0" * 64)
    with pytest.raises(HashSetFormatError, match="changed while being imported"):
        store.import_set(source, "a", "known-bad", "auto", "A")
    assert store.sets() == []


def test_sets_and_get(store: HashSetStore, tmp_path: Path) -> None:
    store.import_set(
        write(tmp_path / "z.md5", f"{TEAMVIEWER.md5}  a\n"), "zeta", "known-bad", "auto", "A"
    )
    store.import_set(
        write(tmp_path / "a.md5", f"{ANYDESK.md5}  b\n"), "alpha", "known-good", "auto", "A"
    )
    assert [info.name for info in store.sets()] == ["alpha", "zeta"]
    assert store.get("zeta").kind == "known-bad"
    with pytest.raises(HashSetNotFound, match="no hash set called 'gamma'") as caught:
        store.get("gamma")
    assert isinstance(caught.value, LookupError)
    assert isinstance(caught.value, UsageError)


def _import(store: HashSetStore, tmp_path: Path, name: str, kind: str, text: str) -> int:
    source = write(tmp_path / f"{name}.txt", text)
    return store.import_set(source, name, kind, "auto", "A").info.set_id


def test_md5_only_set_is_matched_by_md5(store: HashSetStore, tmp_path: Path) -> None:
    _import(store, tmp_path, "md5-only", "known-bad", f"{TEAMVIEWER.md5}  tv.exe\n")
    assert names(store.lookup(*TEAMVIEWER.lookup)) == ["md5-only"]


def test_set_with_sha256_is_not_matched_by_a_colliding_md5_alone(
    store: HashSetStore, tmp_path: Path
) -> None:
    colliding = Digests(TEAMVIEWER.md5, TEAMVIEWER.sha1, OTHER.sha256)
    _import(
        store,
        tmp_path,
        "strong",
        "known-good",
        f"name,md5,sha256\ntv.exe,{TEAMVIEWER.md5},{TEAMVIEWER.sha256}\n",
    )
    assert store.lookup(*colliding.lookup) == []
    assert names(store.lookup(*TEAMVIEWER.lookup)) == ["strong"]
    assert names(store.lookup(None, None, TEAMVIEWER.md5)) == ["strong"]


def test_row_without_sha256_in_a_mixed_set_still_matches_by_md5(
    store: HashSetStore, tmp_path: Path
) -> None:
    _import(
        store,
        tmp_path,
        "mixed",
        "known-bad",
        f"name,md5,sha256\ntv.exe,{TEAMVIEWER.md5},{TEAMVIEWER.sha256}\nad.exe,{ANYDESK.md5},\n",
    )
    assert names(store.lookup(*ANYDESK.lookup)) == ["mixed"]
    assert names(store.lookup(*Digests(ANYDESK.md5, ANYDESK.sha1, OTHER.sha256).lookup)) == [
        "mixed"
    ]
    assert store.lookup(*Digests(TEAMVIEWER.md5, TEAMVIEWER.sha1, OTHER.sha256).lookup) == []


def test_sha1_decides_when_the_row_has_no_sha256(store: HashSetStore, tmp_path: Path) -> None:
    _import(store, tmp_path, "sha1-md5", "known-bad", f"md5,sha1\n{ANYDESK.md5},{ANYDESK.sha1}\n")
    assert names(store.lookup(*ANYDESK.lookup)) == ["sha1-md5"]
    assert store.lookup(*Digests(ANYDESK.md5, OTHER.sha1, ANYDESK.sha256).lookup) == []
    assert names(store.lookup(None, None, ANYDESK.md5)) == ["sha1-md5"]


def test_all_matching_sets_are_returned_sorted_by_name(store: HashSetStore, tmp_path: Path) -> None:
    _import(store, tmp_path, "nsrl-ish", "known-good", f"{TEAMVIEWER.sha256}  TeamViewer.exe\n")
    _import(store, tmp_path, "another-raid", "known-bad", f"{TEAMVIEWER.md5}  tv_setup.exe\n")
    _import(store, tmp_path, "first-raid", "known-bad", f"sha1,name\n{TEAMVIEWER.sha1},tv.exe\n")
    matches = store.lookup(*TEAMVIEWER.lookup)
    assert [(m.name, m.kind, m.file_name) for m in matches] == [
        ("another-raid", "known-bad", "tv_setup.exe"),
        ("first-raid", "known-bad", "tv.exe"),
        ("nsrl-ish", "known-good", "TeamViewer.exe"),
    ]


def test_a_set_listing_a_file_twice_matches_once_with_its_first_name(
    store: HashSetStore, tmp_path: Path
) -> None:
    _import(
        store,
        tmp_path,
        "dup",
        "known-good",
        f"{NOTEPAD.md5}  first.exe\n{NOTEPAD.md5}  second.exe\n",
    )
    assert [m.file_name for m in store.lookup(*NOTEPAD.lookup)] == ["first.exe"]


def test_lookup_rejects_malformed_digests(store: HashSetStore) -> None:
    with pytest.raises(UsageError, match="not a md5 digest"):
        store.lookup(None, None, "xyz")
    with pytest.raises(UsageError, match="not a sha256 digest"):
        store.lookup(TEAMVIEWER.md5, None, None)


def test_lookup_in_an_empty_store_finds_nothing(store: HashSetStore) -> None:
    assert store.lookup(*TEAMVIEWER.lookup) == []
    assert store.lookup(None, None, None) == []


def test_lookup_many_answers_every_key_across_batches(
    store: HashSetStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = [digests(f"listed {i}".encode()) for i in range(25)]
    _import(
        store,
        tmp_path,
        "good",
        "known-good",
        "".join(f"{d.sha256}  f{i}\n" for i, d in enumerate(listed)),
    )
    _import(store, tmp_path, "bad", "known-bad", f"{listed[3].md5}  evil\n{SCRIPT.md5}  script\n")
    monkeypatch.setattr(store_module, "LOOKUP_BATCH", 4)
    rows = [(f"k{i}", d.sha256, d.sha1, d.md5) for i, d in enumerate(listed)]
    rows += [("script", None, None, SCRIPT.md5.upper()), ("none", None, None, None)]
    rows += [("other", *OTHER.lookup)]
    answers = store.lookup_many(rows)
    assert set(answers) == {key for key, *_ in rows}
    assert answers["k0"] == [Match(1, "good", "known-good", "f0")]
    assert names(answers["k3"]) == ["bad", "good"]
    assert all(names(answers[f"k{i}"]) == ["good"] for i in range(25) if i != 3)
    assert answers["script"] == [Match(2, "bad", "known-bad", "script")]
    assert answers["none"] == [] and answers["other"] == []


def test_small_import_into_a_large_store_keeps_the_indexes(
    store: HashSetStore, tmp_path: Path
) -> None:
    listed = [digests(f"listed {i}".encode()) for i in range(200)]
    _import(
        store,
        tmp_path,
        "big",
        "known-good",
        "".join(f"{d.md5}  f{i}\n" for i, d in enumerate(listed)),
    )
    _import(store, tmp_path, "small", "known-bad", f"{SCRIPT.md5}  s\n")
    db = sqlite3.connect(store.path)
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    db.close()
    assert {"hashes_sha256", "hashes_sha1", "hashes_md5"} <= indexes
    assert names(store.lookup(*SCRIPT.lookup)) == ["small"]
    assert names(store.lookup(*listed[199].lookup)) == ["big"]


def test_store_reopens_with_its_sets(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "hashsets.db"
    first = HashSetStore(path)
    _import(first, tmp_path, "a", "known-bad", f"{TEAMVIEWER.md5}  tv\n")
    first.close()
    second = HashSetStore(path)
    assert names(second.lookup(*TEAMVIEWER.lookup)) == ["a"]
    second.close()


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(HashSetStoreError, match=r"junk\.db: cannot open the hash-set store"):
        HashSetStore(junk)
    other = tmp_path / "case.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE files (x)")
    db.close()
    with pytest.raises(HashSetStoreError, match=r"case\.db: not an evcat hash-set store") as caught:
        HashSetStore(other)
    assert isinstance(caught.value, CatalogError)


def test_a_store_from_a_newer_evcat_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hashsets.db"
    HashSetStore(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(HashSetStoreError, match="newer evcat"):
        HashSetStore(path)


def test_default_store_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EVCAT_HASHSETS", str(tmp_path / "mine.db"))
    assert default_store_path() == tmp_path / "mine.db"
    monkeypatch.delenv("EVCAT_HASHSETS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_store_path() == tmp_path / "data" / "evcat" / "hashsets.db"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_store_path() == tmp_path / "home" / ".local" / "share" / "evcat" / "hashsets.db"
