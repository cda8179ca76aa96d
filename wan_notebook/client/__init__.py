"""The HTTP transport to a Runware-compatible API: submit, batched poll, upload, download.

It knows nothing of jobs or the journal: uploads are remembered through the
``UploadCache`` protocol that the store implements.

    _backend     where requests go (settings -> base URL, key, label)
    _client      AsyncRunwareClient: submit, poll, upload, download; one pool per event loop
    _answers     the shapes of answers (acks, progress, results, errors)
    _outcomes    what an answer means, by kind of request; the exception for each error
    _upload      what an upload sends; the UploadCache protocol
    _download    streamed downloads that leave a complete file or none
    _retry       when and how long to retry
"""

from ._answers import Ack, ApiErrorItem, PollItem, Processing, VideoResult
from ._backend import Backend, resolve
from ._client import AsyncRunwareClient, close_all_clients
from ._outcomes import Accepted, SubmitOutcome
from ._upload import UploadCache

__all__ = [
    "Accepted",
    "Ack",
    "ApiErrorItem",
    "AsyncRunwareClient",
    "Backend",
    "PollItem",
    "Processing",
    "SubmitOutcome",
    "UploadCache",
    "VideoResult",
    "close_all_clients",
    "resolve",
]
