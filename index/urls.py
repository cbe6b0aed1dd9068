"""Credentials in URLs (`http://admin:hunter2@host/…`): cut off the moment a URL enters.

A URL is shown, cited, stored and logged by what follows its userinfo; the userinfo itself is kept
only by the fetcher that sends it (sources/web.py, as a Basic authorization header to the same site).
Light on purpose: `Passage` and `Document` strip their URLs through it.
"""
from __future__ import annotations

import re

# An authority's userinfo: everything up to the last "@" before the path, query or fragment (as
# httpx and RFC 3986 read it), after "scheme://" or a protocol-relative "//".
_USERINFO = re.compile(r"^(?P<head>(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//)(?P<userinfo>[^/?#]*)@")


def split_credentials(url: str) -> tuple[str, str | None]:
    """The URL without its userinfo, and the userinfo ("user:password", as written) or None."""
    match = _USERINFO.match(url.lstrip())
    if match is None:
        return url, None
    stripped = url.lstrip()
    return match["head"] + stripped[match.end():], match["userinfo"]


def without_credentials(url: str) -> str:
    """The URL as it may be shown, cited and stored: no user name, no password."""
    return split_credentials(url)[0] if "@" in url else url


def optional(url: str | None) -> str | None:
    """`without_credentials` for a URL that may be absent."""
    return without_credentials(url) if url else url
