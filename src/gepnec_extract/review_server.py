"""``gepnec-extract review OUT_DIR``: the report with a verdict form beside each value, served on
127.0.0.1 for one reviewer.

Standard library only (``http.server``), single-threaded, local only: it binds the loopback
address, answers only requests whose Host is that address, takes a POST only from its own page
(Origin or Referer of the same address, so another site open in the browser cannot post
verdicts), reads at most ``MAX_BODY`` bytes of a form, and serves files only from OUT_DIR/pages/
by a plain file name. The page keeps the report's policy (no script; forms only to this server).

Routes: ``GET /`` the review page; ``GET /pages/<name>.jpg`` page pictures; ``POST /correct`` one
verdict (written into evidence.duckdb by ``corrections.record``, then back to the record);
``GET /corrections.jsonl`` the corrections as a file ``apply-corrections`` replays; ``GET /gold``
the curated records of the reviewed papers (gold JSON lines).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from . import corrections
from .report import policy, render_page

MAX_BODY = 64 * 1024
LOOPBACK = "127.0.0.1"
_PICTURE = re.compile(r"^/pages/([A-Za-z0-9_.-]+\.jpg)$")


class ReviewServer(HTTPServer):
    def __init__(self, out_dir: Path, reviewer: str, port: int = 0, evaluation: dict | None = None):
        self.out_dir = Path(out_dir)
        self.db = self.out_dir / "evidence.duckdb"
        self.reviewer = reviewer
        self.evaluation = evaluation
        super().__init__((LOOPBACK, port), ReviewHandler)

    @property
    def origin(self) -> str:
        return f"http://{LOOPBACK}:{self.server_address[1]}"


class ReviewHandler(BaseHTTPRequestHandler):
    server: ReviewServer
    server_version = "gepnec-review"
    sys_version = ""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: the terminal shows what the server prints itself

    # -- checks ---------------------------------------------------------------------------
    def _host_ok(self) -> bool:
        host = self.headers.get("Host", "")
        return host in (f"{LOOPBACK}:{self.server.server_address[1]}", f"localhost:{self.server.server_address[1]}")

    def _same_origin(self) -> bool:
        origin = self.headers.get("Origin")
        if origin is not None:
            return origin == self.server.origin
        referer = self.headers.get("Referer", "")
        return referer.startswith(self.server.origin + "/")

    # -- responses ------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", policy(review=True))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, text: str) -> None:
        self._send(status, (text + "\n").encode("utf-8"), "text/plain; charset=utf-8")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if not self._host_ok():
            return self._text(HTTPStatus.FORBIDDEN, "forbidden host")
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/":
            query = urllib.parse.parse_qs(url.query)
            message = (query.get("saved") or query.get("error") or [""])[0][:300]
            review = {"verdicts": corrections.latest(self.server.db), "reviewer": self.server.reviewer,
                      "history": corrections.history(self.server.db).to_dict("records"),
                      "message": message, "error": "error" in query}
            page = render_page(self.server.out_dir, self.server.evaluation, tag_text=False, review=review)
            return self._send(HTTPStatus.OK, page.encode("utf-8"), "text/html; charset=utf-8")
        picture = _PICTURE.match(url.path)
        if picture:
            target = self.server.out_dir / "pages" / picture.group(1)
            if target.is_file():
                return self._send(HTTPStatus.OK, target.read_bytes(), "image/jpeg")
            return self._text(HTTPStatus.NOT_FOUND, "no such picture")
        if url.path == "/corrections.jsonl":
            body = corrections.to_file_lines(self.server.db).encode("utf-8")
            return self._send(HTTPStatus.OK, body, "application/jsonl; charset=utf-8",
                              {"Content-Disposition": 'attachment; filename="corrections.jsonl"'})
        if url.path == "/gold":
            lines = "".join(r.model_dump_json() + "\n"
                            for r in corrections.curated_records(self.server.db, reviewed_only=True))
            return self._send(HTTPStatus.OK, lines.encode("utf-8"), "application/jsonl; charset=utf-8")
        return self._text(HTTPStatus.NOT_FOUND, "not found")

    def do_POST(self) -> None:  # noqa: N802
        if not self._host_ok() or not self._same_origin():
            return self._text(HTTPStatus.FORBIDDEN, "forbidden: post from this review page only")
        if urllib.parse.urlsplit(self.path).path != "/correct":
            return self._text(HTTPStatus.NOT_FOUND, "not found")
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            return self._text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a form of 1 to {MAX_BODY} bytes")
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"),
                                                          keep_blank_values=True).items()}
        back = re.sub(r"[^\w.-]", "", form.get("back", ""))[:200]
        try:
            item = corrections.Correction.from_dict({**form, "reviewer": self.server.reviewer,
                                                     "cohort_key": form.get("cohort_key", "")})
            (number,) = corrections.record(self.server.db, [item])
            what = "right" if item.verdict == "right" else f"wrong, now {item.value or '(no value)'}"
            query = urllib.parse.urlencode({"saved": f"correction {number} saved: {item.study_id} {item.field} {what}"})
        except corrections.CorrectionError as err:
            query = urllib.parse.urlencode({"error": f"not saved: {err}"})
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", f"/?{query}#{back or 'message'}")
        self.send_header("Content-Length", "0")
        self.end_headers()


def make_server(out_dir: Path | str, reviewer: str, port: int = 0, evaluation: dict | None = None) -> ReviewServer:
    out_dir = Path(out_dir)
    if not (out_dir / "evidence.duckdb").is_file() or not (out_dir / "records.jsonl").is_file():
        raise FileNotFoundError(f"{out_dir} holds no run (evidence.duckdb and records.jsonl): "
                                "run `gepnec-extract run PAPERS --out DIR` first")
    from .report import ensure_page_pictures

    ensure_page_pictures(out_dir)
    return ReviewServer(out_dir, reviewer, port, evaluation)


def load_evaluation(out_dir: Path) -> dict | None:
    try:
        return json.loads((Path(out_dir) / "evaluation.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
