"""The class roster: a CSV of ``name,token,budget_usd`` whose tokens are stored hashed.

A token is shown once, when it is made (``relay add-student``); the file keeps only
``sha256:<hex>`` of it. A teacher may also write plain tokens by hand: they are hashed when
the file is read, and the file is rewritten without them. Tokens are random (144 bits), so a
plain SHA-256 is enough and keeps each request's check in microseconds. A presented token is
compared with every student's hash in constant time, with no early exit.

The file is the truth for names and budgets; a running relay re-reads it when it changes, so
``add-student`` works while the relay runs.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from .._files import write_atomic
from .._secrets import register_secret
from ..errors import BadValueError

COLUMNS: Final = ("name", "token", "budget_usd")
HASH_PREFIX: Final = "sha256:"
_HASHED = re.compile(r"^sha256:[0-9a-f]{64}$")
_NAME = re.compile(r"^[^\x00-\x1f\x7f,]{1,64}$")
RELOAD_EVERY: Final = 1.0  # seconds between checks of the file's mtime


def new_token() -> str:
    token = "wan-class-" + secrets.token_urlsafe(18)
    register_secret(token)
    return token


def hash_token(token: str) -> str:
    return HASH_PREFIX + hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Student:
    name: str
    token_hash: str
    budget: float


def parse(text: str, source: str = "roster") -> tuple[list[Student], int]:
    """Students of a roster CSV, and how many of its tokens were plain (now hashed)."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        return [], 0
    if tuple(f.strip() for f in reader.fieldnames) != COLUMNS:
        raise BadValueError(f"{source}: the header must be {','.join(COLUMNS)}")
    students: list[Student] = []
    seen: set[str] = set()
    plain = 0
    for line, row in enumerate(reader, start=2):
        name, token, budget_text = (str(row.get(c) or "").strip() for c in COLUMNS)
        where = f"{source} line {line}"
        if not _NAME.match(name):
            raise BadValueError(f"{where}: a name of 1-64 characters, no commas, is required")
        if name.casefold() in seen:
            raise BadValueError(f"{where}: {name!r} appears twice")
        try:
            budget = float(budget_text)
        except ValueError:
            raise BadValueError(f"{where}: budget_usd {budget_text!r} is not a number") from None
        if not budget >= 0:
            raise BadValueError(f"{where}: budget_usd must be 0 or more")
        if _HASHED.match(token):
            token_hash = token
        elif len(token) >= 8:
            register_secret(token)
            token_hash, plain = hash_token(token), plain + 1
        else:
            raise BadValueError(f"{where}: a token of at least 8 characters is required")
        seen.add(name.casefold())
        students.append(Student(name, token_hash, budget))
    return students, plain


def render(students: list[Student]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for s in students:
        writer.writerow((s.name, s.token_hash, f"{s.budget:.2f}"))
    return out.getvalue()


class Roster:
    """The students of one roster file, re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._students: list[Student] = []
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self.reload()

    def reload(self) -> int:
        """Read the file (missing = empty); returns how many plain tokens it hashed."""
        with self._lock:
            try:
                text = self.path.read_text(encoding="utf-8")
            except FileNotFoundError:
                text = ""
            students, plain = parse(text, str(self.path))
            if plain:
                write_atomic(self.path, render(students))
            self._students = students
            self._stamp = self._file_stamp()
            self._checked = time.monotonic()
            return plain

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return st.st_mtime_ns, st.st_size

    def refresh(self) -> None:
        """Re-read the file if it changed (looked at no more than once a second)."""
        now = time.monotonic()
        if now - self._checked < RELOAD_EVERY:
            return
        self._checked = now
        if self._file_stamp() != self._stamp:
            self.reload()

    def _sync(self) -> None:
        """Re-read a changed file now: a write must not drop another writer's rows."""
        if self._file_stamp() != self._stamp:
            self.reload()

    @property
    def students(self) -> list[Student]:
        return list(self._students)

    def get(self, name: str) -> Student | None:
        return next((s for s in self._students if s.name == name), None)

    def find(self, token: str) -> Student | None:
        """The student whose token this is: every hash is compared, in constant time."""
        self.refresh()
        presented = hash_token(token).encode()
        found = None
        for student in self._students:
            if hmac.compare_digest(presented, student.token_hash.encode()):
                found = student
        return found

    def add(self, name: str, budget: float) -> str:
        """Add a student; returns the new token (shown once, never stored)."""
        token = new_token()
        self._sync()
        with self._lock:
            students = [*self._students, Student(name, hash_token(token), float(budget))]
            self._write(students)
        return token

    def set_budget(self, name: str, budget: float) -> Student:
        if not budget >= 0:
            raise BadValueError("a budget must be 0 or more")
        self._sync()
        with self._lock:
            current = next((s for s in self._students if s.name == name), None)
            if current is None:
                raise KeyError(name)
            changed = replace(current, budget=round(float(budget), 2))
            self._write([changed if s.name == name else s for s in self._students])
        return changed

    def _write(self, students: list[Student]) -> None:
        text = render(students)
        parse(text, str(self.path))  # the same checks as a hand-written file (names, twins)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, text)
        self._students = students
        self._stamp = self._file_stamp()
