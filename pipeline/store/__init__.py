"""The store: the only package that talks to SQLite.

`core` opens, migrates and writes listings and runs; further modules here
hold the queries of one concern each (reading, the run ledger, ...), so SQL
never leaks into the rest of the pipeline.
"""

from pipeline.store.core import Store, WriteFailed, connect, schema_sql, utc_now
from pipeline.store.dbfile import DatabaseUnusable, check_database_file
from pipeline.store.listings import SaveCounts, Tagger

__all__ = ["DatabaseUnusable", "SaveCounts", "Store", "check_database_file", "Tagger", "connect", "schema_sql", "utc_now", "WriteFailed"]
