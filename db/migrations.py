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


@migrations(name="0002_run_listing_date_scheduler_heartbeat")
def run_listing_date_scheduler_heartbeat(db: Database) -> None:
    """Which day a date-addressed run covered (for catch-up), and whether the scheduler is alive."""
    _run(
        db,
        # The day a date-addressed run fetched (NULL for undated listings such as search).
        "ALTER TABLE runs ADD COLUMN listing_date TEXT",
        "CREATE INDEX idx_runs_source_listing_date ON runs(source, listing_date)",
        """
        CREATE TABLE scheduler_heartbeat (
            job_id TEXT PRIMARY KEY,      -- a source name, or '(scheduler)' for the process itself
            last_run_at TEXT,             -- when the job last ran (for '(scheduler)': the last tick)
            last_status TEXT,             -- ok, empty, failed, skipped, missed, ... of that run
            next_run_at TEXT,             -- when the scheduler will run it next
            pid INTEGER,                  -- scheduler process that wrote the row
            hostname TEXT,
            updated_at TEXT NOT NULL
        )
        """,
    )


@migrations(name="0003_reading_views_and_full_text_search")
def reading_views_and_full_text_search(db: Database) -> None:
    """Views for the common questions, and FTS5 over title, abstract and authors.

    The FTS table stores only its index (external content on `papers`), so the
    text is not kept twice; triggers keep it in step with every INSERT, UPDATE
    and DELETE of a paper, and `paperfeed fts-rebuild` rebuilds it from
    `papers` should it ever drift. Tag lists are JSON arrays, like `authors`,
    so `json_each` and Datasette's array facets work on them.
    """
    _run(
        db,
        # Date filters and newest-first exports walk these instead of sorting every paper.
        "CREATE INDEX idx_sightings_listing_date ON sightings(listing_date)",
        "CREATE INDEX idx_papers_last_seen_at ON papers(last_seen_at)",
        """
        CREATE VIEW papers_with_tags AS
        SELECT
            p.id, p.arxiv_id, p.title, p.abstract, p.authors, p.published_at,
            p.hf_url, p.arxiv_url, p.first_seen_at, p.last_seen_at,
            (SELECT max(s.upvotes) FROM sightings s WHERE s.paper_id = p.id) AS upvotes,
            (SELECT json_group_array(tag) FROM
                (SELECT t.tag FROM paper_tags t WHERE t.paper_id = p.id ORDER BY t.tag)) AS tags
        FROM papers p
        """,
        """
        CREATE VIEW medical_imaging_papers AS
        SELECT
            p.id, p.arxiv_id, p.title, p.abstract, p.authors, p.published_at,
            p.hf_url, p.arxiv_url, p.first_seen_at, p.last_seen_at,
            (SELECT max(s.upvotes) FROM sightings s WHERE s.paper_id = p.id) AS upvotes,
            (SELECT json_group_array(substr(tag, 10)) FROM
                (SELECT t.tag FROM paper_tags t WHERE t.paper_id = p.id AND t.tag LIKE 'modality:%' ORDER BY t.tag))
                AS modalities,
            (SELECT json_group_array(substr(tag, 9)) FROM
                (SELECT t.tag FROM paper_tags t WHERE t.paper_id = p.id AND t.tag LIKE 'anatomy:%' ORDER BY t.tag))
                AS anatomies,
            (SELECT json_group_array(substr(tag, 6)) FROM
                (SELECT t.tag FROM paper_tags t WHERE t.paper_id = p.id AND t.tag LIKE 'task:%' ORDER BY t.tag))
                AS tasks,
            mi.matched AS matched
        FROM paper_tags mi JOIN papers p ON p.id = mi.paper_id
        WHERE mi.tag = 'medical-imaging'
        """,
        """
        CREATE VIEW latest_sightings AS
        SELECT s.paper_id, p.title, s.source, s.listing_date, s.rank, s.upvotes, s.comments
        FROM sightings s JOIN papers p ON p.id = s.paper_id
        WHERE NOT EXISTS (
            SELECT 1 FROM sightings later
            WHERE later.paper_id = s.paper_id
              AND (later.listing_date, later.source) > (s.listing_date, s.source)
        )
        """,
        """
        CREATE VIRTUAL TABLE papers_fts USING fts5(
            title, abstract, authors,
            content='papers', content_rowid='rowid',
            tokenize='porter unicode61 remove_diacritics 2'
        )
        """,
        # A title word outweighs an abstract word; an author name sits between.
        "INSERT INTO papers_fts (papers_fts, rank) VALUES ('rank', 'bm25(10.0, 1.0, 3.0)')",
        """
        CREATE TRIGGER papers_fts_after_insert AFTER INSERT ON papers BEGIN
            INSERT INTO papers_fts (rowid, title, abstract, authors)
            VALUES (new.rowid, new.title, new.abstract, new.authors);
        END
        """,
        """
        CREATE TRIGGER papers_fts_after_delete AFTER DELETE ON papers BEGIN
            INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors)
            VALUES ('delete', old.rowid, old.title, old.abstract, old.authors);
        END
        """,
        # Most updates only move last_seen_at: leave the index alone unless indexed text changed.
        """
        CREATE TRIGGER papers_fts_after_update AFTER UPDATE ON papers
        WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract
          OR old.authors IS NOT new.authors OR old.rowid IS NOT new.rowid
        BEGIN
            INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors)
            VALUES ('delete', old.rowid, old.title, old.abstract, old.authors);
            INSERT INTO papers_fts (rowid, title, abstract, authors)
            VALUES (new.rowid, new.title, new.abstract, new.authors);
        END
        """,
        "INSERT INTO papers_fts (papers_fts) VALUES ('rebuild')",
    )


