"""One exception tree for everything that can go wrong, with short notebook rendering.

    WanError
     ├── InvalidRequestError       the request breaks Wan 2.6 rules (before any network call,
     │                             or as the API's 400 answer); lists every problem
     ├── BudgetExceededError       the session's spending cap would be passed
     ├── APIError                  the API answered with an error it will not retry past
     │    ├── AuthenticationError       401: no or wrong API key
     │    ├── InsufficientCreditError   402: the balance is too low
     │    ├── RateLimitError            429 after every retry
     │    └── ServerError               5xx after every retry
     ├── NetworkError              no usable answer: connection, malformed body, short download
     ├── TaskFailedError           the generation itself ended in an error
     ├── JobTimeoutError           waited longer than asked (also a TimeoutError)
     ├── JobCancelledError         cancelled by the user; the API may still bill the task
     ├── MediaError                a media input that cannot be used (also a ValueError)
     ├── FlagError                 a %%wan flag the magic cannot read (also a ValueError)
     ├── ExportError               an exported copy does not match its sha256
     ├── EngineStartError          the local engine did not come up (also a RuntimeError)
     ├── FaultConfigError          a bad fault-injection config (also a ValueError)
     ├── InputError                the local engine cannot use a media value (API code)
     ├── BadValueError             a setting, option or argument value that is not allowed
     │                             (also a ValueError)
     ├── RelayError                the classroom relay cannot run as asked (also a
     │                             RuntimeError)
     ├── CopyError                 a player's preview copy could not be made (also a
     │                             RuntimeError)
     ├── PollRefused               a poll answered as a whole, naming no task (401/402/429/
     │                             5xx, malformed): it fails no task; the poller backs off
     ├── MissingExtraError         an optional extra is not installed (also an ImportError)
     ├── Retryable                 internal: a fault worth another try (never escapes retries)
     └── Failure                   internal: a poll ended without an outcome (becomes the
                                   job's error)

Which error an API answer becomes is read in ``client/_outcomes.py`` (``classify_api_error``);
this module holds only the classes.

In IPython every WanError shows as a few lines (``_render_traceback_``), not a traceback, and
still stops "Run All". Messages never carry the API key (see ``_secrets.redact``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ._secrets import redact


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: where, what was given, what is allowed."""

    parameter: str
    value: Any
    allowed: str
    code: str
    allowed_values: tuple[Any, ...] | None = None
    also: tuple[str, ...] = field(default=())  # other parameters involved (pairs, conflicts)

    @property
    def parameters(self) -> tuple[str, ...]:
        return (self.parameter, *self.also)

    @property
    def message(self) -> str:
        return f"{self.parameter}={_show(self.value)}: {self.allowed}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class WanError(Exception):
    """Base of every wan-notebook error."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(redact(message))
        if hint:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def _render_traceback_(self) -> list[str]:
        red, dim, reset = "\x1b[31m", "\x1b[2m", "\x1b[0m"
        lines = [f"{red}{type(self).__name__}{reset}: {self.message.splitlines()[0]}"]
        lines += [f"  {line}" for line in self.message.splitlines()[1:]]
        if self.hint:
            lines.append(f"{dim}{redact(self.hint)}{reset}")
        return lines


class InvalidRequestError(WanError):
    """A request that breaks the model's rules. ``problems`` lists each one."""

    def __init__(self, problems: Sequence[Problem], *, source: str = "") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"invalid Wan 2.6 request ({count} problem{'s' if count != 1 else ''})"
        if source:
            head += f", {source}"
        body = "\n".join(f"- {p.message}" for p in self.problems)
        super().__init__(f"{head}:\n{body}", hint="Nothing was sent.")

    @property
    def parameters(self) -> list[str]:
        return [p.parameter for p in self.problems]

    @classmethod
    def from_api(cls, errors: Iterable[Mapping[str, Any]]) -> InvalidRequestError:
        """The API's (or the local engine's) 400 answer, as problems."""
        items = []
        for err in errors:
            param = err.get("parameter") or "request"
            if isinstance(param, list):
                param = ",".join(str(p) for p in param)
            allowed = err.get("allowedValues")
            items.append(
                Problem(
                    parameter=str(param),
                    value=err.get("value", "<sent>"),
                    allowed=str(err.get("message") or "rejected by the API"),
                    code=str(err.get("code") or "invalid"),
                    allowed_values=tuple(allowed) if isinstance(allowed, list) else None,
                )
            )
        error = cls(items, source="answered by the API")
        error.hint = "The API rejected the request; nothing was generated or billed."
        return error


class BudgetExceededError(WanError):
    """The estimated cost would pass the session's spending cap."""


