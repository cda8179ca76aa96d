"""Where a video's bytes come from, step by step, each step with the earlier ones broken.

Outside JupyterLab (VS Code, Colab: forced here with ``window.WAN_NOTEBOOK_HOST = "other"``)
a player tries the API's own URL while its ttl holds, then the server's ``/files/`` URL,
then the relative path, then asks the kernel, which sends the file in chunks of at most
4 MB as custom comm messages. Each player below breaks the steps before the one it checks;
the last one gets a 60 MB file over the comm, and a grid tile gets its bytes by key.
"""

from __future__ import annotations

import pathlib
import time
from typing import Any

import pytest

from wan_notebook.widgets import bundle_available

from .harness import JupyterFrontend
from .test_grid_sync import write_clip

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not bundle_available(), reason="front-end bundle not built"),
]

NB = "player_sources.ipynb"
BIG_BYTES = 60 * 1024 * 1024
CHUNK_LIMIT = 4 * 1024 * 1024

SETUP = """\
import time
from pathlib import Path
from wan_notebook.widgets import Player, SeedGrid

ORIGIN = {origin!r}
chunks = []  # (message type, bytes in its buffers) of every message the players send

def record(widget):
    send = widget.send
    def recording(content, buffers=None):
        chunks.append((content["type"], sum(len(b) for b in buffers or [])))
        send(content, buffers=buffers)
    widget.send = recording
    return widget

def player(name, **kw):
    return Player.from_file(Path("media") / "clip.mp4", download_name=name, **kw)
"""
CELLS = [
    # 1. the API's URL (alive) beats a working /files/ URL
    """player("remote.mp4", remote_src=ORIGIN + "/files/media/remote.mp4",
       remote_expires=time.time() + 3600, src="/files/media/clip.mp4")""",
    # 2. expired: skipped without a request; /files/ plays
    """player("files.mp4", remote_src=ORIGIN + "/files/media/remote.mp4",
       remote_expires=time.time() - 10, src="/files/media/clip.mp4")""",
    # 3. the API's URL and /files/ fail: the relative path plays
    """player("relative.mp4", remote_src=ORIGIN + "/files/media/gone.mp4",
       remote_expires=time.time() + 3600, src="/files/media/gone.mp4",
       fallback_src="../../files/media/clip.mp4")""",
    # 4. every URL fails: 60 MB from the kernel, in chunks
    """big = record(Player.from_file(Path("media/big.mp4"), download_name="big.mp4",
       remote_src=ORIGIN + "/files/media/gone.mp4", remote_expires=time.time() + 3600,
       src="/files/media/gone.mp4", fallback_src="media/gone.mp4"))
big""",
    # 5. a grid tile whose URLs fail gets its file by key (the original: previews off)
    """grid = record(SeedGrid(previews=False, tiles=[dict(key="t1", seed=1, status="done",
                                   src="/files/media/gone.mp4", fallback_src="gone.mp4")]))
grid.set_files({"t1": Path("media/clip.mp4")})
grid""",
]

PLAYER_STATE = """(name) => {
    const p = [...document.querySelectorAll('.wan-player')].find((x) =>
        x.querySelector('[data-role="download"]').getAttribute('download') === name);
    const v = p && p.querySelector('[data-role="video"]');
    return v && {src: v.getAttribute('src'), current: v.currentSrc, ready: v.readyState,
                 duration: v.duration, error: v.error && v.error.code,
                 notice: p.querySelector('[data-role="notice"]').textContent};
}"""


def write_big(path: pathlib.Path, clip: pathlib.Path) -> None:
    """A playable MP4 of BIG_BYTES: the clip, then a `free` box (players skip it)."""
    data = clip.read_bytes()
    pad = BIG_BYTES - len(data)
    path.write_bytes(data + pad.to_bytes(4, "big") + b"free" + b"\0" * (pad - 8))


@pytest.fixture(scope="module")
def lab(jupyter_lab: JupyterFrontend) -> JupyterFrontend:
    fe = jupyter_lab
    media = fe.root / "media"
    write_clip(media / "clip.mp4", 90)
    (media / "remote.mp4").write_bytes((media / "clip.mp4").read_bytes())
    write_big(media / "big.mp4", media / "clip.mp4")
    fe.write_notebook(NB, [SETUP.format(origin=fe.server.base_url), *CELLS])
    fe.open(NB, only=True)
    fe.evaluate("() => { window.WAN_NOTEBOOK_HOST = 'other'; }")  # as in VS Code or Colab
    fe.run_all()
    return fe


