"""`qbank --help` from the user cache: the same page click writes, without importing click."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CLICK_PATH = "import sys; from qbank.cli import main; sys.argv = ['qbank', *sys.argv[1:]]; main()"


def run(*args: str, columns: int = 80, env: dict[str, str] | None = None, importtime: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS=str(columns), **(env or {}))
    flags = ["-X", "importtime"] if importtime else []
    return subprocess.run([sys.executable, *flags, "-m", "qbank", *args], capture_output=True, text=True, env=env)


def click_page(columns: int) -> str:
    env = dict(os.environ, COLUMNS=str(columns))
    return subprocess.run([sys.executable, "-c", CLICK_PATH, "--help"], capture_output=True, text=True, env=env, check=True).stdout


def pages(home: Path) -> list[Path]:
    return sorted((home / ".cache" / "qbank").glob("help-*.txt"))


@pytest.mark.parametrize("columns", [80, 60])
def test_the_cached_page_is_the_page_click_writes(isolated_home: Path, columns: int) -> None:
    expected = click_page(columns)
    assert expected.startswith("Usage: qbank [OPTIONS] COMMAND [ARGS]...")
    first, second, third = run("--help", columns=columns), run("--help", columns=columns), run("-h", columns=columns)
    assert (first.returncode, second.returncode, third.returncode) == (0, 0, 0)
    assert first.stdout == second.stdout == third.stdout == expected
    assert len(pages(isolated_home)) == 1


def test_a_warm_help_does_not_import_click(isolated_home: Path) -> None:
    run("--help")
    warm = run("--help", importtime=True)
    imported = {line.rsplit("|", 1)[-1].strip() for line in warm.stderr.splitlines() if line.startswith("import time:")}
    assert "click" not in imported and "qbank.cli" not in imported
    assert warm.stdout == click_page(80)


def test_each_width_has_its_own_page(isolated_home: Path) -> None:
    narrow, wide = run("--help", columns=60).stdout, run("--help", columns=120).stdout
    assert narrow != wide
    assert (narrow, wide) == (click_page(60), click_page(120))
    assert run("--help", columns=60).stdout == narrow
    assert len(pages(isolated_home)) == 2


def test_a_corrupt_or_unreadable_page_falls_back_to_click(isolated_home: Path) -> None:
    run("--help")
    (page,) = pages(isolated_home)
    page.write_bytes(b"")
    assert run("--help").stdout == click_page(80)
    assert page.read_text(encoding="utf-8") == click_page(80)
    page.write_bytes(b"\xff\xfe not text")
    assert run("--help").stdout == click_page(80)


def test_qbank_no_cache_turns_it_off(isolated_home: Path) -> None:
    assert run("--help", env={"QBANK_NO_CACHE": "1"}).stdout == click_page(80)
    assert pages(isolated_home) == []


def test_other_commands_still_go_through_click() -> None:
    result = run("--version")
    assert result.returncode == 0 and "version" in result.stdout
    assert run("no-such-command").returncode == 2


LAUNCH = """
import atexit, sys, threading, time
from pathlib import Path
out = Path(sys.argv[1])
atexit.register(lambda: (out / "atexit").write_text("ran"))
class Teardown:
    def __del__(self):
        (out / "teardown").write_text("ran")
kept = Teardown()
if sys.argv[2] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), (out / "thread").write_text("done"))).start()
sys.argv = ["qbank", *sys.argv[3:]]
from qbank._launch import main
main()
"""


def launch(tmp_path: Path, *args: str, thread: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", LAUNCH, str(tmp_path), "thread" if thread else "-", *args],
                          capture_output=True, text=True)


def test_a_finished_command_exits_with_its_code_output_and_exit_functions_but_no_teardown(tmp_path: Path) -> None:
    listing = launch(tmp_path, "list")
    assert listing.returncode == 0 and listing.stdout == subprocess.run(
        [sys.executable, "-c", CLICK_PATH, "list"], capture_output=True, text=True, check=True).stdout
    assert (tmp_path / "atexit").read_text() == "ran"
    assert not (tmp_path / "teardown").exists()  # the objects were not freed one by one

    missing = launch(tmp_path, "show", "no-such-item")
    assert missing.returncode == 2 and "no-such-item" in missing.stderr and missing.stdout == ""


def test_a_command_that_leaves_a_thread_running_exits_the_usual_way(tmp_path: Path) -> None:
    result = launch(tmp_path, "list", thread=True)
    assert result.returncode == 0
    assert (tmp_path / "thread").read_text() == "done"  # joined before the exit, as Python does


def test_a_profiler_still_writes_its_results_after_the_command(tmp_path: Path) -> None:
    stats = tmp_path / "qbank.prof"
    result = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "qbank", "list"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    import pstats

    assert any(name == "main" for _, _, name in pstats.Stats(str(stats)).stats)  # type: ignore[attr-defined]


def test_objects_kept_until_exit_are_kept_only_when_the_process_ends_with_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import weakref

    from qbank import _launch

    class Big:
        pass

    monkeypatch.setattr(_launch, "_kept", [])
    freed = Big()
    ref = weakref.ref(freed)
    _launch.keep_until_exit(freed)  # in-process (a test, a library): nothing is held
    del freed
    gc.collect()
    assert ref() is None

    monkeypatch.setattr(_launch, "_ends_after_command", True)
    kept = Big()
    ref = weakref.ref(kept)
    _launch.keep_until_exit(kept)
    del kept
    gc.collect()
    assert ref() is not None  # held for os._exit, never freed one by one


def test_a_build_through_the_script_writes_everything_before_it_ends(tmp_path: Path) -> None:
    """keep_until_exit holds the build's objects, not its files: they are all written and the
    exit code is the command's."""
    spec = Path(__file__).resolve().parents[1] / "examples" / "demo-quiz.yaml"
    out = tmp_path / "out"
    result = launch(tmp_path, "build", str(spec), "-f", "gift,md", "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    assert (out / "manifest.json").stat().st_size > 0
    assert sorted(p.name for p in (out / "lms").iterdir()) == sorted(p.name for p in (out / "lms").glob("*.gift"))
    assert (tmp_path / "atexit").read_text() == "ran"
