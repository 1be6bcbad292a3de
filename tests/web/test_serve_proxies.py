"""``trialdesk serve --forwarded-allow-ips``: the proxies whose X-Forwarded-* headers are
believed, passed to uvicorn; ``none`` believes no proxy at all."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from trialdesk.cli import app as cli
from trialdesk.web import serve


def test_the_cli_option_reaches_serve(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(serve, "serve", lambda *a, **kw: seen.update(kw))
    result = CliRunner().invoke(cli, ["serve", "--forwarded-allow-ips", "10.0.0.7,10.1.0.0/16"])
    assert result.exit_code == 0, result.output
    assert seen["forwarded_allow_ips"] == "10.0.0.7,10.1.0.0/16"
    CliRunner().invoke(cli, ["serve"])
    assert seen["forwarded_allow_ips"] is None  # not given: the environment, else loopback


def test_none_believes_no_proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    seen: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda *a, **kw: seen.update(kw))
    monkeypatch.delenv(serve.PROXIES_ENV, raising=False)
    for name in (serve.URL_ENV, serve.SECURE_ENV, serve.STUDIES_ENV):
        monkeypatch.setenv(name, "")  # serve() sets them for its workers: restored after
    monkeypatch.setenv(serve.SECRET_ENV, "s" * 32)
    out = tmp_path / "out.txt"
    with out.open("w") as stream:
        serve.serve("127.0.0.1", 0, f"sqlite:///{tmp_path / 's.db'}", Console(file=stream),
                    forwarded_allow_ips="none")  # fmt: skip
    assert seen["proxy_headers"] is False and seen["forwarded_allow_ips"] is None
    assert "believed from no proxy" in out.read_text()
