"""The schema of a paperfeed database, as append-only migrations.

Never edit a migration that has shipped: add a new one at the end. `db/schema.sql`
is generated from a database migrated to the latest step (`paperfeed schema`)
and a test fails when it is out of date, so readers can see the whole schema in
one file without running anything.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("paperfeed")


def _run(db: Database, *statements: str) -> None:
    for statement in statements:
        db.execute(statement)


@migrations(name="0001_papers_sightings_runs_tags")
def papers_sightings_runs_tags(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE papers (
            id TEXT PRIMARY KEY,          -- canonical key: arxiv:2408.00714, doi:10.1101/..., title:...
            arxiv_id TEXT,                -- 2408.00714 or hep-ex/0307015, without version
            arxiv_version INTEGER,        -- highest version seen
            doi TEXT,
            title TEXT NOT NULL,
            abstract TEXT,
            authors TEXT NOT NULL DEFAULT '[]',   -- JSON array of names, in order
            published_at TEXT,            -- ISO 8601, UTC
            hf_url TEXT,
            arxiv_url TEXT,
            pdf_url TEXT,
            github_repo TEXT,
            github_stars INTEGER,
            project_page TEXT,
            organization TEXT,
            ai_keywords TEXT NOT NULL DEFAULT '[]',
            categories TEXT NOT NULL DEFAULT '[]',
            first_seen_at TEXT NOT NULL,  -- first listing day that showed it
            last_seen_at TEXT NOT NULL    -- latest listing day that showed it
        )
        """,
        "CREATE INDEX idx_papers_arxiv_id ON papers(arxiv_id)",
        "CREATE INDEX idx_papers_doi ON papers(doi)",
        "CREATE INDEX idx_papers_published_at ON papers(published_at)",
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            target TEXT NOT NULL,         -- URL, file path or date the run read
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,         -- running, ok, empty, not-modified, rate-limited, skipped, failed, interrupted
            http_status INTEGER,
            bytes INTEGER,
            duration_s REAL,
            entries_parsed INTEGER,
            papers_new INTEGER,
            papers_updated INTEGER,
            papers_tagged INTEGER,
            error TEXT,                   -- one line
            pid INTEGER,                  -- process that ran it, to spot runs killed mid-way
            hostname TEXT
        )
        """,
        "CREATE INDEX idx_runs_source_started ON runs(source, started_at)",
        """
        CREATE TABLE sightings (
            paper_id TEXT NOT NULL REFERENCES papers(id),
            source TEXT NOT NULL,         -- source name, e.g. hf-daily, arxiv-eess-iv
            listing_date TEXT NOT NULL,   -- day of the listing (fetch day for undated listings such as search)
            rank INTEGER,
            upvotes INTEGER,
            comments INTEGER,
            submitter TEXT,
            announce_type TEXT,           -- arXiv: new, cross, replace, replace-cross
            run_id INTEGER REFERENCES runs(id),  -- run that last changed this row
            PRIMARY KEY (paper_id, source, listing_date)
        )
        """,
        "CREATE INDEX idx_sightings_listing ON sightings(source, listing_date)",
        """
        CREATE TABLE paper_tags (
            paper_id TEXT NOT NULL REFERENCES papers(id),
            tag TEXT NOT NULL,            -- medical-imaging, modality:mri, anatomy:brain, task:segmentation
            rule TEXT NOT NULL,           -- the rule that fired
            field TEXT NOT NULL,          -- title, abstract or title+abstract
            matched TEXT NOT NULL,        -- the words that fired
            rules_version TEXT NOT NULL,  -- hash of the rule file
            PRIMARY KEY (paper_id, tag)
        )
        """,
        "CREATE INDEX idx_paper_tags_tag ON paper_tags(tag)",
    )


@migrations(name="0002_http_cache_raw_responses")
def http_cache_raw_responses(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE http_cache (
            url TEXT PRIMARY KEY,         -- the URL as requested
            etag TEXT,                    -- validators the server gave with the last stored body
            last_modified TEXT,
            content_sha256 TEXT,          -- hash of that body: an unchanged body is skipped cheaply
            checked_at TEXT NOT NULL      -- last time the server confirmed it (200 or 304)
        )
        """,
        """
        CREATE TABLE raw_responses (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            source TEXT NOT NULL,
            request TEXT NOT NULL,        -- JSON: what the run was asked for ({"day": ...}, {"query": ...}, {"url": ...})
            url TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            status INTEGER NOT NULL,
            headers TEXT NOT NULL,        -- JSON object, lower-case names
            content_sha256 TEXT NOT NULL,
            body BLOB NOT NULL            -- zlib-compressed response body
        )
        """,
        "CREATE INDEX idx_raw_responses_run ON raw_responses(run_id)",
        "CREATE INDEX idx_raw_responses_source_fetched ON raw_responses(source, fetched_at)",
    )
