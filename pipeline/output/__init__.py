"""Turning stored papers into things people read: files, feeds, digests, mail, documentation.

Every renderer writes to a stream as rows arrive, and every one escapes for
its target (HTML, XML, Markdown) and drops links that are not http(s), because
titles and abstracts are stored exactly as sources wrote them, `<script>` and all.
"""
