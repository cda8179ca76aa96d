"""The exception tree: short rendering, no secrets (API answers: tests/client/test_outcomes.py)."""

from __future__ import annotations

from wan_notebook import errors
from wan_notebook._secrets import register_secret
from wan_notebook.client._outcomes import classify_api_error


def test_every_error_is_a_wan_error() -> None:
    for name in (
        "InvalidRequestError",
        "BudgetExceededError",
        "APIError",
        "AuthenticationError",
        "InsufficientCreditError",
        "RateLimitError",
        "ServerError",
        "NetworkError",
        "TaskFailedError",
        "JobTimeoutError",
        "JobCancelledError",
    ):
        assert issubclass(getattr(errors, name), errors.WanError)
    assert issubclass(errors.JobTimeoutError, TimeoutError)


def test_api_error_renders_in_a_few_lines_with_a_hint() -> None:
    error = classify_api_error({"code": "invalidApiKey", "message": "Invalid API key"}, 401)
    lines = error._render_traceback_()
    assert len(lines) == 2
    assert "AuthenticationError" in lines[0] and "HTTP 401 invalidApiKey" in lines[0]
    assert "%wan login" in lines[1]


def test_validation_answer_from_api_keeps_parameter_and_allowed_values() -> None:
    error = errors.InvalidRequestError.from_api(
        [
            {
                "code": "unsupportedDuration",
                "message": "allowed: 5, 10, 15",
                "parameter": "duration",
                "allowedValues": [5, 10, 15],
            }
        ]
    )
    assert error.parameters == ["duration"] and error.problems[0].allowed_values == (5, 10, 15)


def test_messages_never_show_a_registered_key() -> None:
    key = "sk-test-SECRETSECRET-1234567"
    register_secret(key)
    error = errors.APIError(f"server echoed Bearer {key}", code="x")
    assert key not in str(error) and key not in "".join(error._render_traceback_())
    assert "***" in str(error)


def test_task_failed_names_the_task() -> None:
    error = errors.TaskFailedError(
        "the provider timed out", code="timeoutProvider", task_uuid="abc"
    )
    assert "timeoutProvider" in str(error) and "abc" in str(error)
