"""How politely and how defensively every source fetches.

One frozen object is built once from configuration and handed to every fetch,
so that a source cannot quietly fetch with different (or no) limits.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from pipeline import __version__

ARXIV_INTERVAL = 3.0  # arXiv terms of use: one request every three seconds


def _default_state_dir() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "paperfeed"


def _default_min_interval() -> dict[str, float]:
    return {
        "export.arxiv.org": ARXIV_INTERVAL,
        "rss.arxiv.org": ARXIV_INTERVAL,
        "arxiv.org": ARXIV_INTERVAL,
    }


def _default_pace_groups() -> dict[str, str]:
    # arXiv's 3-second rule is for all of its hosts together, not for each one.
    return {host: "arxiv.org" for host in ("export.arxiv.org", "rss.arxiv.org", "arxiv.org", "oaipmh.arxiv.org")}


def default_user_agent() -> str:
    """`paperfeed/0.1.0 python-requests/2.34.2`, read from the installed metadata: importing
    requests to learn its version would cost every command 0.1 s."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"paperfeed/{__version__} python-requests/{version('requests')}"
    except PackageNotFoundError:
        return f"paperfeed/{__version__} python-requests"


@dataclass(frozen=True)
class HttpSettings:
    """Limits for one HTTP exchange and the politeness owed to each host.

    `deadline` caps one exchange (connect to last body byte) in wall-clock
    time, because requests' timeouts are per socket operation and a server
    dripping a byte at a time never trips them. `max_bytes` counts decoded
    bytes so a small gzip body cannot expand past it. `max_wait` is the
    longest we sleep for a server's Retry-After or RateLimit hint, or for
    another process's turn at a paced host; beyond it the fetch fails as
    rate-limited so a run is recorded instead of hanging for hours.
    `allow_private` lists host names, addresses or networks that may be
    private, loopback or link-local (tests, intranet feeds); everything else
    must resolve to a public address, on the first request and on every
    redirect. `min_interval` paces request starts per host across all
    processes sharing `state_dir`; hosts named in `pace_groups` share one
    turn and one clock (their group's), so arXiv's API, feeds and OAI-PMH
    together keep to one request every 3 s.

    `proxy` is the one proxy every request goes through (empty: none). The
    environment's HTTP_PROXY/HTTPS_PROXY/NO_PROXY are ignored unless
    `trust_env` is set, so a variable left in a shell cannot reroute
    fetches past the address check. `own_hosts` is not a setting: it is
    filled from the sources' configured `url`/`base_url` and a URL typed on
    the command line, whose hosts are the user's to fetch wherever they point.
    """

    user_agent: str = field(default_factory=default_user_agent)
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 120.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 4
    backoff_base: float = 1.0
    max_wait: float = 300.0
    allow_private: tuple[str, ...] = ()
    min_interval: Mapping[str, float] = field(default_factory=_default_min_interval)
    pace_groups: Mapping[str, str] = field(default_factory=_default_pace_groups)
    state_dir: Path = field(default_factory=_default_state_dir)
    proxy: str = ""
    trust_env: bool = False
    own_hosts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise once, here
        if not self.user_agent or not self.user_agent.strip():
            raise ValueError("http.user_agent must not be empty")
        for name in ("connect_timeout", "read_timeout", "deadline"):
            if not getattr(self, name) > 0:
                raise ValueError(f"http.{name} must be > 0")
        for name in ("max_bytes", "max_redirects", "retries"):
            if isinstance(getattr(self, name), bool) or int(getattr(self, name)) < 0:
                raise ValueError(f"http.{name} must be >= 0")
            set_(self, name, int(getattr(self, name)))
        if self.backoff_base < 0 or self.max_wait < 0:
            raise ValueError("http.backoff_base and http.max_wait must be >= 0")
        if isinstance(self.allow_private, str):
            set_(self, "allow_private", (self.allow_private,))
        set_(self, "allow_private", tuple(str(h).strip().lower() for h in self.allow_private))
        set_(self, "own_hosts", tuple(str(h).strip().lower().rstrip(".").strip("[]") for h in self.own_hosts))
        if self.proxy and not self.proxy.lower().startswith(("http://", "https://", "socks5://", "socks5h://")):
            raise ValueError(f"http.proxy {self.proxy!r}: expected an http://, https:// or socks5:// URL")
        intervals = {str(h).strip().lower(): float(s) for h, s in dict(self.min_interval).items()}
        if any(s < 0 for s in intervals.values()):
            raise ValueError("http.min_interval values must be >= 0")
        set_(self, "min_interval", MappingProxyType(intervals))
        groups = {str(h).strip().lower(): str(g).strip().lower() for h, g in dict(self.pace_groups).items()}
        set_(self, "pace_groups", MappingProxyType(groups))
        set_(self, "state_dir", Path(self.state_dir))

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any], **overrides: Any) -> "HttpSettings":
        """Build settings from a TOML table such as `[http]`.

        Unknown keys are an error: a misspelt `max_wait` silently falling back
        to its default is exactly the kind of quiet misconfiguration this
        layer exists to prevent. `overrides` (e.g. the CLI's `state_dir`)
        win over the table. `min_interval` entries add to the default arXiv
        pacing; set a host to 0 to unpace it.
        """
        known = {f.name for f in fields(cls)} - {"own_hosts"}
        values = {**dict(table), **overrides}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown [http] setting(s): {', '.join(unknown)}")
        if "allow_private" in values:
            values["allow_private"] = tuple(values["allow_private"])
        if "min_interval" in values:
            # Adds to the arXiv defaults rather than replacing them: pacing one
            # arXiv host must not silently unpace the others (0 unpaces one).
            values["min_interval"] = {**_default_min_interval(), **dict(values["min_interval"])}
        if "pace_groups" in values:
            values["pace_groups"] = {**_default_pace_groups(), **dict(values["pace_groups"])}
        return cls(**values)

    def trusting(self, url: str) -> "HttpSettings":
        """These settings with `url`'s host among the user's own (a URL typed on the command line)."""
        from pipeline.http.safety import host_of

        host = host_of(url)
        return replace(self, own_hosts=(*self.own_hosts, host)) if host else self

    def interval_for(self, host: str) -> float:
        return self.min_interval.get(host.lower().rstrip("."), 0.0)

    def pace_key(self, host: str) -> str:
        """The name whose turn and clock `host` shares: its group's, else its own."""
        host = host.lower().rstrip(".")
        return self.pace_groups.get(host, host)

    def private_allowances(self) -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
        """Split `allow_private` into exact host names and address networks."""
        names: set[str] = set()
        networks = []
        for entry in self.allow_private:
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                names.add(entry.rstrip("."))
        return names, networks
