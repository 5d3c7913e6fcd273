"""The one place mscli talks to a network: ClinicalTrials.gov's data API (version 2).

Only ``mscli registry`` imports this module; every other command stays offline. The standard
library's ``urllib`` is enough for a few hundred GET requests of JSON, one at a time, and adds
no dependency (nor the start-up cost of one) to a tool whose other commands never go online.

The API answers 429 when asked too often and 5xx when it is unwell: both are retried with
exponential backoff, waiting at least as long as a ``Retry-After`` header asks (up to a cap).
A body cut off in transit (shorter than its ``Content-Length``, or JSON that ends early) is
retried too, then reported. No network at all is one line and its own exit code.

The HTTP client (``urllib.request``, which brings ``http.client``, ``ssl`` and ``email``) costs
more to import than the rest of a run that cannot reach the registry, so it is imported only
once a plain TCP connection to the registry's host has been made; when even that is refused or
the name does not resolve, the answer is the one the HTTP client would have given
(``_unreachable``). Every request itself, TLS and certificate checks included, goes through
``urllib`` as before.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

from mscli import __version__
from mscli.errors import NotFoundError, RegistryError, RegistryOffline, UsageError

DEFAULT_BASE_URL = "https://clinicaltrials.gov/api/v2"
BASE_URL_ENV = "MSCLI_CTGOV_URL"
MAX_BODY_BYTES = 64 * 1024 * 1024  # a page of 1,000 full studies is about 40 MB
MAX_RETRY_AFTER = 120.0  # seconds; a longer wait asked for is reported instead of slept through
_RETRIED = frozenset({429, 500, 502, 503, 504})


def base_url(option: str | None = None) -> str:
    """The API root: the option, else ``$MSCLI_CTGOV_URL``, else the public API."""
    chosen = (option or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).strip().rstrip("/")
    parts = urllib.parse.urlsplit(chosen)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"registry URL {chosen[:80]!r} is not an http(s) URL")
    return chosen


class Client:
    """GETs JSON from the API with timeouts, retries and backoff; ``sleep`` is injectable so
    tests of the waits need not wait."""

    def __init__(self, root: str, timeout: float = 30.0, retries: int = 4, backoff: float = 1.0,
                 interval: float = 0.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.root, self.timeout, self.retries, self.backoff, self.sleep = root, timeout, retries, backoff, sleep
        self.interval = interval  # least time between two requests, to stay under the API's rate limit
        self.requests = 0
        self._last: float | None = None

    def study(self, nct_id: str) -> Any:
        """One study record; ``NotFoundError`` when the registry has no such number."""
        return self.get(f"/studies/{urllib.parse.quote(nct_id)}", {"format": "json"})

    def pages(self, params: dict[str, str], max_pages: int) -> Iterator[dict[str, Any]]:
        """Every page of a search, following ``nextPageToken``, at most ``max_pages``."""
        token: str | None = None
        for _ in range(max_pages):
            try:
                page = self.get("/studies", {**params, "format": "json", **({"pageToken": token} if token else {})})
            except NotFoundError:
                raise RegistryError("the registry answered HTTP 404 to a search (a wrong --registry-url?)") from None
            if not isinstance(page, dict) or not isinstance(page.get("studies"), list):
                raise RegistryError("the registry's answer to a search is not a page of studies")
            yield page
            token = page.get("nextPageToken") if isinstance(page.get("nextPageToken"), str) else None
            if not token:
                return

    def get(self, path: str, params: dict[str, str]) -> Any:
        url = f"{self.root}{path}?{urllib.parse.urlencode(params)}"
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(url)
            except _Retry as retry:
                if attempt > self.retries:
                    raise RegistryError(f"{retry.reason}; gave up after {attempt} attempts") from None
                wait = max(self.backoff * 2 ** (attempt - 1), retry.after or 0.0)
                if wait > MAX_RETRY_AFTER:
                    raise RegistryError(f"{retry.reason}; the registry asks to wait {wait:.0f} s, "
                                        "try again later") from None
                self.sleep(wait)

    def _once(self, url: str) -> Any:
        if self.requests == 0 and (reason := _unreachable(url, self.timeout)) is not None:
            self.requests += 1
            raise RegistryOffline(_offline(reason))
        import http.client
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, headers={  # noqa: S310 - base_url allows http(s) only
            "Accept": "application/json", "User-Agent": f"mscli/{__version__} (registry check)"})
        if self._last is not None and (early := self.interval - (time.monotonic() - self._last)) > 0:
            self.sleep(early)
        self.requests += 1
        self._last = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) only
                body = _read(response)
        except urllib.error.HTTPError as error:
            with error:
                status = error.code
                if status == 404:
                    raise NotFoundError(f"not on ClinicalTrials.gov (HTTP 404 for {_short(url)})") from None
                if status in _RETRIED:
                    raise _Retry(f"the registry answered HTTP {status}",
                                 _retry_after(error.headers.get("Retry-After"))) from None
                raise RegistryError(f"the registry answered HTTP {status} for {_short(url)}") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise _Retry("the registry did not answer in time", None) from None
            raise RegistryOffline(_offline(error.reason)) from None
        except TimeoutError:
            raise _Retry("the registry did not answer in time", None) from None
        except http.client.IncompleteRead:
            raise _Retry("the registry's answer was cut off", None) from None
        except (ConnectionError, http.client.HTTPException) as error:
            raise _Retry(f"the connection to the registry failed ({type(error).__name__})", None) from None
        try:
            return json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            raise _Retry("the registry's answer was cut off or is not JSON", None) from None


class _Retry(Exception):
    def __init__(self, reason: str, after: float | None) -> None:
        super().__init__(reason)
        self.reason, self.after = reason, after


def _unreachable(url: str, timeout: float) -> OSError | None:
    """Why the first request could not even connect (refused, no such host, no route), found
    with a bare TCP connection; None when it connects, times out (the HTTP client's retries
    decide), or when a proxy may be in the way, which only the HTTP client knows how to use
    (a ``*_proxy`` variable, or macOS and Windows, whose proxies are system settings)."""
    if sys.platform in ("darwin", "win32") or any(name.lower().endswith("_proxy") for name in os.environ):
        return None
    import socket

    parts = urllib.parse.urlsplit(url)
    try:
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if not host:
        return None
    # Bytes, as the C resolver takes them: a str host would load the IDNA codec (typeshed says str only).
    address: Any = (host.encode("ascii") if host.isascii() else host, port)
    try:
        with socket.create_connection(address, timeout=timeout):
            return None
    except TimeoutError:
        return None
    except OSError as error:
        return error


def _read(response: Any) -> bytes:
    import http.client

    declared = response.headers.get("Content-Length")
    body = bytes(response.read(MAX_BODY_BYTES + 1))
    if len(body) > MAX_BODY_BYTES:
        raise RegistryError(f"the registry's answer is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB")
    if declared is not None and declared.isdigit() and len(body) < int(declared):
        raise http.client.IncompleteRead(body, int(declared) - len(body))
    return body


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _offline(reason: object) -> str:
    detail = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
    return (f"cannot reach ClinicalTrials.gov ({' '.join(detail.split())[:120]}); mscli works offline "
            "except 'mscli registry', which needs the network")


def _short(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.path

