"""The ``qbank`` console script: ``qbank --help`` from the user cache, anything else through click.

``qbank --help`` is the first command a new user types, and importing click alone costs
about three times the start of Python itself. So the launcher keeps the help page that
click wrote last time in the user cache folder (``<cache>/qbank/help-<key>.txt``) and
prints it without importing click. The key covers everything the page depends on: the
CLI's modules (size and modification time of every file in ``qbank/cli`` and of this
one), click's version (its package file), the Python version and the width click lays
the page out to (from ``COLUMNS`` or the terminal, as click reads them). On a miss, or
when the cache cannot be read, click writes the page as always and the launcher stores
it (atomically; a failure to store is ignored). ``QBANK_NO_CACHE=1`` turns this off.

Deliberately imports nothing beyond ``os`` and ``sys`` on the fast path.

When a command has finished, the launcher ends the process without Python's teardown
(:func:`_exit`): a build of 5,000 questions holds some 300 MB of small objects, and freeing
them one by one took a quarter of a second after the last file was written.
"""

from __future__ import annotations

import os
import sys

__all__ = ["main"]

HELP_ARGS = (["--help"], ["-h"])
MAX_PAGES = 8  # help pages kept (one per code version and width); the oldest go first

_ends_after_command = False  # set by main: the process ends when the command returns


def ends_after_command() -> bool:
    """True when the command runs in the ``qbank`` script, which ends the process as soon
    as the command returns; False for a test or a library calling the CLI in-process."""
    return _ends_after_command


_kept: list[object] = []


def keep_until_exit(*objects: object) -> None:
    """Hold ``objects`` to the end of the process when it ends with this command.

    The launcher skips Python's teardown (:func:`_exit`), but a command's own locals are
    freed as it returns, object by object: ~35 ms for the bank, items and papers of a
    5,000-question build, with nobody waiting for the memory. In any other process (a test,
    a program calling the CLI) this does nothing and they are freed as usual.
    """
    if _ends_after_command:
        _kept.extend(objects)


def main() -> None:
    if sys.argv[1:] in HELP_ARGS and os.environ.get("QBANK_NO_CACHE", "") in ("", "0"):
        path = _help_path()
        if path is not None:
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except (OSError, ValueError):
                text = None
            if text:
                sys.stdout.write(text)
                sys.stdout.flush()
                return
            _print_and_store_help(path)
            return
    from .cli import main as cli_main

    global _ends_after_command
    _ends_after_command = True
    try:
        cli_main()
    except SystemExit as exc:
        _exit(exc.code)
        raise
    _exit(0)


def _exit(code: object) -> None:
    """End the process now with ``code`` (an int or None), as the interpreter would, minus freeing every object.

    What an orderly exit does that a user can see is kept: the ``atexit`` functions run
    (caches saved, temporary folders removed) and the standard streams are flushed. The
    interpreter's own way is left to cases where skipping teardown could lose something:
    another exit code (a message), threads still running, a stream that fails to flush, a
    profiler, coverage or debugger attached (they write their results after the command
    returns: ``python -m cProfile -o out -m qbank ...`` must still write ``out``).
    """
    if code is not None and type(code) is not int:
        return
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    import atexit

    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code or 0)


def _columns() -> int:
    """The terminal width as :func:`shutil.get_terminal_size` (which click asks) sees it."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _cache_folder() -> str:
    if sys.platform.startswith("linux"):  # platformdirs' rule, without importing it (and pathlib)
        base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.expanduser("~/.cache")
        return os.path.join(base, "qbank")
    import platformdirs

    return platformdirs.user_cache_dir("qbank", appauthor=False)


def _help_path() -> str | None:
    """Where the help page for this code and this width lives, or None if that cannot be told."""
    import zlib

    here = os.path.dirname(os.path.abspath(__file__))
    cli = os.path.join(here, "cli")
    try:
        files = sorted(os.path.join(cli, name) for name in os.listdir(cli) if name.endswith(".py"))
        files += [__file__] + _click_files()
        stamp = [sys.version, f"width {max(min(_columns(), 80) - 2, 50)}"]
        for name in files:
            st = os.stat(name)
            stamp.append(f"{name} {st.st_size} {st.st_mtime_ns}")
    except OSError:
        return None
    data = "\n".join(stamp).encode()
    key = f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"
    return os.path.join(_cache_folder(), f"help-{key}.txt")


def _click_files() -> list[str]:
    """click's package file, found on sys.path as the import system would (without importing it)."""
    for entry in sys.path:
        candidate = os.path.join(entry or ".", "click", "__init__.py")
        if os.path.isfile(candidate):
            return [candidate]
    return []


def _print_and_store_help(path: str) -> None:
    """What click's --help does (print the page, exit 0), keeping the page for next time."""
    import click

    from ._files import atomic_write
    from .cli import cli

    with cli.make_context("qbank", [], resilient_parsing=True) as ctx:
        text = ctx.get_help() + "\n"
        click.echo(text, nl=False, color=ctx.color)
    try:
        atomic_write(path, text)
        folder = os.path.dirname(path)
        pages = sorted((os.path.join(folder, n) for n in os.listdir(folder) if n.startswith("help-")), key=os.path.getmtime)
        for old in pages[:-MAX_PAGES]:  # pages of older code
            os.unlink(old)
    except OSError:
        pass
