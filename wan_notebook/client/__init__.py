"""The HTTP transport to a Runware-compatible API: submit, batched poll, upload, download.

It knows nothing of jobs or the journal: uploads are remembered through the
``UploadCache`` protocol that the store implements.
"""

from ._answers import Ack, ApiErrorItem, Processing, VideoResult
from ._client import Accepted, AsyncRunwareClient

__all__ = ["Accepted", "Ack", "ApiErrorItem", "AsyncRunwareClient", "Processing", "VideoResult"]
