"""Compare a fresh release build with the recorded SHA-256 of every file under dist/.

    python scripts/release_checksums.py            # build, then compare (exit 1 on any difference)
    python scripts/release_checksums.py --record   # build, then rewrite the recorded list

The recorded list is tests/resources/build/release-sha256.txt. It pins the release byte for byte, so a
change to the package that should not change any output (a refactoring, a new lint rule) is shown to
leave the release identical. A change to the data, the ontology or a serialiser changes it on purpose:
record the list again in the same commit, so the diff shows which release files changed.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "tests" / "resources" / "build" / "release-sha256.txt"


def checksums(dist: Path) -> dict[str, str]:
    """SHA-256 of every file under ``dist`` (SHA256SUMS included), keyed by its path relative to ``dist``."""
    return {
        p.relative_to(dist).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(dist.rglob("*"))
        if p.is_file()
    }


def read_record(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            digest, rel = line.split(None, 1)
            out[rel] = digest
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", action="store_true", help="rewrite the recorded list from this build")
    parser.add_argument("--no-build", action="store_true", help="compare the dist/ that is already there")
    args = parser.parse_args(argv)
    if not args.no_build:
        run = subprocess.run([sys.executable, "-m", "exo_rdf", "--root", str(ROOT), "build"], stdout=subprocess.DEVNULL)
        if run.returncode != 0:
            print(f"exo-rdf build failed (exit code {run.returncode}); see its messages above", file=sys.stderr)
            return 2
    now = checksums(ROOT / "dist")
    if args.record:
        lines = ["# sha256  path under dist/ -- written by: python scripts/release_checksums.py --record"]
        lines += [f"{digest}  {rel}" for rel, digest in now.items()]
        RECORD.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"recorded {len(now)} release files in {RECORD.relative_to(ROOT)}")
        return 0
    recorded = read_record(RECORD)
    changed = sorted(rel for rel in recorded.keys() & now.keys() if recorded[rel] != now[rel])
    missing, extra = sorted(recorded.keys() - now.keys()), sorted(now.keys() - recorded.keys())
    for label, rels in (("changed", changed), ("missing", missing), ("new", extra)):
        for rel in rels:
            print(f"{label}: dist/{rel}")
    if changed or missing or extra:
        print(f"release differs from {RECORD.relative_to(ROOT)} (record it again with --record if intended)")
        return 1
    print(f"release identical: {len(now)} files match {RECORD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
