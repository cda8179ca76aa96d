"""Whether a student's ``videoInference`` task may go upstream, and on whose money.

In order: the Wan 2.6 rules (the engine's own check: invalid requests never cost a round
trip), a resent taskUUID (``conflictTaskUUID``: the client counts it as taken), the class
cache (the same canonical request shares one upstream task, free for everyone but the first
student), then the budget: the estimate is reserved, and a task that would pass the
student's budget is refused before anything is sent. Pauses and ``--max-in-flight`` concern
the whole POST and are checked by the caller first.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any, Final

from ..errors import InvalidRequestError, Problem
from ..request import rules
from ..request.models import VideoRequest
from ._answers import error
from ._records import NewUpstream
from ._roster import Student
from ._state import Relay

Items = tuple[list[dict[str, Any]], list[dict[str, Any]]]
NOT_RELAYED: Final = ("webhookURL", "uploadEndpoint")  # they would reach past the relay


def budget_spent(budget: float) -> str:
    return f"your class budget of ${budget:.2f} is spent; ask your teacher"


def cache_key(request: VideoRequest) -> str:
    """The request's fingerprint, less what does not change the video: the relay always
    asks for the cost and always polls, so includeCost and deliveryMethod do not count."""
    return request.model_copy(update={"include_cost": True, "delivery_method": None}).fingerprint()


def admit(relay: Relay, student: Student, task: Mapping[str, Any]) -> Items:
    task_uuid = task.get("taskUUID")
    found = rules.problems(task, allow_local=False)
    refused = [
        error(
            "unsupportedParameter",
            f"{name} is not available through the class relay",
            parameter=name,
            task_type="videoInference",
            task_uuid=task_uuid,
        )
        for name in NOT_RELAYED
        if task.get(name) is not None
    ]
    if found or refused:
        return [], refused + [_problem(p, task_uuid) for p in found]
    try:
        request = VideoRequest.model_validate(dict(task))
    except InvalidRequestError as exc:  # the rules and the model disagree: say so plainly
        return [], [_problem(p, task_uuid) for p in exc.problems]
    ack = {"taskType": "videoInference", "taskUUID": request.task_uuid}
    ledger = relay.ledger
    if ledger.has_task(student.name, request.task_uuid):
        conflict = error(
            "conflictTaskUUID",
            "a task with this taskUUID was already submitted",
            parameter="taskUUID",
            task_type="videoInference",
            task_uuid=request.task_uuid,
        )
        return [], [conflict]
    key = cache_key(request)
    shared = ledger.shared(key, since=time.time() - relay.config.cache_seconds)
    common: dict[str, Any] = {
        "include_cost": request.include_cost is not False,
        "prompt": request.positive_prompt,
        "seed": request.seed,
    }
    if shared is not None:
        ledger.admit(student.name, request.task_uuid, upstream=shared.uuid, estimate=0, **common)
        return [ack], []
    estimate = request.estimated_cost
    if ledger.standing(student.name).spent + estimate > student.budget + 1e-9:
        refusal = error(
            "insufficientCredits",
            budget_spent(student.budget),
            task_type="videoInference",
            task_uuid=request.task_uuid,
        )
        return [], [refusal]
    ours = str(uuid.uuid4())
    upstream_task = {**request.to_api(), "taskUUID": ours, "includeCost": True}
    upstream_task["deliveryMethod"] = "async"
    new = NewUpstream(ours, key, upstream_task, request.results)
    ledger.admit(student.name, request.task_uuid, upstream=new, estimate=estimate, **common)
    relay.worker.wake()
    return [ack], []


def _problem(problem: Problem, task_uuid: Any) -> dict[str, Any]:
    item = error(
        problem.code,
        problem.message,
        parameter=problem.parameter,
        task_type="videoInference",
        task_uuid=task_uuid,
    )
    if problem.allowed_values is not None:
        item["allowedValues"] = list(problem.allowed_values)
    return item
