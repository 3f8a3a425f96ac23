"""Delivering papers to people: subscriptions, their messages, and who has been sent what.

`subscriptions` reads and edits config/subscriptions.toml, `deliver` selects
what is new for each recipient and records it once sent, `channels` sends one
message by mail or through apprise, and `zotero` puts papers into a Zotero library.
"""
