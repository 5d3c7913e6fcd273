"""Before its first request, the registry client tries a bare TCP connection, so that a run that
cannot reach the registry need not load the HTTP client; its answer must be urllib's own."""

from __future__ import annotations

import socket
import sys

import pytest

from mscli.errors import RegistryOffline
from mscli.features import ctgov_http

CLOSED = "http://127.0.0.1:9/api/v2"


def _offline_message(root: str) -> str:
    with pytest.raises(RegistryOffline) as raised:
        ctgov_http.Client(root, timeout=2, retries=0).study("NCT00000001")
    return str(raised.value)


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="proxies there are system settings: no probe")
@pytest.mark.parametrize("root", [CLOSED, "http://no-such-host.invalid/api/v2"], ids=["refused", "no such host"])
def test_the_probe_says_what_urllib_says(root, monkeypatch):
    for name in [name for name in ctgov_http.os.environ if name.lower().endswith("_proxy")]:
        monkeypatch.delenv(name)
    probed = _offline_message(root)
    assert ctgov_http._unreachable(f"{root}/studies", 2) is not None
    monkeypatch.setenv("no_proxy", "example.org")  # any proxy variable: the probe steps aside
    assert ctgov_http._unreachable(f"{root}/studies", 2) is None
    assert _offline_message(root) == probed


def test_a_host_that_accepts_is_left_to_the_http_client():
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        assert ctgov_http._unreachable(f"http://127.0.0.1:{port}/api/v2/studies", 2) is None
