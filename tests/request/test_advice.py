"""Notes on valid requests: reference-video names, the prompt rewrite, filled-in sizes."""

from __future__ import annotations

import pytest

from wan_notebook import VideoRequest
from wan_notebook.request import advice

URL_VID = "https://assets.example.com/in/motion.mp4"
URL_IMG = "https://assets.example.com/in/first.jpg"


def test_reference_videos_without_a_character_name_get_a_one_line_hint() -> None:
    request = VideoRequest.build("a dancer on a roof", ref_videos=[URL_VID, URL_VID], duration=5)
    hint = advice.character_hint(request)
    assert hint is not None and "\n" not in hint
    assert "character1, character2" in hint and "character3" not in hint
    assert hint in advice.notes(request)


@pytest.mark.parametrize("prompt", ["character1 dances", "Character2 waves", "CHARACTER 3 sits"])
def test_a_prompt_that_names_a_reference_video_gets_no_hint(prompt: str) -> None:
    request = VideoRequest.build(prompt, ref_videos=[URL_VID] * 3)
    assert advice.character_hint(request) is None


def test_no_reference_videos_no_hint() -> None:
    assert advice.character_hint(VideoRequest.build("a dancer", size="1280x720")) is None


def test_the_guide_names_the_characters_and_the_limits() -> None:
    guide = advice.REFERENCE_VIDEO_GUIDE
    assert all(f"character{i}" in guide for i in (1, 2, 3))
    assert "5 or 10 s" in guide and "MP4 or MOV" in guide and "2-30 s" in guide


def test_the_prompt_may_change_unless_prompt_extend_is_off() -> None:
    assert advice.prompt_may_change(VideoRequest.build("x"))  # the API's default
    assert advice.prompt_may_change(VideoRequest.build("x", extend=True))
    assert not advice.prompt_may_change(VideoRequest.build("x", extend=False))
    assert "--no-extend" in advice.REWRITE_NOTE and "multi-shot" in advice.REWRITE_NOTE


def test_a_filled_in_size_is_said() -> None:
    sized = advice.defaults_note(VideoRequest.build("x"))
    assert sized is not None and sized.startswith("no size given: 1280x720 (720p, 16:9")
    framed = advice.defaults_note(VideoRequest.build("x", image=URL_IMG))
    assert framed is not None and "resolution 720p" in framed and "aspect follows" in framed
    assert advice.defaults_note(VideoRequest.build("x", size="960x960")) is None
    assert advice.notes(VideoRequest.build("x", size="960x960")) == []
