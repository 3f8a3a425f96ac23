"""Who a paper is and which value of it wins: pure functions, no I/O.

`ids` reads identifiers (arXiv ids, DOIs, PMIDs, title keys) out of text;
`merge` decides, field by field, which source's value a stored paper keeps.
"""
