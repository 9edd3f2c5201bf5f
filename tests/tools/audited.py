"""Run voicejournal under Python audit hooks that log every connection and every file written.

    python tests/tools/audited.py LOGFILE ALLOWED_HOST:PORT|- -- voicejournal args...

Connections to anything but the allowed LLM host are refused (the call raises) and logged;
so are files opened for writing. The log is one JSON object per line.
"""

from __future__ import annotations

import json
import os
import socket
import sys


def main() -> None:
    log_path, allowed = sys.argv[1], sys.argv[2]
    args = sys.argv[sys.argv.index("--") + 1:]
    log = open(log_path, "a", buffering=1, encoding="utf-8")  # opened before the hook: not audited
    allowed_addr = None if allowed == "-" else (allowed.rsplit(":", 1)[0], int(allowed.rsplit(":", 1)[1]))

    def hook(event: str, hook_args: tuple) -> None:
        if event == "socket.connect":
            sock, address = hook_args
            if sock.family == socket.AF_UNIX:
                log.write(json.dumps({"event": "connect", "address": str(address), "allowed": False}) + "\n")
                raise ConnectionRefusedError("blocked by test: unix socket")
            ok = allowed_addr is not None and (address[0], address[1]) == allowed_addr
            log.write(json.dumps({"event": "connect", "address": list(address[:2]), "allowed": ok}) + "\n")
            if not ok:
                raise ConnectionRefusedError(f"blocked by test: {address}")
        elif event == "open":
            path, mode, flags = hook_args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            if writing and isinstance(path, (str, bytes, os.PathLike)):
                log.write(json.dumps({"event": "write", "path": os.path.abspath(os.fsdecode(path))}) + "\n")

    sys.addaudithook(hook)
    sys.argv = ["voicejournal", *args]
    from voicejournal.cli import run

    run()


if __name__ == "__main__":
    main()
