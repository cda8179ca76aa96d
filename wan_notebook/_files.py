"""Files that are either complete or absent: one temp naming, one atomic write, one sweep.

Every file the package writes goes through a temp file beside its target, named
``.<name>.<pid>.part``: hidden, on the same file system (so ``os.replace`` is atomic) and
carrying the writer's pid, so that ``sweep_temp_files`` can tell a crashed process's
leftovers from a live writer's. Downloads that resume keep the same name across attempts of
one process.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Final

TEMP_SUFFIX: Final = ".part"


def temp_path(final: Path) -> Path:
    """Where ``final`` is written until complete (see the module docstring)."""
    return final.with_name(f".{final.name}.{os.getpid()}{TEMP_SUFFIX}")


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


@contextlib.contextmanager
def atomic_writer(final: Path, mode: str = "wb", *, durable: bool = True) -> Iterator[IO[bytes]]:
    """Write ``final`` through its temp file; on success it replaces ``final`` at once, on
    any error the temp file is removed and ``final`` is untouched."""
    tmp = temp_path(final)
    encoding = None if "b" in mode else "utf-8"
    try:
        with tmp.open(mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, final)
        if durable:
            fsync_dir(final.parent)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(final: Path, data: bytes | str, *, durable: bool = True) -> Path:
    """Write ``data`` to ``final`` atomically (text is UTF-8); returns ``final``."""
    with atomic_writer(final, "wb", durable=durable) as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
    return final


def sweep_temp_files(folder: Path) -> list[Path]:
    """Remove temp files in ``folder`` whose writing process is gone; returns them."""
    removed = []
    for path in folder.glob(f".*{TEMP_SUFFIX}"):
        pid_text = path.name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[-1]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _alive(int(pid_text)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
