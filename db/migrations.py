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


@migrations(name="0005_identity_identifiers_versions_run_dates")
def identity_identifiers_versions_run_dates(db: Database) -> None:
    """One paper, many identifiers; the fields non-HF sources add; the day a run completed."""
    _run(
        db,
        """
        CREATE TABLE identifiers (
            scheme TEXT NOT NULL CHECK (scheme IN ('arxiv', 'doi', 'title')),
            value TEXT NOT NULL,          -- 2408.00714, 10.1101/857789, or a title key 'folded title|surname'
            paper_id TEXT NOT NULL REFERENCES papers(id),
            PRIMARY KEY (scheme, value)
        )
        """,
        "CREATE INDEX idx_identifiers_paper ON identifiers(paper_id)",
        "INSERT OR IGNORE INTO identifiers (scheme, value, paper_id)"
        " SELECT 'arxiv', arxiv_id, id FROM papers WHERE arxiv_id IS NOT NULL",
        "INSERT OR IGNORE INTO identifiers (scheme, value, paper_id)"
        " SELECT 'doi', doi, id FROM papers WHERE doi IS NOT NULL",
        "ALTER TABLE papers ADD COLUMN updated_at TEXT",          # when the highest version seen appeared
        "ALTER TABLE papers ADD COLUMN preprint_version INTEGER",  # bioRxiv/medRxiv version, highest seen
        "ALTER TABLE papers ADD COLUMN url TEXT",                  # landing page when there is no arXiv/HF page
        # Which source and version each precedence-ruled field came from: {"title": ["arxiv", 2], ...}
        "ALTER TABLE papers ADD COLUMN provenance TEXT NOT NULL DEFAULT '{}'",
    )
    # Another branch may add the same column; whichever migration runs second leaves it alone.
    if "listing_date" not in db["runs"].columns_dict:
        db.execute("ALTER TABLE runs ADD COLUMN listing_date TEXT")  # listing day the run completed
    db.execute("CREATE INDEX IF NOT EXISTS idx_runs_source_listing_date ON runs(source, listing_date)")
