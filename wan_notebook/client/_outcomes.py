"""What an answer means, by kind of request: submit outcomes, poll items per task, upload
results, and the exception for each error object.

Each reader takes one parsed HTTP answer (``Answer``) and raises ``ValueError`` when the
answer does not fit the request it answers; the transport runs the readers inside each
retry attempt, so such an answer is retried like a 5xx. ``conflictTaskUUID`` always means
"the server has this task already": a resent submit counts as accepted, a lost upload
answer is simply uploaded again.

Queries (``getResponse``, ``getTaskDetails``) are scoped: only an item or error that names
a task says something about that task. An answer that concerns the request as a whole (an
HTTP status other than 2xx/400/404, or an error naming no task) raises ``PollRefused``,
which says nothing about any task: the caller polls again later.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ..errors import (
    APIError,
    AuthenticationError,
    InsufficientCreditError,
    InvalidRequestError,
    RateLimitError,
    ServerError,
    WanError,
)
from ._answers import ApiErrorItem, Body, PollItem, TaskDetails, parse_poll_item

log = logging.getLogger("wan_notebook.client._outcomes")

CONFLICT: Final = "conflictTaskUUID"
# Error codes that mean "the request breaks the rules", whatever the HTTP status says.
_VALIDATION_PREFIXES: Final = (
    "invalid",
    "missing",
    "unsupported",
    "unknownparameter",
    "incompatible",
    "value",
    "array",
    "max",
    "duplicate",
    "mismatch",
)


@dataclass(frozen=True)
class Accepted:
    """The API has the task. ``confirmed`` is False when the answer named neither an ack
    nor an error for it (the poller then checks, and resubmits if the API does not know it)."""

    task_uuid: str
    confirmed: bool = True
    conflict: bool = False  # answered conflictTaskUUID: a resend of a task it already had


SubmitOutcome = Accepted | WanError

# Statuses whose error items speak for the tasks they name; any other status speaks for the
# whole request (401, 402, 403, 429, 5xx, ...), whatever its items say.
_SCOPED_STATUSES: Final = frozenset({400, 404})


class PollRefused(WanError):
    """A poll or task-details query answered as a whole, naming no task: HTTP 401, 402, 403,
    429 or 5xx (after retries), a malformed body, or an error without a taskUUID.

    It says nothing about any task: every task polled keeps its state, and the caller polls
    again later (backing off; ``retry_after`` is the server's wish, if it sent one).
    ``error`` is the typed error (``InsufficientCreditError`` for a 402, ...), ``status``
    the HTTP status (None without one) and ``code`` the API's error code.
    """

    # TODO(merge): this class belongs in errors.py (every exception lives there).

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


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: its status and its parsed body."""

    status: int
    body: Body


# ----- errors ------------------------------------------------------------------------------


def classify_api_error(
    err: Mapping[str, Any], status: int | None = None
) -> APIError | InvalidRequestError:
    """The exception for one error object of an API answer."""
    code = str(err.get("code") or "")
    message = str(err.get("message") or err.get("errorMessage") or "the API reported an error")
    common: dict[str, Any] = {
        "code": code,
        "status": status,
        "parameter": err.get("parameter") if isinstance(err.get("parameter"), str) else None,
        "task_uuid": err.get("taskUUID"),
    }
    lowered = code.lower()
    if status == 401 or code in ("invalidApiKey", "missingApiKey"):
        return AuthenticationError(message, **common)
    if status == 402 or any(w in lowered for w in ("credit", "quota", "balance")):
        return InsufficientCreditError(message, **common)
    if status == 429 or "ratelimit" in lowered:
        return RateLimitError(message, **common)
    if status == 400 or lowered.startswith(_VALIDATION_PREFIXES):
        return InvalidRequestError.from_api([err])
    if status is not None and status >= 500:
        return ServerError(message, **common)
    return APIError(message, **common)


def raise_request_level(status: int, body: Body) -> None:
    """401 and 402 concern the whole request: raise them for every task in it."""
    if status not in (401, 402):
        return
    first = body.errors[0].to_api() if body.errors else {}
    error = classify_api_error(first, status)
    if status == 401 and not isinstance(error, AuthenticationError):
        error = AuthenticationError(error.message, status=401, code=str(first.get("code", "")))
    if status == 402 and not isinstance(error, InsufficientCreditError):
        error = InsufficientCreditError(error.message, status=402, code=str(first.get("code", "")))
    raise error


def _error_for(err: ApiErrorItem, status: int) -> APIError | InvalidRequestError:
    return classify_api_error(err.to_api(), status if status >= 400 else None)


def _task_uuid_of(item: Mapping[str, Any]) -> str:
    value = item.get("taskUUID")
    if not isinstance(value, str) or not value:
        raise ValueError("a data item has no taskUUID")
    return value


# ----- by kind of request ------------------------------------------------------------------


def submit_outcomes(uuids: Sequence[str], answer: Answer) -> dict[str, SubmitOutcome]:
    """One outcome per submitted taskUUID: accepted, or the error that names it."""
    ours = set(uuids)
    out: dict[str, SubmitOutcome] = {}
    for item in answer.body.data:
        task_uuid = _task_uuid_of(item)
        if task_uuid in ours:
            out[task_uuid] = Accepted(task_uuid)
    loose: list[WanError] = []
    for err in answer.body.errors:
        named = err.task_uuid
        if named in ours and err.code == CONFLICT:
            out[str(named)] = Accepted(str(named), conflict=True)
        elif named in ours:
            out.setdefault(str(named), _error_for(err, answer.status))
        else:
            loose.append(_error_for(err, answer.status))
    if not out and not loose:
        raise ValueError("the answer names none of the submitted tasks")
    for task_uuid in uuids:
        if task_uuid not in out:
            # An error that names no task concerns every task it did not answer otherwise,
            # when the request was refused (4xx); beside a 2xx it proves nothing either way:
            # unconfirmed, so the poller asks (getTaskDetails) instead of failing a task the
            # API may have taken and will bill.
            refused = loose and answer.status >= 300
            out[task_uuid] = loose[0] if refused else Accepted(task_uuid, confirmed=False)
    return out


def _rejects_batching(answer: Answer) -> bool:
    if answer.status != 400:
        return False
    for err in answer.body.errors:
        text = f"{err.code} {err.message}".lower()
        if err.code.lower().startswith("unsupported") or "batch" in text:
            return True
    return False


def _refuse_unscoped(answer: Answer) -> None:
    """Raise ``PollRefused`` for an answer whose status concerns the whole request."""
    if 200 <= answer.status < 300 or answer.status in _SCOPED_STATUSES:
        return
    first = answer.body.errors[0] if answer.body.errors else ApiErrorItem()
    error = _error_for(first, answer.status)
    raise PollRefused(error, status=answer.status, code=first.code)


def _refuse_loose(err: ApiErrorItem, answer: Answer) -> PollRefused:
    error = _error_for(err, answer.status)
    status = answer.status if answer.status >= 300 else None
    return PollRefused(error, status=status, code=err.code)


def poll_groups(
    uuids: Sequence[str], answer: Answer, *, batched: bool
) -> dict[str, list[PollItem]] | None:
    """Items grouped by taskUUID; None when the server refused a batched poll.

    Raises ``PollRefused`` for an answer that concerns the whole request (see the module
    docstring): an error item is kept only by the task it names.
    """
    if batched and _rejects_batching(answer):
        return None
    _refuse_unscoped(answer)
    out: dict[str, list[PollItem]] = {u: [] for u in uuids}
    for item in answer.body.data:
        task_uuid = _task_uuid_of(item)
        if task_uuid in out:
            out[task_uuid].append(parse_poll_item(item))
    for err in answer.body.errors:
        if err.task_uuid in out:
            out[str(err.task_uuid)].append(err)
        elif err.task_uuid:
            log.warning("poll: an error for a task not polled (%s): %s", err.task_uuid, err.code)
        elif batched and answer.status == 400:
            return None  # a 400 that names no task: ask one task at a time
        else:
            raise _refuse_loose(err, answer)
    return out


def is_not_found(code: str) -> bool:
    """The API does not know the task (``taskNotFound`` and the like); the ambiguous
    ``taskFailedOrNotFound`` does not count."""
    lowered = code.lower()
    return lowered.endswith("notfound") and lowered != "taskfailedornotfound"


def details_groups(
    uuids: Sequence[str], answer: Answer, *, batched: bool
) -> dict[str, TaskDetails | None] | None:
    """Each task's details, or None where the API answered that it does not know the task.

    None is returned (instead of the dict) when the server refused a batch. Any other
    error, or an answer that leaves a task out, raises ``PollRefused`` or ``ValueError``
    (retried as malformed): the caller must never read "unknown" into an unclear answer.
    """
    if batched and _rejects_batching(answer):
        return None
    _refuse_unscoped(answer)
    out: dict[str, TaskDetails | None] = {}
    ours = set(uuids)
    for item in answer.body.data:
        task_uuid = _task_uuid_of(item)
        if task_uuid in ours:
            out[task_uuid] = TaskDetails.model_validate(item)
    for err in answer.body.errors:
        if err.task_uuid in ours and is_not_found(err.code):
            out.setdefault(str(err.task_uuid), None)
        elif err.task_uuid in ours or not err.task_uuid:
            if batched and answer.status == 400 and not err.task_uuid:
                return None
            raise _refuse_loose(err, answer)
    missing = ours.difference(out)
    if missing:
        raise ValueError(f"the answer leaves out {len(missing)} of the tasks asked about")
    return out


def upload_result(task_uuid: str, field: str, answer: Answer) -> str | None:
    """The uploaded file's UUID (``field``); None when the server answered a conflict."""
    for err in answer.body.errors:
        if err.code == CONFLICT:
            return None
        raise _error_for(err, answer.status)
    for item in answer.body.data:
        if item.get("taskUUID") == task_uuid and isinstance(item.get(field), str):
            return str(item[field])
    raise ValueError(f"the upload answer has no {field}")