@migrations(name="0004_http_cache_raw_responses")
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


@migrations(name="0005_identity_identifiers_versions_run_dates")
def identity_identifiers_versions_run_dates(db: Database) -> None:
    """One paper, many identifiers, and the fields non-HF sources add."""
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


@migrations(name="0009_bibliographic_identifiers_terms_relations")
def bibliographic_identifiers_terms_relations(db: Database) -> None:
    """PubMed and Crossref: PMID/PMCID identifier schemes, journal fields, the
    controlled terms rules can read, and links between versions of one work.

    SQLite cannot change a CHECK constraint in place, so `identifiers` is
    rebuilt with the two new schemes; its rows are copied unchanged.
    """
    _run(
        db,
        """
        CREATE TABLE identifiers_0009 (
            scheme TEXT NOT NULL CHECK (scheme IN ('arxiv', 'doi', 'title', 'pmid', 'pmcid')),
            value TEXT NOT NULL,          -- 2408.00714, 10.1101/857789, 27797938, PMC5442267, or 'folded title|surname'
            paper_id TEXT NOT NULL REFERENCES papers(id),
            PRIMARY KEY (scheme, value)
        )
        """,
        "INSERT INTO identifiers_0009 (scheme, value, paper_id) SELECT scheme, value, paper_id FROM identifiers",
        "DROP TABLE identifiers",
        "ALTER TABLE identifiers_0009 RENAME TO identifiers",
        "CREATE INDEX idx_identifiers_paper ON identifiers(paper_id)",
        "ALTER TABLE papers ADD COLUMN pmid TEXT",                # PubMed id, ASCII digits
        "ALTER TABLE papers ADD COLUMN pmcid TEXT",               # PubMed Central id, PMC...
        "ALTER TABLE papers ADD COLUMN journal TEXT",             # container title
        "ALTER TABLE papers ADD COLUMN journal_abbrev TEXT",      # ISO abbreviation
        "ALTER TABLE papers ADD COLUMN issns TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE papers ADD COLUMN work_type TEXT",           # Crossref type: journal-article, posted-content
        "ALTER TABLE papers ADD COLUMN orcids TEXT NOT NULL DEFAULT '[]'",  # JSON [[name, ORCID iD], ...]
        "CREATE INDEX idx_papers_pmid ON papers(pmid)",
        """
        CREATE TABLE paper_terms (
            paper_id TEXT NOT NULL REFERENCES papers(id),
            vocabulary TEXT NOT NULL CHECK (vocabulary IN ('mesh', 'keyword', 'publication-type')),
            term TEXT NOT NULL,           -- Magnetic Resonance Imaging, deep learning, Journal Article
            code TEXT NOT NULL DEFAULT '',  -- MeSH descriptor UI (D008279); '' for keywords
            major INTEGER NOT NULL DEFAULT 0,  -- 1: a MeSH major topic
            PRIMARY KEY (paper_id, vocabulary, term)
        )
        """,
        "CREATE INDEX idx_paper_terms_term ON paper_terms(vocabulary, term)",
        """
        CREATE TABLE paper_relations (
            paper_id TEXT NOT NULL REFERENCES papers(id),
            relation TEXT NOT NULL,       -- is-preprint-of, has-preprint
            scheme TEXT NOT NULL,         -- doi or arxiv
            value TEXT NOT NULL,          -- the other version's identifier
            PRIMARY KEY (paper_id, relation, scheme, value)
        )
        """,
        "CREATE INDEX idx_paper_relations_value ON paper_relations(scheme, value)",
    )


