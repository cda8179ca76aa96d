"""The Wan 2.6 contract: the published tables, media inputs, the rules and the request model.

Shared with the local engine, so the client and the engine accept and refuse the same
requests. ``catalog`` (sizes, durations, prices, formats) -> ``media`` (inputs and their
forms) -> ``rules`` (every check, over the API's JSON) -> ``models`` (``VideoRequest``).
"""

from .models import AlibabaSettings, FrameImage, Inputs, ProviderSettings, Safety, VideoRequest

__all__ = ["AlibabaSettings", "FrameImage", "Inputs", "ProviderSettings", "Safety", "VideoRequest"]
