"""The HTTP transport to a Runware-compatible API: submit, batched poll, upload, download.

It knows nothing of jobs or the journal: uploads are remembered through the
``UploadCache`` protocol that the store implements.

    _backend     where requests go (settings -> base URL, key, label)
    _client      AsyncRunwareClient: submit, poll, task_details, upload, download; one pool
                 per event loop
    _queries     scoped queries (getResponse, getTaskDetails): batches, PollRefused
    _answers     the shapes of answers (acks, progress, results, errors, task details)
    _outcomes    what an answer means, by kind of request; the exception for each error
    _upload      what an upload sends; the UploadCache protocol
    _download    streamed downloads that leave a complete, checked file or none
    _media_check is a file the video asked for? (container header only)
    _retry       when and how long to retry
"""

from ..errors import PollRefused
from ._answers import (
    Ack,
    ApiErrorItem,
    PollItem,
    Processing,
    TaskDetails,
    VideoResult,
    within_results,
)
from ._backend import Backend, resolve
from ._client import AsyncRunwareClient, close_all_clients, lasting_loop
from ._download import file_matches
from ._media_check import ExpectedVideo, expected_video
from ._outcomes import Accepted, SubmitOutcome, is_not_found
from ._upload import UploadCache

__all__ = [
    "Accepted",
    "Ack",
    "ApiErrorItem",
    "AsyncRunwareClient",
    "Backend",
    "ExpectedVideo",
    "PollItem",
    "PollRefused",
    "Processing",
    "SubmitOutcome",
    "TaskDetails",
    "UploadCache",
    "VideoResult",
    "close_all_clients",
    "expected_video",
    "file_matches",
    "is_not_found",
    "lasting_loop",
    "resolve",
    "within_results",
]