@migrations(name="0010_labels_effective_tags")
def labels_effective_tags(db: Database) -> None:
    """People's corrections, and the tags every reader sees once they apply.

    A label says yes or no to one tag on one paper; the newest label per
    (paper, tag) is kept. Rules write only `paper_tags` and never touch
    `labels`, so a retag cannot undo a correction. `effective_tags` is the
    rule tags minus those a label rejects (a paper labelled not medical imaging
    loses all its rule tags, which all depend on that one), plus the tags a
    label asserts; the reading views are rebuilt on it.
    """
    _run(
        db,
        """
        CREATE TABLE labels (
            paper_id TEXT NOT NULL REFERENCES papers(id),
            tag TEXT NOT NULL,            -- medical-imaging, modality:ct, task:segmentation, ...
            value TEXT NOT NULL CHECK (value IN ('yes', 'no')),
            who TEXT NOT NULL,            -- who labelled it
            note TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,             -- when, ISO 8601 UTC
            PRIMARY KEY (paper_id, tag)
        )
        """,
        """
        CREATE VIEW effective_tags AS
        SELECT t.paper_id, t.tag, t.rule, t.field, t.matched, 'rules' AS source
        FROM paper_tags t
        WHERE NOT EXISTS (
            SELECT 1 FROM labels l
            WHERE l.paper_id = t.paper_id AND l.value = 'no' AND l.tag IN (t.tag, 'medical-imaging')
        )
        UNION ALL
        SELECT l.paper_id, l.tag, 'label' AS rule, 'label' AS field,
               l.who || CASE WHEN l.note != '' THEN ': ' || l.note ELSE '' END AS matched, 'label' AS source
        FROM labels l
        WHERE l.value = 'yes'
          AND NOT EXISTS (SELECT 1 FROM paper_tags t WHERE t.paper_id = l.paper_id AND t.tag = l.tag)
        """,
        "DROP VIEW papers_with_tags",
        """
        CREATE VIEW papers_with_tags AS
        SELECT
            p.id, p.arxiv_id, p.title, p.abstract, p.authors, p.published_at,
            p.hf_url, p.arxiv_url, p.first_seen_at, p.last_seen_at,
            (SELECT max(s.upvotes) FROM sightings s WHERE s.paper_id = p.id) AS upvotes,
            (SELECT json_group_array(tag) FROM
                (SELECT t.tag FROM effective_tags t WHERE t.paper_id = p.id ORDER BY t.tag)) AS tags
        FROM papers p
        """,
        "DROP VIEW medical_imaging_papers",
        """
        CREATE VIEW medical_imaging_papers AS
        SELECT
            p.id, p.arxiv_id, p.title, p.abstract, p.authors, p.published_at,
            p.hf_url, p.arxiv_url, p.first_seen_at, p.last_seen_at,
            (SELECT max(s.upvotes) FROM sightings s WHERE s.paper_id = p.id) AS upvotes,
            (SELECT json_group_array(substr(tag, 10)) FROM
                (SELECT t.tag FROM effective_tags t WHERE t.paper_id = p.id AND t.tag LIKE 'modality:%' ORDER BY t.tag))
                AS modalities,
            (SELECT json_group_array(substr(tag, 9)) FROM
                (SELECT t.tag FROM effective_tags t WHERE t.paper_id = p.id AND t.tag LIKE 'anatomy:%' ORDER BY t.tag))
                AS anatomies,
            (SELECT json_group_array(substr(tag, 6)) FROM
                (SELECT t.tag FROM effective_tags t WHERE t.paper_id = p.id AND t.tag LIKE 'task:%' ORDER BY t.tag))
                AS tasks,
            mi.matched AS matched
        FROM effective_tags mi JOIN papers p ON p.id = mi.paper_id
        WHERE mi.tag = 'medical-imaging'
        """,
    )