def ready(fe: JupyterFrontend, name: str, timeout: float = 30) -> dict[str, Any]:
    fe.wait_until(
        f"(name) => {{ const s = ({PLAYER_STATE})(name); return s && s.ready >= 1; }}",
        name,
        timeout=timeout,
    )
    state: dict[str, Any] = fe.evaluate(PLAYER_STATE, name)
    return state


def test_the_api_url_comes_first_while_its_ttl_holds(lab: JupyterFrontend) -> None:
    state = ready(lab, "remote.mp4")
    assert state["current"] == f"{lab.server.base_url}/files/media/remote.mp4"


def test_an_expired_api_url_is_skipped_for_the_files_url(lab: JupyterFrontend) -> None:
    state = ready(lab, "files.mp4")
    assert state["current"] == f"{lab.server.base_url}/files/media/clip.mp4"
    requests = lab.evaluate(
        "() => performance.getEntriesByType('resource').map((e) => e.name)"
        ".filter((n) => n.includes('remote.mp4')).length"
    )
    assert requests >= 1  # the live one (player 1) was loaded ...
    # ... but the expired one never became a source.
    assert state["src"] == "/files/media/clip.mp4"


def test_the_relative_path_when_the_api_and_files_urls_fail(lab: JupyterFrontend) -> None:
    state = ready(lab, "relative.mp4")
    assert state["src"] == "../../files/media/clip.mp4"
    assert state["current"].endswith("/files/media/clip.mp4")


def test_60_mb_from_the_kernel_in_chunks_of_at_most_4_mb(lab: JupyterFrontend) -> None:
    start = time.monotonic()
    state = ready(lab, "big.mp4", timeout=120)
    elapsed = time.monotonic() - start
    assert state["src"].startswith("blob:")
    assert state["error"] is None
    assert state["duration"] == pytest.approx(4.0, abs=0.1)
    size = lab.evaluate(
        f"""async (name) => {{
            const s = ({PLAYER_STATE})(name);
            return (await (await fetch(s.src)).blob()).size;
        }}""",
        "big.mp4",
    )
    assert size == BIG_BYTES
    kernel = lab.kernel()
    assert kernel.execute("print(big.bytes_sent)").strip() == str(BIG_BYTES)
    sent = eval(kernel.execute("print([c for c in chunks if c[0].startswith('bytes')])"))  # noqa: S307
    player_chunks = [n for kind, n in sent if kind == "bytes_chunk"]
    assert sum(player_chunks) >= BIG_BYTES
    assert max(player_chunks) <= CHUNK_LIMIT
    assert len(player_chunks) >= 15
    print(f"60 MB over the comm in {len(player_chunks)} chunks, playable after ~{elapsed:.1f} s")


def test_a_grid_tile_gets_its_bytes_by_key(lab: JupyterFrontend) -> None:
    lab.wait_until(
        """() => { const v = document.querySelector('[data-role="tile-video"][data-key="t1"]');
                   return v && v.readyState >= 1 && v.getAttribute('src').startsWith('blob:'); }""",
        timeout=30,
    )
    size = (lab.root / "media" / "clip.mp4").stat().st_size
    assert lab.kernel().execute("print(grid.bytes_sent)").strip() == str(size)
    lab.screenshot("player-sources")


# ---- VS Code's missing decoders: a playable copy --------------------------------------

NB_COPIES = "player_copies.ipynb"
COPY_CELLS = [
    """\
from pathlib import Path
from wan_notebook.widgets import Player
aac = Player.from_file(Path("media/clip.mp4"), src="/files/media/clip.mp4",
                       download_name="aac.mp4", muted=False)
aac""",
    """\
webm = Player.from_file(Path("media/cat.webm"), src="/files/media/cat.webm",
                       download_name="cat.webm")
webm""",
]

# VS Code's Electron, as far as a page can tell: canPlayType says "" for AAC and VP9 (forced
# with WAN_NOTEBOOK_CAPS), and the AAC original decodes no sound (webkitAudioDecodedByteCount
# stays 0 for any source but a copy).
VSCODE_LIKE = """() => {
    window.WAN_NOTEBOOK_HOST = 'other';
    window.WAN_NOTEBOOK_CAPS = {aac: false, vp9: false, opus: false};
    const real = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype,
                                                 'webkitAudioDecodedByteCount').get;
    Object.defineProperty(HTMLMediaElement.prototype, 'webkitAudioDecodedByteCount', {
        configurable: true,
        get() { return this.currentSrc.includes('.compat.') ? real.call(this) : 0; },
    });
}"""


