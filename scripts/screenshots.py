"""Screenshots of the site's main pages in headless Chromium, for the README (docs/screenshots/).

    python scripts/screenshots.py                 # starts `exo-rdf serve` on a free port (dist/ must be built)
    python scripts/screenshots.py --url URL       # uses a running server
    python scripts/screenshots.py --out DIR       # default: docs/screenshots

Pages: home (the pictures), findings browser (two filters), a finding (its diagram), an entity (its roles)
and the SPARQL editor after running a stored question.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": "/exo-rdf/",
    "findings": "/exo-rdf/findings?model=exo%3AInVivoModel&cargo-kind=exo%3AMiRNACargo",
    "finding": "/exo-rdf/data/finding/s000-kidney-hucmsc-exo-mir146b-irak1-sepsis-aki.html",
    "entity": "/exo-rdf/entity/MONDO:0002492",
    "editor": "/sparql?edit=cq-07-kidney-mirna",
}


def _serve() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "exo_rdf.cli", "--root", str(ROOT), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(base + "/exo-rdf/", timeout=2):
                return proc, base
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("exo-rdf serve did not start (run exo-rdf build first)")


def shoot(base: str, out: Path) -> list[Path]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    out.mkdir(parents=True, exist_ok=True)
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "chromium"
    profile = tempfile.mkdtemp(prefix="exo-shots-")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--disable-background-networking",
        "--no-first-run",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"), options=opts)
    saved = []
    try:
        for name, path in PAGES.items():
            drv.get(base + path)
            if name == "editor":
                wait = WebDriverWait(drv, 20)
                wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("data-editor") == "ready")
                drv.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
                wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table tbody tr td"))
            target = out / f"{name}.png"
            drv.save_screenshot(str(target))
            saved.append(target)
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="base URL of a running exo-rdf serve")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    proc = None
    base = args.url
    if base is None:
        proc, base = _serve()
    try:
        for path in shoot(base.rstrip("/"), args.out):
            print(f"saved {os.path.relpath(path, Path.cwd())}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
