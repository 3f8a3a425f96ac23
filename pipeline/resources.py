"""Where the shipped schema (`db/`) and default configuration (`config/`) live.

In a checkout or an editable install they are the top-level folders next to
`pipeline/`; a wheel carries copies inside the package (see pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_SHIPPED_INSIDE = {"db": "shipped_db", "config": "shipped_config"}


def shipped_path(name: str) -> Path:
    """The folder `db` or `config` as shipped with this copy of paperfeed."""
    checkout = _PACKAGE.parent / name
    if checkout.is_dir():
        return checkout
    return _PACKAGE / _SHIPPED_INSIDE[name]
