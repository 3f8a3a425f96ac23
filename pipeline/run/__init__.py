"""Running sources: one run function, the units a request covers, health, and the scheduler.

`run.run_unit` is the one path every caller takes (a manual ingest, `--all`,
a scheduled job, catch-up, backfill, reparse): lock, run row, fetch,
expectation, tag, save, close.
"""
