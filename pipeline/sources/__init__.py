"""Source formats: one module per format, each exposing `parse(raw: bytes) -> Listing`.

Fetching lives elsewhere (`pipeline.http`), so every parser runs on saved bytes.
"""