class APIError(WanError):
    """An error answer from the API: its code, message and the task it is about."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        status: int | None = None,
        parameter: str | None = None,
        task_uuid: str | None = None,
        hint: str = "",
    ) -> None:
        self.code = code
        self.status = status
        self.parameter = parameter
        self.task_uuid = task_uuid
        prefix = " ".join(x for x in (f"HTTP {status}" if status else "", code) if x)
        super().__init__(f"{prefix}: {message}" if prefix else message, hint=hint)


class AuthenticationError(APIError):
    hint = "Check the key: %wan login, or set RUNWARE_API_KEY. Without a key the local engine runs."


class InsufficientCreditError(APIError):
    hint = "Top up the Runware balance, or use the local engine (%wan config backend=local)."


class RateLimitError(APIError):
    hint = "The API is busy. Try again in a minute, or run fewer jobs at once."


class ServerError(APIError):
    hint = "The API had a temporary problem. Try again; a re-run reuses finished results."


class NetworkError(WanError):
    hint = "Check the connection; journaled tasks can be fetched later with wan_notebook.recover()."


class TaskFailedError(WanError):
    """A generation the API accepted but could not finish."""

    def __init__(self, message: str, *, code: str = "", task_uuid: str | None = None) -> None:
        self.code = code
        self.task_uuid = task_uuid
        where = f" (task {task_uuid})" if task_uuid else ""
        super().__init__(f"{code + ': ' if code else ''}{message}{where}")


class JobTimeoutError(WanError, TimeoutError):
    hint = "The job keeps running; wait again, or fetch it later with wan_notebook.recover()."


class JobCancelledError(WanError):
    hint = "Polling stopped. The API may still finish and bill the task."


# ----- errors of the package's own parts ---------------------------------------------------


class MediaError(WanError, ValueError):
    """A media input that cannot be used; the message says why and what is allowed."""


class FlagError(WanError, ValueError):
    """A ``%%wan`` flag the magic cannot read (shown as a one-line UsageError)."""


class ExportError(WanError):
    """A copied file does not match its recorded sha256 (the copy was removed)."""

    hint = "The original file changed or is damaged; nothing was exported for it."


class EngineStartError(WanError, RuntimeError):
    """The local engine did not come up; the message carries the tail of its stderr."""


class FaultConfigError(WanError, ValueError):
    """A fault configuration that names an unknown knob or has a value out of range."""


class InputError(WanError):
    """A media value the local engine cannot use; ``code`` is the API's error code."""

    def __init__(self, code: str, message: str, parameter: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.parameter = parameter


class MissingExtraError(WanError, ImportError):
    """A feature needs an optional extra that is not installed; the message names the
    ``pip install`` line."""

    def __init__(self, feature: str, extra: str, missing: Sequence[str]) -> None:
        self.extra = extra
        self.missing: tuple[str, ...] = tuple(missing)
        super().__init__(
            f'{feature} needs the {extra} extra: pip install "wan-notebook[{extra}]"'
            f" (missing: {', '.join(self.missing)})"
        )


# ----- signals between layers (caught inside the package, never shown) ---------------------

RetryKind = Literal["status", "network", "malformed"]


class Retryable(WanError):
    """A fault worth another try. ``retry_after`` is the server's requested wait, if any."""

    def __init__(
        self,
        kind: RetryKind,
        detail: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = redact(detail)
        self.status = status
        self.retry_after = retry_after

    def final_error(self, what: str, attempts: int) -> WanError:
        """The typed error to raise when no attempts are left."""
        tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
        message = f"{what} failed after {tries}: {self.detail}"
        if self.kind == "status" and self.status == 429:
            return RateLimitError(message, status=429, code="rateLimited")
        if self.kind == "status":
            return ServerError(message, status=self.status)
        return NetworkError(message)


class Failure(WanError):
    """Why a poller's watch ended without an outcome; ``recoverable``: the API may still have it."""

    def __init__(self, error: WanError, *, recoverable: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.recoverable = recoverable


class BadValueError(WanError, ValueError):
    """A setting, option, file or argument whose type is right but whose value is not
    allowed; the message names it and what is allowed."""


class RelayError(WanError, RuntimeError):
    """The classroom relay cannot run as asked (another relay holds the ledger, or it did
    not start)."""


class PollRefused(WanError):
    """A poll or task-details query answered as a whole, naming no task: HTTP 401, 402, 403,
    429 or 5xx (after retries), a malformed body, or an error without a taskUUID.

    It says nothing about any task: every task polled keeps its state, and the caller polls
    again later (backing off; ``retry_after`` is the server's wish, if it sent one).
    ``error`` is the typed error (``InsufficientCreditError`` for a 402, ...), ``status``
    the HTTP status (None without one) and ``code`` the API's error code.
    """

    def __init__(
        self,
        error: WanError,
        *,
        status: int | None = None,
        code: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.error = error
        self.status = status
        self.code = code
        self.retry_after = retry_after
        shown = " ".join(x for x in (f"HTTP {status}" if status else "", code) if x)
        detail = error.message
        if shown and detail.startswith(shown):
            detail = detail[len(shown) :].lstrip(": ")
        super().__init__(
            f"polls are being refused: {shown + ': ' if shown else ''}{detail}", hint=error.hint
        )

    @classmethod
    def from_error(cls, error: WanError) -> PollRefused:
        """A query's failure (an ``APIError`` after retries, a ``NetworkError``) as a refusal."""
        if isinstance(error, PollRefused):
            return error
        status = error.status if isinstance(error, APIError) else None
        code = error.code if isinstance(error, APIError) else ""
        return cls(error, status=status, code=code)


class CopyError(WanError, RuntimeError):
    """A preview copy of a video could not be made (no PyAV, or the file could not be read
    or encoded); the player then plays the original."""
