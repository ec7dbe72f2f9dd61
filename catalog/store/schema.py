"""The case catalog's schema, built by ``sqlite_utils.Migrations``.

Never edit an applied step: add a new one. ``check_not_newer`` refuses a catalog that a
newer evcat has migrated further than this one knows.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from catalog.errors import CatalogTooNew

MIGRATIONS = Migrations("evcat")

_INITIAL = """
CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    command TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    examiner TEXT,
    host TEXT,
    library_versions TEXT,
    summary TEXT
);
CREATE TABLE evidence (
    evidence_id TEXT PRIMARY KEY,
    exhibit TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    format TEXT,
    media_size INTEGER,
    sector_size INTEGER,
    segments TEXT,
    volume_scheme TEXT,
    stored_md5 TEXT,
    stored_sha1 TEXT,
    stored_sha256 TEXT,
    media_md5 TEXT,
    media_sha1 TEXT,
    media_sha256 TEXT,
    media_blake3 TEXT,
    media_hash_status TEXT,
    status TEXT,
    first_run_id TEXT,
    last_run_id TEXT
);
CREATE TABLE volumes (
    volume_id TEXT PRIMARY KEY,
    evidence_id TEXT NOT NULL REFERENCES evidence(evidence_id),
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    slot TEXT,
    scheme TEXT,
    start_sector INTEGER,
    length_sectors INTEGER,
    sector_size INTEGER,
    offset INTEGER,
    size INTEGER,
    description TEXT,
    run_id TEXT
);
CREATE TABLE filesystems (
    fs_id TEXT PRIMARY KEY,
    evidence_id TEXT NOT NULL REFERENCES evidence(evidence_id),
    offset INTEGER NOT NULL,
    fs_type TEXT NOT NULL,
    detection TEXT,
    block_size INTEGER,
    block_count INTEGER,
    volume_index INTEGER,
    label TEXT,
    parser TEXT,
    parser_version INTEGER,
    file_count INTEGER,
    run_id TEXT
);
CREATE TABLE files (
    file_id TEXT PRIMARY KEY,
    evidence_id TEXT NOT NULL REFERENCES evidence(evidence_id),
    fs_id TEXT NOT NULL REFERENCES filesystems(fs_id),
    seq INTEGER NOT NULL,
    locator TEXT NOT NULL,
    path TEXT NOT NULL,
    name TEXT NOT NULL,
    name_raw BLOB,
    inode TEXT,
    meta_addr INTEGER,
    attr_type INTEGER,
    attr_id INTEGER,
    type TEXT NOT NULL,
    size INTEGER,
    is_allocated INTEGER NOT NULL,
    is_realloc INTEGER NOT NULL,
    is_virtual INTEGER NOT NULL,
    is_orphan INTEGER NOT NULL,
    is_ads INTEGER NOT NULL,
    is_fs_metadata INTEGER NOT NULL,
    created TEXT,
    modified TEXT,
    accessed TEXT,
    changed TEXT,
    time_zone_note TEXT,
    uid INTEGER,
    gid INTEGER,
    mode INTEGER,
    content_status TEXT NOT NULL,
    content_error TEXT,
    bytes_hashed INTEGER,
    md5 TEXT,
    sha1 TEXT,
    sha256 TEXT,
    blake3 TEXT,
    mime TEXT,
    magic_description TEXT,
    category TEXT,
    extension TEXT,
    extension_mismatch INTEGER,
    exif TEXT,
    run_id TEXT
);
CREATE INDEX files_evidence ON files(evidence_id, fs_id, path);
CREATE INDEX files_sha256 ON files(sha256);
CREATE TABLE problems (
    problem_id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    evidence_id TEXT,
    locator TEXT,
    stage TEXT NOT NULL,
    parser TEXT,
    parser_version INTEGER,
    message TEXT NOT NULL,
    exception_type TEXT,
    offset INTEGER,
    created TEXT NOT NULL
);
CREATE INDEX problems_evidence ON problems(evidence_id, run_id);
"""


@MIGRATIONS(name="0001_initial")
def _initial(db: Database) -> None:
    db.executescript(_INITIAL)


_CUSTODY = """
CREATE TABLE case_info (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    case_id TEXT NOT NULL,
    case_number TEXT,
    title TEXT,
    agency TEXT,
    site_time_zone TEXT,
    created TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE exhibits (
    exhibit TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    description TEXT,
    seized_from TEXT,
    seized_where TEXT,
    seized_when TEXT,
    seized_by TEXT,
    acquisition_tool TEXT,
    acquisition_md5 TEXT,
    acquisition_sha1 TEXT,
    acquisition_sha256 TEXT,
    added TEXT NOT NULL,
    added_by TEXT NOT NULL
);
CREATE TABLE custody_log (
    seq INTEGER PRIMARY KEY,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    action TEXT GENERATED ALWAYS AS (json_extract(body, '$.action')) VIRTUAL,
    at TEXT GENERATED ALWAYS AS (json_extract(body, '$.time')) VIRTUAL,
    examiner TEXT GENERATED ALWAYS AS (json_extract(body, '$.examiner')) VIRTUAL
);
CREATE TABLE custody_signatures (
    seq INTEGER NOT NULL,
    entry_hash TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL,
    signed TEXT NOT NULL,
    examiner TEXT NOT NULL,
    PRIMARY KEY (seq, key_id)
);
CREATE TABLE file_seals (
    run_id TEXT NOT NULL,
    evidence_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    seal TEXT NOT NULL,
    PRIMARY KEY (run_id, evidence_id, file_id)
) WITHOUT ROWID;
CREATE TABLE tags (
    tag_id INTEGER PRIMARY KEY,
    file_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    added TEXT NOT NULL,
    examiner TEXT NOT NULL,
    custody_seq INTEGER NOT NULL
);
CREATE INDEX tags_file ON tags(file_id);
CREATE TABLE notes (
    note_id INTEGER PRIMARY KEY,
    file_id TEXT NOT NULL,
    note TEXT NOT NULL,
    added TEXT NOT NULL,
    examiner TEXT NOT NULL,
    custody_seq INTEGER NOT NULL
);
CREATE INDEX notes_file ON notes(file_id);
"""

APPEND_ONLY_TABLES = (
    "case_info",
    "exhibits",
    "custody_log",
    "custody_signatures",
    "file_seals",
    "tags",
    "notes",
)


def _append_only_triggers() -> str:
    return "\n".join(
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}"
        f" BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
        for table in APPEND_ONLY_TABLES
        for verb in ("UPDATE", "DELETE")
    )


@MIGRATIONS(name="0002_custody")
def _custody(db: Database) -> None:
    db.executescript(_CUSTODY + _append_only_triggers())


_ARTEFACTS = """
ALTER TABLE files ADD COLUMN origin TEXT NOT NULL DEFAULT 'fs';
ALTER TABLE files ADD COLUMN parent_file_id TEXT;
ALTER TABLE files ADD COLUMN text_status TEXT;
ALTER TABLE files ADD COLUMN text_kind TEXT;
ALTER TABLE files ADD COLUMN text_encoding TEXT;
CREATE INDEX files_parent ON files(parent_file_id) WHERE parent_file_id IS NOT NULL;
CREATE TABLE findings (
    finding_id TEXT PRIMARY KEY,
    file_id TEXT NOT NULL,
    evidence_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    normalized TEXT NOT NULL,
    score REAL NOT NULL,
    rules TEXT NOT NULL,
    snippet TEXT,
    offset INTEGER,
    offset_basis TEXT NOT NULL,
    detector TEXT NOT NULL,
    detector_version INTEGER NOT NULL
);
CREATE INDEX findings_file ON findings(file_id);
CREATE INDEX findings_kind ON findings(kind, normalized);
CREATE INDEX findings_evidence ON findings(evidence_id, run_id);
CREATE TABLE texts (
    file_id TEXT PRIMARY KEY,
    evidence_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX texts_evidence ON texts(evidence_id, run_id);
CREATE VIRTUAL TABLE texts_fts USING fts5(
    text, content='texts', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER texts_fts_insert AFTER INSERT ON texts BEGIN
    INSERT INTO texts_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER texts_fts_delete AFTER DELETE ON texts BEGIN
    INSERT INTO texts_fts(texts_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TRIGGER texts_fts_update AFTER UPDATE ON texts BEGIN
    INSERT INTO texts_fts(texts_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO texts_fts(rowid, text) VALUES (new.rowid, new.text);
END;
"""


@MIGRATIONS(name="0003_artefacts")
def _artefacts(db: Database) -> None:
    """Archive members as file rows, extracted text with a trigram index, findings."""
    db.executescript(_ARTEFACTS)


_KNOWN_FILES = """
CREATE TABLE known_files (
    file_id TEXT PRIMARY KEY,
    evidence_id TEXT NOT NULL,
    status TEXT NOT NULL,
    sets TEXT NOT NULL,
    run_id TEXT NOT NULL
);
CREATE INDEX known_files_evidence ON known_files(evidence_id, status);
"""


@MIGRATIONS(name="0004_known_files")
def _known_files(db: Database) -> None:
    """Known-file hash-set matches: one row per file that matched a set."""
    db.executescript(_KNOWN_FILES)


_BROWSE = """
CREATE INDEX files_dirs ON files(fs_id, path) WHERE type IN ('dir', 'virtual_dir');
"""


@MIGRATIONS(name="0005_browse")
def _browse(db: Database) -> None:
    """Directory listings for the browser's tree: an index of directory rows only."""
    db.executescript(_BROWSE)


_LOCKER = """
CREATE TABLE locker_items (
    item_id TEXT PRIMARY KEY,
    locker TEXT NOT NULL,
    relpath TEXT NOT NULL,
    role TEXT NOT NULL,
    reason TEXT,
    exhibit TEXT,
    size INTEGER,
    sha256 TEXT,
    first_seen TEXT NOT NULL,
    run_id TEXT NOT NULL
);
CREATE TABLE locker_exhibits (
    exhibit TEXT PRIMARY KEY,
    locker TEXT NOT NULL,
    image TEXT NOT NULL,
    state TEXT NOT NULL,
    status TEXT,
    run_id TEXT,
    updated TEXT NOT NULL
);
CREATE TABLE work_units (
    unit_id TEXT PRIMARY KEY,
    locker TEXT NOT NULL,
    exhibit TEXT NOT NULL,
    kind TEXT NOT NULL,
    task TEXT NOT NULL,
    planned_files INTEGER NOT NULL DEFAULT 0,
    planned_bytes INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    counts TEXT,
    run_id TEXT,
    worker TEXT,
    updated TEXT NOT NULL
);
CREATE INDEX work_units_exhibit ON work_units(exhibit, state);
CREATE INDEX work_units_state ON work_units(locker, state);
"""


@MIGRATIONS(name="0006_locker")
def _locker(db: Database) -> None:
    """Evidence lockers: what was found in each, its exhibits and the resumable work queue."""
    db.executescript(_LOCKER)


_VIDEO = """
CREATE TABLE dvr_volumes (
    dvr_volume_id TEXT PRIMARY KEY,
    evidence_id TEXT NOT NULL,
    vendor TEXT NOT NULL,
    version TEXT,
    offset INTEGER NOT NULL,
    geometry TEXT,
    parser TEXT,
    parser_version INTEGER,
    segment_count INTEGER,
    run_id TEXT
);
CREATE TABLE video_segments (
    segment_id TEXT PRIMARY KEY,
    evidence_id TEXT NOT NULL,
    vendor TEXT NOT NULL,
    source TEXT NOT NULL,
    key TEXT NOT NULL,
    channel INTEGER,
    time_kind TEXT,
    start_raw INTEGER,
    end_raw INTEGER,
    start_wallclock TEXT,
    end_wallclock TEXT,
    offset INTEGER,
    length INTEGER NOT NULL,
    extents TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    notes TEXT,
    md5 TEXT,
    sha1 TEXT,
    sha256 TEXT,
    blake3 TEXT,
    hash_error TEXT,
    run_id TEXT
);
CREATE INDEX video_segments_evidence ON video_segments(evidence_id, channel, start_wallclock);
CREATE TABLE dvr_clocks (
    evidence_id TEXT PRIMARY KEY,
    zone TEXT,
    skew_seconds INTEGER NOT NULL DEFAULT 0,
    note TEXT,
    declared TEXT NOT NULL,
    examiner TEXT
);
"""


@MIGRATIONS(name="0007_video")
def _video(db: Database) -> None:
    """DVR disks: recorder volumes, recording and carved video segments, declared clocks."""
    db.executescript(_VIDEO)


_CARVING = """
CREATE TABLE carved_files (
    file_id TEXT PRIMARY KEY,
    evidence_id TEXT NOT NULL,
    region TEXT NOT NULL,
    region_offset INTEGER NOT NULL,
    region_length INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL,
    kind TEXT NOT NULL,
    note TEXT,
    duplicate_of TEXT,
    run_id TEXT NOT NULL
);
CREATE INDEX carved_files_evidence ON carved_files(evidence_id, offset);
"""


@MIGRATIONS(name="0008_carving")
def _carving(db: Database) -> None:
    """Files carved from unallocated space and file slack: where each lay and what it is.

    Each carved item is also a ``files`` row (origin ``carved``) with the same id, so it is
    hashed, classified, searched and matched like any file; this table says where it was.
    """
    db.executescript(_CARVING)


def known_migrations() -> set[str]:
    """Names of every migration this version of evcat knows."""
    return {migration.name for migration in MIGRATIONS._migrations}


def check_not_newer(db: Database, path: str) -> None:
    """Refuse a catalog with migrations this evcat does not know.

    Raises:
        CatalogTooNew: the catalog was written by a newer evcat.
    """
    unknown = {m.name for m in MIGRATIONS.applied(db)} - known_migrations()
    if unknown:
        raise CatalogTooNew(
            f"{path}: catalog was written by a newer evcat (schema steps {sorted(unknown)});"
            " upgrade evcat to open it"
        )


def migrate(db: Database, path: str) -> None:
    """Bring a catalog up to this version's schema (refusing newer ones)."""
    check_not_newer(db, path)
    MIGRATIONS.apply(db)
