"""Neo4j connection settings from the environment and the command line; the password never shows."""

from __future__ import annotations

__all__ = ["DEFAULT_USER", "SCHEMES", "Neo4jSettings", "display_uri"]

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from graph.errors import UsageError

#: URI schemes the official driver accepts (routing, direct Bolt; +s verified TLS, +ssc self-signed).
SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
DEFAULT_USER = "neo4j"


def display_uri(uri: str) -> str:
    """The URI as it may be shown: any user:password@ part removed."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<invalid URI>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


@dataclass(frozen=True)
class Neo4jSettings:
    """Where and as whom to connect; ``repr`` and ``str`` hide the password.

    >>> s = Neo4jSettings("bolt://127.0.0.1:7687", "neo4j", "secret-pw")
    >>> "secret-pw" in repr(s) or "secret-pw" in str(s)
    False
    """

    uri: str
    user: str = DEFAULT_USER
    password: str = field(default="", repr=False)
    database: str | None = None

    def __post_init__(self) -> None:
        scheme = self.uri.split("://", 1)[0].lower() if "://" in self.uri else ""
        if scheme not in SCHEMES:
            raise UsageError(f"Neo4j URI must start with one of {', '.join(s + '://' for s in SCHEMES)}: "
                             f"{display_uri(self.uri)!r}")
        parts = urlsplit(self.uri)
        if parts.username or parts.password:
            raise UsageError("put the Neo4j user and password in NEO4J_USERNAME / NEO4J_PASSWORD, not in the URI")
        if not parts.hostname:
            raise UsageError(f"Neo4j URI has no host: {display_uri(self.uri)!r}")

    def __str__(self) -> str:
        db = f", database {self.database}" if self.database else ""
        return f"{display_uri(self.uri)} as {self.user}{db}"

    @classmethod
    def from_env(
        cls,
        uri: str | None = None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Neo4jSettings:
        """Settings from explicit values, falling back to NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE."""
        env = os.environ if environ is None else environ
        chosen_uri = uri or env.get("NEO4J_URI")
        if not chosen_uri:
            raise UsageError("no Neo4j URI: pass one (bolt://host:7687) or set NEO4J_URI")
        return cls(
            uri=chosen_uri,
            user=user or env.get("NEO4J_USERNAME") or env.get("NEO4J_USER") or DEFAULT_USER,
            password=password if password is not None else env.get("NEO4J_PASSWORD", ""),
            database=database or env.get("NEO4J_DATABASE") or None,
        )