@migrations(name="0011_newness_code_venue_subscriptions_deliveries")
def newness_code_venue_subscriptions_deliveries(db: Database) -> None:
    """When a paper became new (once), what a reader needs to decide, and who has been sent what.

    `first_seen_at` counts the day an undated listing (a search) was read, so
    re-reading a search made old papers look new; `first_listed_at` counts only
    days a listing itself names, and for a paper only searches have shown, its
    publication day. Existing rows are filled from their sightings: a sighting
    counts as dated when its run was date-addressed or the record carried a day
    other than the day the run was read.
    """
    _run(
        db,
        "ALTER TABLE papers ADD COLUMN first_listed_at TEXT",
        "ALTER TABLE papers ADD COLUMN code_url TEXT",
        "ALTER TABLE papers ADD COLUMN venue TEXT",
        """
        UPDATE papers SET first_listed_at = coalesce(
            (SELECT min(s.listing_date) FROM sightings s LEFT JOIN runs r ON r.id = s.run_id
             WHERE s.paper_id = papers.id
               AND (r.id IS NULL OR r.listing_date IS NOT NULL OR s.listing_date != substr(r.started_at, 1, 10))),
            CASE WHEN substr(published_at, 1, 10) <= first_seen_at THEN substr(published_at, 1, 10) END)
        """,
        "UPDATE papers SET code_url = github_repo WHERE github_repo IS NOT NULL",
        "UPDATE papers SET venue = journal WHERE journal IS NOT NULL",
        "CREATE INDEX idx_papers_first_listed_at ON papers(first_listed_at)",
        # The reading views gain the new columns (a view cannot be altered: dropped and made again).
        "DROP VIEW papers_with_tags",
        """
        CREATE VIEW papers_with_tags AS
        SELECT
            p.id, p.arxiv_id, p.title, p.abstract, p.authors, p.published_at,
            p.hf_url, p.arxiv_url, p.first_seen_at, p.last_seen_at,
            (SELECT max(s.upvotes) FROM sightings s WHERE s.paper_id = p.id) AS upvotes,
            (SELECT json_group_array(tag) FROM
                (SELECT t.tag FROM effective_tags t WHERE t.paper_id = p.id ORDER BY t.tag)) AS tags,
            p.first_listed_at, p.venue, p.code_url
        FROM papers p
        """,
        "DROP VIEW medical_imaging_papers",
        """
        CREATE VIEW medical_imaging_papers AS
        SELECT
            p.id, p.arxiv_id, p.title, p.abstract, p.authors, p.published_at,
            p.hf_url, p.arxiv_url, p.first_seen_at, p.last_seen_at,
            (SELECT max(s.upvotes) FROM sightings s WHERE s.paper_id = p.id) AS upvotes,
            (SELECT json_group_array(substr(tag, 10)) FROM
                (SELECT t.tag FROM effective_tags t WHERE t.paper_id = p.id AND t.tag LIKE 'modality:%' ORDER BY t.tag))
                AS modalities,
            (SELECT json_group_array(substr(tag, 9)) FROM
                (SELECT t.tag FROM effective_tags t WHERE t.paper_id = p.id AND t.tag LIKE 'anatomy:%' ORDER BY t.tag))
                AS anatomies,
            (SELECT json_group_array(substr(tag, 6)) FROM
                (SELECT t.tag FROM effective_tags t WHERE t.paper_id = p.id AND t.tag LIKE 'task:%' ORDER BY t.tag))
                AS tasks,
            mi.matched AS matched,
            p.first_listed_at, p.venue, p.code_url
        FROM effective_tags mi JOIN papers p ON p.id = mi.paper_id
        WHERE mi.tag = 'medical-imaging'
        """,
        """
        CREATE VIEW new_papers AS
        SELECT
            p.id, p.arxiv_id, p.doi, p.title, p.authors, p.published_at, p.venue, p.code_url,
            p.hf_url, p.arxiv_url, p.first_listed_at, p.first_seen_at, p.last_seen_at,
            (SELECT max(s.upvotes) FROM sightings s WHERE s.paper_id = p.id) AS upvotes,
            (SELECT json_group_array(tag) FROM
                (SELECT t.tag FROM effective_tags t WHERE t.paper_id = p.id ORDER BY t.tag)) AS tags
        FROM papers p
        WHERE p.first_listed_at IS NOT NULL
        """,
        """
        CREATE TABLE deliveries (
            subscription TEXT NOT NULL,   -- name in config/subscriptions.toml
            recipient TEXT NOT NULL,      -- mailto:... or a notification URL, as configured
            paper_id TEXT NOT NULL REFERENCES papers(id),
            delivered_at TEXT NOT NULL,   -- when the send that carried it succeeded (UTC)
            delivery_run_id INTEGER,      -- delivery_runs.id of that send
            PRIMARY KEY (subscription, recipient, paper_id)
        )
        """,
        """
        CREATE TABLE delivery_runs (
            id INTEGER PRIMARY KEY,
            subscription TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,         -- running, sent, nothing-new, failed, partial
            papers INTEGER,               -- papers in the message(s)
            recipients INTEGER,           -- recipients the send reached
            late_sources TEXT,            -- JSON array: sources the subscription waits for that were late or failed
            error TEXT                    -- one line per failed recipient, joined with '; '
        )
        """,
        "CREATE INDEX idx_delivery_runs_subscription ON delivery_runs(subscription, started_at)",
        """
        CREATE TABLE zotero_pushes (
            library TEXT NOT NULL,        -- users/123 or groups/456
            paper_id TEXT NOT NULL REFERENCES papers(id),
            item_key TEXT NOT NULL,       -- the Zotero item's key
            pushed_at TEXT NOT NULL,
            PRIMARY KEY (library, paper_id)
        )
        """,
    )