@pytest.fixture(scope="module")
def copies(lab: JupyterFrontend) -> JupyterFrontend:
    from wan_notebook.widgets._media_copies import copy_name

    from ..widgets.test_media_copies import write

    media = lab.root / "media"
    write(media / "cat.webm", video="libvpx-vp9", audio="libopus", size=(320, 180))
    for name in ("clip.mp4", "cat.webm"):
        copy_name(media / name, "compat").unlink(missing_ok=True)
    lab.write_notebook(NB_COPIES, COPY_CELLS)
    lab.open(NB_COPIES, only=True)
    lab.evaluate(VSCODE_LIKE)
    lab.run_all()
    return lab


def test_without_aac_the_player_plays_an_mp3_copy_with_sound(copies: JupyterFrontend) -> None:
    fe = copies
    fe.wait_until(
        f"(name) => {{ const s = ({PLAYER_STATE})(name); return s && s.src.includes('compat'); }}",
        "aac.mp4",
        timeout=30,
    )
    state = ready(fe, "aac.mp4")
    assert state["current"].endswith("/files/media/clip.compat.mp4")
    assert (fe.root / "media" / "clip.compat.mp4").is_file()  # cached beside the original
    note = fe.page.locator('.wan-player:has([download="aac.mp4"]) [data-role="copy-note"]')
    assert note.is_visible()
    assert "MP3" in note.inner_text()
    # The copy's sound really decodes.
    fe.evaluate(
        "(name) => { const v = document.querySelector('[download=\"' + name + '\"]')"
        ".closest('.wan-player').querySelector('video'); v.muted = false; v.play(); }",
        "aac.mp4",
    )
    fe.wait_until(
        """() => [...document.querySelectorAll('.wan-player video')]
            .some((v) => v.currentSrc.includes('clip.compat')
                         && v.webkitAudioDecodedByteCount > 0)""",
        timeout=15,
    )
    fe.screenshot("player-copy-note", '.wan-player:has([download="aac.mp4"])')


def test_a_vp9_webm_plays_as_an_h264_copy_and_the_original_is_never_loaded(
    copies: JupyterFrontend,
) -> None:
    fe = copies
    fe.wait_until(
        f"(name) => {{ const s = ({PLAYER_STATE})(name); return s && s.ready >= 1; }}",
        "cat.webm",
        timeout=60,
    )
    state = fe.evaluate(PLAYER_STATE, "cat.webm")
    assert state["current"].endswith("/files/media/cat.compat.mp4")
    loaded = fe.evaluate(
        "() => performance.getEntriesByType('resource').map((e) => e.name)"
        ".filter((n) => n.includes('cat.webm')).length"
    )
    assert loaded == 0


def test_silent_sound_while_playing_asks_for_a_copy(copies: JupyterFrontend) -> None:
    """canPlayType says AAC is fine, but nothing decodes: the silence check asks for the copy."""
    fe = copies
    fe.kernel().execute(
        "late = Player.from_file(Path('media/clip.mp4'), src='/files/media/clip.mp4',"
        " download_name='late.mp4', muted=False)"
    )
    fe.evaluate("() => { window.WAN_NOTEBOOK_CAPS = {aac: true, vp9: true, opus: true}; }")
    # Show it in a new cell at the end, as a user would.
    fe.page.locator(fe.CELLS).last.click()
    fe.page.keyboard.press("b")
    fe.page.keyboard.press("Enter")
    fe.page.keyboard.insert_text("late")
    fe.page.keyboard.press("Escape")
    fe.run_cell(len(COPY_CELLS))
    state = ready(fe, "late.mp4")
    assert state["src"] == "/files/media/clip.mp4"  # caps say fine: the original first
    fe.evaluate(
        """() => { const v = document.querySelector('[download="late.mp4"]')
            .closest('.wan-player').querySelector('video'); v.muted = false; v.play(); }"""
    )
    fe.wait_until(
        f"(name) => {{ const s = ({PLAYER_STATE})(name); return s && s.src.includes('compat'); }}",
        "late.mp4",
        timeout=20,
    )
