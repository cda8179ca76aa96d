"""What an answer means: the exception for each API error object."""

from __future__ import annotations

import pytest

from wan_notebook import errors
from wan_notebook.client._outcomes import classify_api_error


@pytest.mark.parametrize(
    ("err", "status", "kind"),
    [
        ({"code": "invalidApiKey", "message": "m"}, 401, errors.AuthenticationError),
        ({"code": "insufficientCredits", "message": "m"}, 402, errors.InsufficientCreditError),
        ({"code": "x", "message": "m"}, 429, errors.RateLimitError),
        ({"code": "serviceUnavailable", "message": "m"}, 503, errors.ServerError),
        (
            {
                "code": "unsupportedDuration",
                "message": "m",
                "parameter": "duration",
                "allowedValues": [5, 10, 15],
            },
            400,
            errors.InvalidRequestError,
        ),
        ({"code": "someRateLimitHit", "message": "m"}, None, errors.RateLimitError),
        ({"code": "weird", "message": "m"}, 418, errors.APIError),
    ],
)
def test_api_errors_are_classified(err: dict, status: int | None, kind: type) -> None:
    assert type(classify_api_error(err, status)) is kind
