"""A STAND-IN for an Ollama server (no Ollama installs here): speaks /api/chat's streaming protocol.

It is a real HTTP server on 127.0.0.1 that the real `ollama` client talks to; only the model
behind it is canned.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class StandIn:
    reply: str = "That sounds like a full day. What part of it stays with you tonight?"
    models: tuple[str, ...] = ("llama3.2",)
    die_after_pieces: int | None = None
    requests: list[dict] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def host(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "StandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def do_GET(self) -> None:  # noqa: N802
                body = json.dumps({"models": [{"name": m, "model": m} for m in standin.models]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length))
                standin.requests.append(request)
                if request.get("model") not in standin.models:
                    body = json.dumps({"error": f"model '{request.get('model')}' not found"}).encode()
                    self.send_response(404)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                words = standin.reply.split(" ")
                for i, word in enumerate(words):
                    if standin.die_after_pieces is not None and i >= standin.die_after_pieces:
                        self.connection.close()  # the server dies mid-reply
                        return
                    self._chunk({"model": request["model"], "created_at": "2026-01-01T00:00:00Z",
                                 "message": {"role": "assistant", "content": word + (" " if i < len(words) - 1 else "")},
                                 "done": False})
                self._chunk({"model": request["model"], "created_at": "2026-01-01T00:00:00Z",
                             "message": {"role": "assistant", "content": ""}, "done": True,
                             "done_reason": "stop", "eval_count": len(words)})
                self.wfile.write(b"0\r\n\r\n")

            def _chunk(self, obj: dict) -> None:
                data = (json.dumps(obj) + "\n").encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
