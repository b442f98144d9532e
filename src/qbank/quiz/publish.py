"""Putting a build's files into OUTDIR so that a build killed at any moment leaves either the
complete previous output or the complete new one, and never deletes a file unannounced.

The rules (docs/quiz.md, "Writing into a folder that holds an earlier build"):

* qbank keeps in ``OUTDIR/.qbank-outputs`` the list of files its last build wrote. A file
  listed there that the new build does not write (a student who left the roster, a format
  no longer asked for) is *stale*; a file in OUTDIR that is not listed is *foreign* (yours).
* Stale files are removed only with ``--force``; without it the build stops before writing
  anything and names them. A foreign file is never touched, except that ``--force`` lets the
  build overwrite one that has the name of a file it writes.
* The files are written into a hidden sibling folder, ``.<OUTDIR>.qbank-new-<pid>-*``, the
  manifest last, with the foreign files hard-linked in; then that folder and OUTDIR are
  exchanged in one step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames, and a
  build interrupted between them is undone by the next one) and the old tree is removed.
* Where a sibling folder cannot be used (OUTDIR is a mount point, the current folder or
  above it, owned by someone else, its parent is not writable, or a foreign file cannot be
  hard-linked), the files are written in place: the old manifest is removed first and the
  new one written last, so an interrupted build leaves no manifest and no later command
  takes the folder for a complete build.

A failure (a full disk, a read-only folder) stops with a message naming the folder, and
leaves the previous output as it was.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._files import atomic_write, dir_mode, pid_alive
from ..errors import InputError

__all__ = ["INDEX", "MANIFEST", "OutputConflict", "plan", "publish"]

INDEX = ".qbank-outputs"
MANIFEST = "manifest.json"
Progress = Callable[[Iterable[Any], int, str], Iterable[Any]]
SHOWN = 5  # stale or clashing files named in a refusal


class OutputConflict(InputError):
    """OUTDIR holds files the build would delete or overwrite, and --force was not given."""


@dataclass(frozen=True)
class Plan:
    outdir: Path
    stale: tuple[str, ...]     # written by the previous build, not by this one: removed
    foreign: tuple[str, ...]   # never written by qbank: kept
    clashes: tuple[str, ...]   # foreign files this build overwrites
    empty_dirs: tuple[str, ...] = ()  # folders with nothing in them: kept
    garbage: tuple[str, ...] = ()     # temporary files of an interrupted in-place build: removed


def check_outdir(outdir: str | Path) -> None:
    """Fail (exit 2) before any work when OUTDIR cannot be a folder."""
    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise InputError(f"{outdir}: exists and is not a folder; choose another -o")


def _previous(outdir: Path) -> set[str]:
    try:
        lines = (outdir / INDEX).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    return {line for line in lines if line and not line.startswith("/") and ".." not in Path(line).parts}


def _present(outdir: Path) -> tuple[list[str], list[str]]:
    """Every file (and symlink) under OUTDIR, and every empty folder, as posix paths relative to it."""
    found, empty = [], []
    for root, dirs, files in os.walk(outdir):
        base = Path(root).relative_to(outdir)
        for name in files + [d for d in dirs if (Path(root) / d).is_symlink()]:
            found.append((base / name).as_posix())
        if not dirs and not files and base != Path("."):
            empty.append(base.as_posix())
    return sorted(found), sorted(empty)


def plan(outdir: str | Path, files: Iterable[str], *, force: bool = False) -> Plan:
    """What writing ``files`` into OUTDIR would delete, keep and overwrite.

    Raises:
        OutputConflict: without ``force``, when a file would be deleted or a foreign one overwritten.
    """
    outdir = Path(outdir)
    new = set(files) | {INDEX}
    if not outdir.is_dir():
        return Plan(outdir, (), (), ())
    old = _previous(outdir)
    present, empty = _present(outdir)
    known = {Path(p).name for p in (*old, *new)}
    garbage = [p for p in present if _is_temporary(p, known)]
    present = [p for p in present if p != INDEX and p not in garbage]
    stale = tuple(p for p in present if p in old and p not in new)
    foreign = tuple(p for p in present if p not in old and p not in new)
    clashes = tuple(p for p in present if p not in old and p in new)
    if not force and (stale or clashes):
        parts = []
        if stale:
            parts.append(f"{len(stale)} file{'s' if len(stale) != 1 else ''} of an earlier build that this build "
                         f"does not write: {_listing(outdir, stale)}")
        if clashes:
            parts.append(f"{len(clashes)} file{'s' if len(clashes) != 1 else ''} that qbank did not write and this "
                         f"build would overwrite: {_listing(outdir, clashes)}")
        raise OutputConflict(
            f"{outdir}: holds {'; and '.join(parts)}. Nothing was written. Run again with --force to replace "
            "the earlier build (its other files are removed; files qbank did not write are kept), "
            "or choose another -o."
        )
    return Plan(outdir, stale, foreign, clashes, tuple(empty), tuple(garbage))


_TEMPORARY = re.compile(r"\.(?P<name>.+)\.\d+\.[A-Za-z0-9_]{8}\.tmp")


def _is_temporary(rel: str, known: set[str]) -> bool:
    """An atomic_write temporary (``.<name>.<pid>.<8 random>.tmp``) of a file qbank writes here."""
    match = _TEMPORARY.fullmatch(Path(rel).name)
    return match is not None and match["name"] in known


def _listing(outdir: Path, rels: tuple[str, ...]) -> str:
    shown = ", ".join(str(outdir / r) for r in rels[:SHOWN])
    return shown + (f" and {len(rels) - SHOWN} more" if len(rels) > SHOWN else "")


def publish(outdir: str | Path, files: Mapping[str, bytes], *, force: bool = False,
            progress: Progress | None = None) -> list[Path]:
    """Write ``files`` (posix path relative to OUTDIR -> content) as one build; see the module doc.

    Raises:
        OutputConflict: see :func:`plan`.
        InputError: OUTDIR cannot be written (read-only, a full disk, ...); the previous output is intact.
    """
    progress = progress or (lambda items, total, label: items)
    outdir = Path(outdir)
    if outdir.is_symlink():
        outdir = outdir.resolve()  # exchange the folder the link points to, not the link
    the_plan = plan(outdir, files, force=force)
    order = [p for p in files if p != MANIFEST] + ([MANIFEST] if MANIFEST in files else [])
    index = "".join(f"{rel}\n" for rel in order)
    _recover(outdir)
    if outdir.exists() and not os.access(outdir, os.W_OK | os.X_OK):
        raise InputError(f"{outdir}: the folder is not writable; nothing was written")
    try:
        staging = _staging(outdir)
        if staging is None:
            _write_in_place(the_plan, files, order, index, progress)
        else:
            _write_staged(staging, the_plan, files, order, index, progress)
    except OSError as exc:
        where = exc.filename or outdir
        raise InputError(f"{where}: {exc.strerror or exc}; the build was not written, "
                         f"{outdir} holds what it held before") from None
    return [outdir / rel for rel in order]


# --- staged: a sibling folder, exchanged with OUTDIR in one step ------------------------------

_NEW, _OLD = "qbank-new", "qbank-old"


def _sibling_prefix(outdir: Path, kind: str) -> str:
    return f".{outdir.name}.{kind}-"


def _leftovers(outdir: Path, kind: str) -> list[Path]:
    """Sibling folders of ``kind`` left by builds whose process is gone."""
    prefix = _sibling_prefix(outdir, kind)
    try:
        entries = list(outdir.parent.iterdir())
    except OSError:
        return []
    out = []
    for p in entries:
        if p.name.startswith(prefix):
            pid = p.name[len(prefix):].split("-", 1)[0]
            if pid.isdecimal() and not pid_alive(int(pid)):
                out.append(p)
    return out


def _recover(outdir: Path) -> None:
    """Undo what an interrupted earlier build left: put back an old tree, drop unfinished ones."""
    for old in _leftovers(outdir, _OLD):
        if not outdir.exists():
            try:
                os.rename(old, outdir)  # killed between the two renames: the previous output returns
                continue
            except OSError:
                pass
        shutil.rmtree(old, ignore_errors=True)
    for new in _leftovers(outdir, _NEW):
        shutil.rmtree(new, ignore_errors=True)


def _staging(outdir: Path) -> Path | None:
    """A new sibling folder to build in, or None where the build must be written in place."""
    absolute = outdir.absolute()
    if outdir.exists():
        st = outdir.stat()
        cwd = Path.cwd().resolve()
        real = outdir.resolve()
        if os.path.ismount(outdir) or real == cwd or real in cwd.parents or st.st_uid != os.geteuid():
            return None
    try:
        absolute.parent.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(dir=absolute.parent, prefix=f"{_sibling_prefix(outdir, _NEW)}{os.getpid()}-"))
    except OSError:
        return None
    # mkdtemp makes 0700; the folder becomes OUTDIR, so give it OUTDIR's mode or the umask's,
    # and OUTDIR's group (a shared course folder's); where that cannot be, write in place.
    try:
        if outdir.exists():
            st = outdir.stat()
            if path.stat().st_gid != st.st_gid:
                os.chown(path, -1, st.st_gid)
            os.chmod(path, st.st_mode & 0o7777)
        else:
            os.chmod(path, dir_mode())
    except OSError:
        shutil.rmtree(path, ignore_errors=True)
        return None
    return path


def _write_file(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as with open()
    with os.fdopen(fd, "wb") as f:
        f.write(content)


def _link_foreign(outdir: Path, staging: Path, foreign: tuple[str, ...], the_plan_dirs: tuple[str, ...]) -> bool:
    """Hard-link (or copy the symlink of) every foreign file into the staged tree; False if one cannot be."""
    for rel in the_plan_dirs:
        _mirror_dirs(outdir, staging, Path(rel))
    for rel in foreign:
        src, dst = outdir / rel, staging / rel
        _mirror_dirs(outdir, staging, Path(rel).parent)
        try:
            if src.is_symlink():
                os.symlink(os.readlink(src), dst)
            else:
                os.link(src, dst, follow_symlinks=False)
        except OSError as exc:
            if exc.errno in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK, errno.EACCES, errno.ENOSYS):
                return False
            raise
    return True


def _mirror_dirs(outdir: Path, staging: Path, rel: Path) -> None:
    """Create the folders of ``rel`` in the staged tree with the modes they have in OUTDIR."""
    for part in reversed([rel, *rel.parents][:-1]):  # the folders from the top down, "." left out
        target = staging / part
        if not target.exists():
            target.mkdir()
            try:
                os.chmod(target, (outdir / part).stat().st_mode & 0o7777)
            except OSError:
                pass


def _write_staged(staging: Path, the_plan: Plan, files: Mapping[str, bytes], order: list[str], index: str,
                  progress: Progress) -> None:
    outdir = the_plan.outdir
    try:
        if not _link_foreign(outdir, staging, the_plan.foreign, the_plan.empty_dirs):
            shutil.rmtree(staging, ignore_errors=True)
            _write_in_place(the_plan, files, order, index, progress)
            return
        for rel in progress(order, len(order), "Writing files"):
            if rel == MANIFEST:
                _write_file(staging / INDEX, index.encode("utf-8"))
            _write_file(staging / rel, files[rel])  # the manifest last: it marks the build complete
        if MANIFEST not in files:
            _write_file(staging / INDEX, index.encode("utf-8"))
        _exchange(staging, outdir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)  # after the exchange it holds the previous tree


def _exchange(staging: Path, outdir: Path) -> None:
    """Make ``staging`` OUTDIR; afterwards ``staging`` names the previous tree (if any)."""
    if not outdir.exists():
        os.rename(staging, outdir)
        return
    if _rename_exchange(staging, outdir):
        return
    old = Path(tempfile.mkdtemp(dir=outdir.absolute().parent, prefix=f"{_sibling_prefix(outdir, _OLD)}{os.getpid()}-"))
    old.rmdir()
    os.rename(outdir, old)      # killed here: the next build renames `old` back (see _recover)
    os.rename(staging, outdir)
    os.rename(old, staging)


def _rename_exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


# --- in place: the manifest removed first and written last -----------------------------------

def _write_in_place(the_plan: Plan, files: Mapping[str, bytes], order: list[str], index: str,
                    progress: Progress) -> None:
    outdir = the_plan.outdir
    outdir.mkdir(parents=True, exist_ok=True)
    # Until the new manifest is written no build is complete here; meanwhile the index lists
    # what either build writes, so a build interrupted now still knows which files are qbank's.
    for rel in the_plan.garbage:
        (outdir / rel).unlink(missing_ok=True)
    (outdir / MANIFEST).unlink(missing_ok=True)
    both = dict.fromkeys([*order, *the_plan.stale])
    atomic_write(outdir / INDEX, "".join(f"{rel}\n" for rel in both))
    for rel in progress(order, len(order), "Writing files"):
        if rel == MANIFEST:
            _remove_stale(outdir, the_plan.stale)
            atomic_write(outdir / INDEX, index)
        atomic_write(outdir / rel, files[rel])
    if MANIFEST not in files:
        _remove_stale(outdir, the_plan.stale)
        atomic_write(outdir / INDEX, index)


def _remove_stale(outdir: Path, stale: tuple[str, ...]) -> None:
    root = outdir.resolve()
    for rel in stale:
        path = outdir / rel
        if not (path.is_file() or path.is_symlink()) or root not in path.resolve().parents:
            continue
        path.unlink()
        for parent in path.parents:
            if parent == outdir or root not in parent.resolve().parents:
                break
            try:
                parent.rmdir()
            except OSError:
                break
