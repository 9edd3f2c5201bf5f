"""What encryption at rest costs: the same journal plain and encrypted, side by side.

Run:  .venv/bin/python scripts/bench_encryption.py [--sessions 2000]

Prints the one-off unlock (scrypt), open, search, entries and per-turn commit latencies for both,
the time to seal and open a 30 s recording, and how long `voicejournal encrypt` takes on it.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_journal import USER_WORDS, WORDS, fill, sentence, timed  # noqa: E402
from voicejournal.audio import encode_audio  # noqa: E402
from voicejournal.journal import Journal, crypto, queries, search
from voicejournal.journal.convert import encrypt_journal
from voicejournal.settings import Settings
from voicejournal.types import Audio, Level, ScreenResult

PASSPHRASE = "bench passphrase, not a secret"


def measure(path: Path, vault: crypto.Vault | None, sessions: int) -> dict[str, tuple[float, float]]:
    rng = random.Random(7)
    journal = Journal.open(path, vault)
    fill(journal, sessions, rng)
    sid = journal.start_session("talk")
    calm = ScreenResult(Level.NONE)
    out = {"add_user_turn": timed(lambda: journal.add_user_turn(sid, sentence(rng, USER_WORDS), calm, {}, {}), 100)}
    journal.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    journal.close()
    out["open"] = timed(lambda: Journal.open(path, vault).close(), 20)
    journal = Journal.open(path, vault)
    words = iter([rng.choice(WORDS) for _ in range(200)] * 2)
    out["search, top 20"] = timed(lambda: search.search(journal.conn, next(words), limit=20), 200)
    out["entries, newest 20"] = timed(lambda: queries.session_lines(journal.conn, limit=20), 100)
    journal.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain_dir, locked_dir = Path(tmp) / "plain", Path(tmp) / "locked"
        plain = measure(plain_dir / "journal.db", None, args.sessions)
        t0 = time.perf_counter()
        header, vault = crypto.new_header(PASSPHRASE)
        unlock_ms = (time.perf_counter() - t0) * 1000
        locked_dir.mkdir(mode=0o700)
        crypto.write_header(locked_dir, header)
        locked = measure(locked_dir / "journal.db", vault, args.sessions)

        rng = np.random.default_rng(0)
        flac = encode_audio(Audio((0.1 * rng.standard_normal(16_000 * 30)).astype(np.float32), 16_000), "FLAC")
        seal = timed(lambda: vault.seal(flac), 20)
        sealed = vault.seal(flac)
        unseal = timed(lambda: vault.unseal(sealed, "bench"), 20)

        t0 = time.perf_counter()
        encrypt_journal(Settings(data_dir=plain_dir), lambda new: PASSPHRASE)
        convert_s = time.perf_counter() - t0
        size = (plain_dir / "journal.db").stat().st_size

    print(f"journal: {args.sessions} sessions; unlock (scrypt n=2^17, once per process): {unlock_ms:.0f} ms")
    print(f"{'':22s} {'plain p50/p99 ms':>18s} {'encrypted p50/p99 ms':>22s}")
    for name in plain:
        (p50, p99), (e50, e99) = plain[name], locked[name]
        print(f"{name:22s} {p50:8.2f} / {p99:7.2f} {e50:10.2f} / {e99:8.2f}")
    print(f"30 s FLAC recording ({len(flac) / 1e3:.0f} kB): seal {seal[0]:.2f} ms, open {unseal[0]:.2f} ms")
    print(f"`voicejournal encrypt` of the plain journal ({size / 1e6:.1f} MB): {convert_s:.1f} s (scrypt included)")


if __name__ == "__main__":
    main()