@migrations(name="0012_run_ledger_indexes")
def run_ledger_indexes(db: Database) -> None:
    """`paperfeed status` at 100,000 runs costs what it does at 1,000.

    The newest run of a source (with or without a status) walks (source, id)
    backwards; runs still `running` are a partial index, a handful of rows
    whatever the ledger's length; the first start time is one index step.
    """
    _run(
        db,
        "CREATE INDEX idx_runs_source_id ON runs(source, id)",
        "CREATE INDEX idx_runs_source_status_id ON runs(source, status, id)",
        "CREATE INDEX idx_runs_running ON runs(status) WHERE status = 'running'",
        "CREATE INDEX idx_runs_started_at ON runs(started_at)",
    )


@migrations(name="0013_fts_deferred_by_listings")
def fts_deferred_by_listings(db: Database) -> None:
    """The FTS triggers stand aside while paperfeed writes a listing (see `store/fts_write.py`).

    A row in `fts_deferred` exists only inside paperfeed's own listing
    transaction, which indexes its papers in one statement before it commits;
    every other writer finds the table empty and the triggers keep the index.
    """
    guard = "NOT EXISTS (SELECT 1 FROM fts_deferred)"
    _run(
        db,
        """
        CREATE TABLE fts_deferred (
            writer TEXT NOT NULL          -- who is writing the index itself, for the length of one transaction
        )
        """,
        "DROP TRIGGER papers_fts_after_insert",
        "DROP TRIGGER papers_fts_after_delete",
        "DROP TRIGGER papers_fts_after_update",
        f"""
        CREATE TRIGGER papers_fts_after_insert AFTER INSERT ON papers WHEN {guard} BEGIN
            INSERT INTO papers_fts (rowid, title, abstract, authors)
            VALUES (new.rowid, new.title, new.abstract, new.authors);
        END
        """,
        f"""
        CREATE TRIGGER papers_fts_after_delete AFTER DELETE ON papers WHEN {guard} BEGIN
            INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors)
            VALUES ('delete', old.rowid, old.title, old.abstract, old.authors);
        END
        """,
        f"""
        CREATE TRIGGER papers_fts_after_update AFTER UPDATE ON papers
        WHEN {guard} AND (old.title IS NOT new.title OR old.abstract IS NOT new.abstract
          OR old.authors IS NOT new.authors OR old.rowid IS NOT new.rowid)
        BEGIN
            INSERT INTO papers_fts (papers_fts, rowid, title, abstract, authors)
            VALUES ('delete', old.rowid, old.title, old.abstract, old.authors);
            INSERT INTO papers_fts (rowid, title, abstract, authors)
            VALUES (new.rowid, new.title, new.abstract, new.authors);
        END
        """,
    )


