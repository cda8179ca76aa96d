"""The Wan 2.6 contract: the published tables, media inputs, the rules and the request model.

Shared with the local engine, so the client and the engine accept and refuse the same
requests. ``catalog`` (sizes, durations, prices, formats, input limits) -> ``media``
(inputs and their checks; ``_forms`` tells the forms apart, ``_content`` reads lengths and
transparency from headers) -> ``rules`` (every check, over the API's JSON; ``_input_rules``
for inputs and cross-field rules) -> ``models`` (``VideoRequest``; ``coerce()`` is the one
entry point; ``_shorthand`` maps flag names, ``_defaults`` spells out defaults and the
explicit price tier). Beside them: ``wire`` (what must be uploaded before sending),
``advice`` (one-line notes for valid requests) and ``facts`` (tier, estimate and
promptExtend of a task as sent, for records).
"""

from .models import AlibabaSettings, FrameImage, Inputs, ProviderSettings, Safety, VideoRequest

__all__ = ["AlibabaSettings", "FrameImage", "Inputs", "ProviderSettings", "Safety", "VideoRequest"]
