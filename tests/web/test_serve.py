"""`trialdesk serve` end to end: first start migrates the store and prints a one-time
setup link; the link creates the first admin once; a second start prints none."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from trialdesk.study.loader import BUNDLED

LINK = re.compile(r"http://127\.0\.0\.1:\d+/setup/[\w-]+")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(db: Path, port: int, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    exe = Path(sys.executable).with_name("trialdesk")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--database-url", f"sqlite:///{db}", *extra],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    # serve says "ready at" (and prints the setup link) only once /healthz answers (D18)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if "trialdesk ready at" in log.read_text():
            return proc
        time.sleep(0.2)
    proc.kill()
    pytest.fail(f"serve did not start: {log.read_text()}")


def test_first_start_prints_a_setup_link_that_works_once(tmp_path: Path) -> None:
    db, port = tmp_path / "trialdesk.db", _free_port()
    proc = _serve(db, port, tmp_path / "first.log")
    try:
        output = (tmp_path / "first.log").read_text()
        found = LINK.search(output)
        assert found, output
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as browser:
            form = browser.get(found.group(0)).text
            token = re.search(r'name="csrf_token" value="([^"]+)"', form)
            assert token
            done = browser.post(
                found.group(0),
                data={
                    "username": "root-admin",
                    "full_name": "Root Admin",
                    "password": "a long admin passphrase",
                    "password_again": "a long admin passphrase",
                    "csrf_token": token.group(1),
                },
            )
            # confirmed, with a link to sign in (walkthrough D17)
            assert done.status_code == 200 and 'href="/login?next=/admin/users"' in done.text
            again = browser.post(
                found.group(0),
                data={
                    "username": "second-admin",
                    "full_name": "Second Admin",
                    "password": "a long admin passphrase",
                    "password_again": "a long admin passphrase",
                    "csrf_token": token.group(1),
                },
            )
            assert again.status_code == 410  # the link worked once
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    proc = _serve(db, port, tmp_path / "second.log")
    try:
        assert not LINK.search((tmp_path / "second.log").read_text())
        assert "default password" not in (tmp_path / "second.log").read_text().lower()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


EYE_STUDY = Path(__file__).resolve().parents[1] / "data" / "studies" / "NCT09900001"


def test_a_study_folder_is_served_beside_the_bundled_ones(tmp_path: Path) -> None:
    """A site's own copy of a bundled study replaces it: here with 40 places."""
    copy = tmp_path / "NCT06947746"
    shutil.copytree(BUNDLED / "NCT06947746", copy)
    record = json.loads((copy / "ctgov.json").read_text())
    record["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = 40
    (copy / "ctgov.json").write_text(json.dumps(record))
    db, port = tmp_path / "trialdesk.db", _free_port()
    log = tmp_path / "serve.log"
    proc = _serve(db, port, log, "--study", str(EYE_STUDY), "--study", str(copy))
    try:
        base = f"http://127.0.0.1:{port}"
        served = {s["nct_id"]: s for s in httpx.get(f"{base}/api/studies").json()}
        assert set(served) == {"NCT06947746", "NCT09900001"}, log.read_text()
        page = httpx.get(f"{base}/studies/NCT06947746").text
        assert served["NCT06947746"]["enrollment"].startswith("40 ") and "40 participants" in page
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_study_folder_that_does_not_load_stops_the_start(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("trialdesk")
    done = subprocess.run(
        [str(exe), "serve", "--port", str(_free_port()), "--database-url",
         f"sqlite:///{tmp_path / 'x.db'}", "--study", str(tmp_path / "missing")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "missing" in done.stderr


def test_two_study_folders_of_one_study_are_refused(tmp_path: Path) -> None:
    from trialdesk.errors import InputError
    from trialdesk.web.serve import served_studies

    with pytest.raises(InputError, match="both NCT09900001"):
        served_studies([str(EYE_STUDY), str(shutil.copytree(EYE_STUDY, tmp_path / "copy"))])