@migrations(name="0014_tagged_text")
def tagged_text(db: Database) -> None:
    """What each paper was last tagged from, so a retag skips papers whose text and rules are unchanged.

    Any change to a paper's tag rows other than their rules version (a hand
    edit in sqlite3, a merge moving them) forgets what it was tagged from, so
    the next retag computes its tags again; paperfeed records the state after
    writing the tags it computed.
    """
    _run(
        db,
        """
        CREATE TABLE tagged_text (
            paper_id TEXT PRIMARY KEY REFERENCES papers(id),
            text_hash TEXT NOT NULL,      -- of the title and abstract the tags were computed from
            rules_version TEXT NOT NULL   -- of the rules that computed them
        )
        """,
        """
        CREATE TRIGGER tagged_text_after_tag_insert AFTER INSERT ON paper_tags BEGIN
            DELETE FROM tagged_text WHERE paper_id = new.paper_id;
        END
        """,
        """
        CREATE TRIGGER tagged_text_after_tag_delete AFTER DELETE ON paper_tags BEGIN
            DELETE FROM tagged_text WHERE paper_id = old.paper_id;
        END
        """,
        """
        CREATE TRIGGER tagged_text_after_tag_update AFTER UPDATE ON paper_tags
        WHEN old.paper_id IS NOT new.paper_id OR old.tag IS NOT new.tag OR old.rule IS NOT new.rule
          OR old.field IS NOT new.field OR old.matched IS NOT new.matched
        BEGIN
            DELETE FROM tagged_text WHERE paper_id IN (old.paper_id, new.paper_id);
        END
        """,
    )


@migrations(name="0015_tagged_text_follows_paper_text")
def tagged_text_follows_paper_text(db: Database) -> None:
    """A paper whose title or abstract changes, by any writer, forgets what it was tagged from.

    A retag then finds the papers it must tag again by one indexed join,
    without reading, let alone hashing, the texts of all the others.
    """
    _run(
        db,
        """
        CREATE TRIGGER tagged_text_after_paper_text AFTER UPDATE OF title, abstract ON papers
        WHEN old.title IS NOT new.title OR old.abstract IS NOT new.abstract
        BEGIN
            DELETE FROM tagged_text WHERE paper_id = old.id;
        END
        """,
    )
