"""Fault injection for the tests: run a function in a forked child and SIGKILL it at its n-th
change to the disk, so a test can check what every possible moment of death leaves behind."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Sequence
from typing import Any

# The os functions through which Python code changes the disk (shutil, tempfile and pathlib
# call them by attribute, so patching os reaches them too).
MUTATORS = ("open", "rename", "replace", "link", "symlink", "unlink", "rmdir", "mkdir", "chmod", "fchmod")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT


def run_killed_at(step: int | None, work: Callable[[], Any], extra: Sequence[tuple[Any, str]] = ()) -> int:
    """Run ``work`` in a child killed at disk change ``step`` (None: never).

    ``extra`` names further (object, attribute) callables that count as a disk change.
    Returns -1 when the child was killed, else how many disk changes it made.
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read)
        calls = [0]

        def counting(real: Callable[..., Any], opener: bool) -> Callable[..., Any]:
            def counted(*args: Any, **kwargs: Any) -> Any:
                if not opener or (len(args) > 1 and args[1] & WRITE_FLAGS):
                    calls[0] += 1
                    if calls[0] == step:
                        os.kill(os.getpid(), signal.SIGKILL)
                return real(*args, **kwargs)
            return counted

        for name in MUTATORS:
            setattr(os, name, counting(getattr(os, name), name == "open"))
        for owner, name in extra:
            setattr(owner, name, counting(getattr(owner, name), False))
        code = 0
        try:
            work()
        except BaseException:  # noqa: BLE001 - reported through the exit code
            code = 3
        os.write(write, str(calls[0]).encode())
        os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    reported = os.read(read, 64)
    os.close(read)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return -1
    assert os.WEXITSTATUS(status) == 0, "the work failed in the child"
    return int(reported)
