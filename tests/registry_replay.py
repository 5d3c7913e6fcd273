"""A local HTTP server that replays recorded ClinicalTrials.gov API v2 answers (no network).

Each route (a path such as ``/api/v2/studies/NCT02576665``, or ``/api/v2/studies`` with the
``pageToken`` it is asked for) has a queue of answers; the last one repeats. Every request is
recorded, so tests can assert on what mscli asked for.
"""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPLAY = Path(__file__).parent / "fixtures" / "ctgov_replay"


class Answer:
    def __init__(self, status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None,
                 declared_length: int | None = None) -> None:
        self.status, self.body, self.headers = status, body, headers or {}
        self.declared_length = declared_length  # a Content-Length larger than the body: a cut-off answer


def recorded(name: str, status: int = 200, **kwargs: Any) -> Answer:
    return Answer(status, (REPLAY / name).read_bytes(), {"Content-Type": "application/json"}, **kwargs)


class Replay:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str | None], list[Answer]] = {}
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                parts = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(parts.query)
                replay.requests.append((parts.path, query))
                token = query.get("pageToken", [None])[0]
                queue = replay.routes.get((parts.path, token)) or [Answer(404, b"Not Found")]
                answer = queue.pop(0) if len(queue) > 1 else queue[0]
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(answer.declared_length or len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
                if answer.declared_length:
                    self.close_connection = True

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def route(self, path: str, *answers: Answer, token: str | None = None) -> None:
        self.routes[("/api/v2" + path, token)] = list(answers)

    def __enter__(self) -> Replay:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
