"""The preview: what the page shows for a good and a broken bank, the linter hook, and the
server (loopback only, reload events on file changes, stops by itself). The real browser
test is in tests/browser/test_preview_browser.py."""

from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.authoring import template_yaml
from qbank.authoring.preview import Preview, quality_report
from qbank.authoring.server import PreviewServer
from qbank.cli import cli


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(template_yaml(item_type="single_choice", template_id="ce-def"), encoding="utf-8")
    return path


def test_the_page_shows_the_variant_with_key_feedback_and_explanation(bank: Path) -> None:
    page = Preview.open(bank, linter=None).page("ce-def", 0)
    assert '<option value="ce-def" selected>' in page
    assert "With a one-hot target on token" in page
    assert "✓ correct" in page  # the key
    assert "M-PROB-AS-LOSS" in page and "That is a probability gap, not a log-loss." in page  # feedback per option
    assert "<strong>Explanation.</strong>" in page
    assert "No test-wiseness linter in this qbank yet" in page or "Quality report" in page


def test_a_family_template_shows_a_different_variant_per_seed(tmp_path: Path) -> None:
    path = tmp_path / "states.yaml"
    path.write_text(template_yaml(family="compare-states", template_id="st"), encoding="utf-8")
    preview = Preview.open(path)
    assert preview.variant_html("st", 1) != preview.variant_html("st", 2)
    assert "st-v1-s2" in preview.variant_html("st", 2)


def test_a_broken_bank_shows_its_problems_with_file_and_line(bank: Path) -> None:
    text = bank.read_text(encoding="utf-8").replace("          correct: true", "          correct: maybe")
    bank.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.strip() == "correct: maybe")
    page = Preview.open(bank).page(None, 0)
    assert "The bank does not load" in page
    assert f'<span class="where">{bank}:{line}</span>' in page
    assert "<code>templates[0].content.options[0].correct</code>: expected true or false, not &#x27;maybe&#x27;" in page
    assert 'id="variant"' not in page


def test_yaml_that_does_not_parse_shows_the_line(bank: Path) -> None:
    bank.write_text("templates:\n  - id: [unclosed\n", encoding="utf-8")
    page = Preview.open(bank).page(None, 0)
    assert f'<span class="where">{bank}:' in page and "invalid YAML" in page


def test_a_missing_path_is_an_input_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["preview", str(tmp_path / "nope.yaml"), "--timeout", "1"])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.yaml'}: no such bank file or folder\n"


def test_the_quality_report_comes_from_the_linter_hook(bank: Path) -> None:
    def linter(template: object) -> list[str]:
        return [f"{template.id}: the key is the longest option in 100% of variants"]  # type: ignore[attr-defined]

    page = Preview.open(bank, linter=linter).page("ce-def", 0)
    assert "ce-def: the key is the longest option in 100% of variants" in page
    assert quality_report(object(), None) == ("absent", [])
    assert quality_report(object(), lambda t: []) == ("ok", [])
    status, lines = quality_report(object(), lambda t: 1 / 0)
    assert status == "error" and lines == ["the linter failed: ZeroDivisionError: division by zero"]


def _get(url: str, path: str, host: str | None = None, timeout: float = 5) -> tuple[int, str]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    conn.request("GET", path, headers={"Host": host} if host else {})
    response = conn.getresponse()
    body = response.read().decode("utf-8")
    conn.close()
    return response.status, body


def test_the_server_listens_on_loopback_only_and_refuses_other_hosts(bank: Path) -> None:
    with PreviewServer(Preview.open(bank), port=0) as server:
        assert server.url.startswith("http://127.0.0.1:")
        status, body = _get(server.url, "/?t=ce-def&seed=1")
        assert status == 200 and "With a one-hot target" in body
        status, fragment = _get(server.url, "/variant?t=ce-def&seed=1")
        assert status == 200 and fragment.lstrip().startswith("<") and "<html" not in fragment
        assert _get(server.url, "/", host="attacker.example:80")[0] == 403  # DNS rebinding
        assert _get(server.url, "/../../etc/passwd")[0] == 404


def test_a_file_change_sends_a_reload_event(bank: Path) -> None:
    with PreviewServer(Preview.open(bank), port=0, debounce_ms=50) as server:
        version = server.preview.snapshot.version
        result: dict[str, str] = {}

        def listen() -> None:
            result["events"] = _get(server.url, f"/events?since={version}", timeout=20)[1]

        listener = threading.Thread(target=listen)
        listener.start()
        time.sleep(0.5)  # the watcher is up
        bank.write_text(bank.read_text(encoding="utf-8").replace("Cross-entropy with", "Log-loss with"), encoding="utf-8")
        listener.join(timeout=20)
        assert f"event: reload\ndata: {version + 1}" in result.get("events", ""), result
        assert "Log-loss with a one-hot target" in _get(server.url, "/")[1]


def test_preview_stops_by_itself_after_its_timeout(bank: Path) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(cli, ["preview", str(bank), "--timeout", "0.5"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Previewing ") and "at http://127.0.0.1:" in result.stderr
    assert time.monotonic() - started < 10


def test_a_port_in_use_exits_2(bank: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["preview", str(bank), "--port", str(port), "--timeout", "1"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: --port {port}: cannot listen on 127.0.0.1:{port} (")
