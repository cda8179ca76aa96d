"""Writes the example notebooks from this source, so their text stays reviewable in diffs.

Run: python notebooks/_make.py   (outputs are produced by running the notebooks, not stored here)
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent
NOTEBOOKS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}


def notebook(name: str, *cells: tuple[str, str, tuple[str, ...]]) -> None:
    NOTEBOOKS[name] = list(cells)


def md(text: str) -> tuple[str, str, tuple[str, ...]]:
    return ("md", text.strip(), ())


def code(text: str, *tags: str) -> tuple[str, str, tuple[str, ...]]:
    return ("code", text.strip(), tags)


notebook(
    "01_quickstart.ipynb",
    md("""
# wan-notebook quickstart

Generate video with Alibaba's **Wan 2.6** from a notebook cell. With no Runware key set, every
request goes to the **local preview engine**: a Runware-compatible server shipped in the package
that renders real, clearly labelled preview clips on your machine. Set a key (`%wan login`) and
the same cells go to Runware.
"""),
    code("%load_ext wan_notebook"),
    md("`%wan status` tells where requests go, and lists every job of this session."),
    code("%wan status"),
    md("""
## A first video

The cell body is the prompt. Flags set the other fields. The cell returns at once: the card
below shows progress while the kernel stays free, then the player appears.
"""),
    code("""
%%wan --size 1280x720 --duration 5 --seed 7 -o job
A red fox trotting through fresh snow at dawn, soft golden light, steam from its breath
"""),
    md("`await job` waits for the result without blocking other work of the kernel."),
    code("""
await job
result = job.results[0]
print(job.status, result.seed, f"{result.width}x{result.height}", f"{result.duration:.1f} s")
assert (job.status, result.width, result.height) == ("done", 1280, 720)
"""),
    md("""
A job is a Python object too (`wan_notebook.generate()` makes one): as the last line of a
cell, or with `display(job)`, it shows as its card and player, as the cell above did.
"""),
    md("""
## Variables in prompts, and dry runs

`{name}` and `{name.attr}` are filled from the notebook; other braces stay as written.
`--dry-run` shows the exact request JSON and its cost without sending anything.
"""),
    code("""
animal = "snow leopard"
"""),
    code("""
%%wan --dry-run --resolution 1080p --aspect 9:16 --duration 10 --seed 3
A {animal} on a ridge, wind-blown snow, telephoto lens
"""),
    md("""
## Mistakes are caught before anything is sent

Every problem is listed with what is allowed. Nothing is sent and nothing is billed.
"""),
    code(
        """
%%wan --size 1000x1000 --duration 7 --shot multi --no-extend
A lighthouse in a storm
""",
        "raises-exception",
    ),
    md("""
## Re-running costs nothing

Running the same request again returns the stored result at once (note the *cached* badge).
Add `--new` to generate again.
"""),
    code("""
%%wan --size 1280x720 --duration 5 --seed 7 -o again
A red fox trotting through fresh snow at dawn, soft golden light, steam from its breath
"""),
    code("""
await again
print(again.cached, again.results[0].path == job.results[0].path)
assert again.cached and again.results[0].path == job.results[0].path
"""),
)


notebook(
    "02_prompt_tuning.ipynb",
    md("""
# Prompt tuning

Tune a prompt before paying for it: fill it from variables, steer away from what you do not
want with a negative prompt, check the exact request and its price with a dry run, edit it in
a form, then compare two wordings over two seeds side by side.

Without a Runware key every request goes to the **local preview engine** (see
`05_teaching_offline.ipynb`): the clips are labelled previews, not Wan 2.6 output.
"""),
    code("%load_ext wan_notebook"),
    md("""
## Prompt variables

`{name}` and `{name.attr}` in a `%%wan` cell are filled from the notebook's variables. Other
braces stay as written, and `{{ }}` gives literal braces (`--raw` turns filling off).
"""),
    code("""
from types import SimpleNamespace

subject = "a paper boat"
shot = SimpleNamespace(light="low golden light", lens="35mm")
"""),
    md("""
## Dry run: the exact request and its cost, nothing sent

`--negative` lists what the video should avoid. `--dry-run` shows the JSON the API would get
and the estimated price (720p costs $0.10 per second; 5 s is the default length).
"""),
    code("""
%%wan --dry-run --size 1280x720 --seed 11 --negative "blurry, text, watermark"
{subject} drifting down a rain gutter, {shot.light}, {shot.lens} lens, a sign saying {{wet paint}}
"""),
    md("In the next cell `_` is what the dry run showed; its `request` is a `VideoRequest`."),
    code("""
dry = _
request = dry.request
print(request.positive_prompt)
print(f"negative: {request.negative_prompt!r}; estimated cost: ${dry.estimated_cost:.2f}")
assert request.positive_prompt.startswith("a paper boat drifting down a rain gutter")
assert "{wet paint}" in request.positive_prompt
assert request.negative_prompt == "blurry, text, watermark"
assert dry.estimated_cost == 0.5
"""),
    md("""
## The same request in a form

`wan_notebook.Builder` has a control for every field, checks the request as you edit and
shows the price. Fields can be set from Python too. **As code** shows the `%%wan` cell (and
the Python call) that builds the form's request: copy it into a cell to keep it.
`b.as_cell()` and `b.as_python()` give the same code as text.
"""),
    code("""
import wan_notebook

b = wan_notebook.Builder(request.positive_prompt, title="Paper boat")
b.controls.negative.value = "blurry, text, watermark"
b.seed = 11  # sets the seed and locks it, so Generate keeps using it
b.controls.code_toggle.value = True  # open the "As code" view
b
"""),
    code("""
print(b.as_cell())
assert b.valid
# The form and the %%wan cell describe one request: they share cached results.
assert b.request.fingerprint() == request.fingerprint()
"""),
    md("""
## Compare wordings over seeds

`wan_notebook.compare` runs every prompt with every seed (here 2 x 2 = 4 clips) and shows them in a
grid, rows by prompt and columns by seed, played in sync. It returns at once;
`await` it before reading the results.
"""),
    code("""
versions = wan_notebook.compare(
    prompts=[
        f"{subject} drifting down a rain gutter, {shot.light}",
        f"{subject} on a still pond at night, paper lanterns",
    ],
    seeds=[1, 2],
    size="1280x720",
    negative="blurry, text, watermark",
)
"""),
    code("""
await versions
for job in versions:
    print(job.request.seed, job.status, job.request.positive_prompt)
assert [job.status for job in versions] == ["done"] * 4
assert [job.request.seed for job in versions] == [1, 2, 1, 2]
assert len({job.results[0].path for job in versions}) == 4
"""),
    md("""
## History

`%wan history` shows every stored video as a gallery, newest first; `%wan history boat`
filters by prompt text. Each card can open the video, load it into a form or run it again.
`wan_notebook.history(...)` returns the same gallery as a Python object.
"""),
    code("%wan history paper boat"),
    code("""
gallery = wan_notebook.history(text="paper boat")
print(len(gallery.filtered), "stored videos mention a paper boat")
assert {job.task_uuid for job in versions} <= {item.task_uuid for item in gallery.filtered}
"""),
)

notebook(
    "03_seed_grid.ipynb",
    md("""
# Seed grids: pick the best take

The same prompt with different seeds gives different takes. A seed grid renders several at
once and plays them in sync, so you can compare motion frame by frame and pick a winner.
"""),
    code("%load_ext wan_notebook"),
    md("""
## Four seeds, one cell

`--seeds 1-4` (or `1,2,3,4`) starts one job per seed; `--n 4` would pick four seeds for you.
`-o g` keeps the grid in the variable `g`. The cell returns at once and the tiles fill in as
the videos arrive; the controls above the tiles play, pause and seek all of them together.
"""),
    code("""
%%wan --seeds 1-4 --size 1280x720 -o g
A hot air balloon rising over misty hills at sunrise
"""),
    code("""
await g
print(g)
assert [job.status for job in g] == ["done"] * 4
assert [job.results[0].seed for job in g] == [1, 2, 3, 4]
"""),
    md("""
## Pick a winner

Clicking **Pick** under a tile sets `g.picked` to that tile's job (the tile gets a green
frame). Setting it from Python does the same and shows in the grid:
"""),
    code("""
g.picked = g.jobs[2]
print(g.picked)
print("picked seed:", g.picked_seed)
assert g.picked_seed == 3
"""),
    md("""
## Carry on from the winner

`g.builder()` opens a form loaded with the winner's request and its seed (locked), ready to
change the wording, the length or the size while keeping the take you liked.
"""),
    code("""
b = g.builder()
b
"""),
    code("""
print(b.request.summary())
assert b.seed == 3 and b.controls.seed_lock.value
assert b.request.fingerprint() == g.picked.request.fingerprint()
"""),
    md("""
## The same from Python

`wan_notebook.grid(prompt, seeds=[...], **fields)` is the Python form of a `--seeds` cell.
Seed 3 below is the very request the cell above already made, so it comes from the cache:
nothing is sent or paid for again. Only seed 7 is new.
"""),
    code("""
import wan_notebook

prompt = "A hot air balloon rising over misty hills at sunrise"
more = wan_notebook.grid(prompt, seeds=[3, 7], size="1280x720")
"""),
    code("""
await more
print(more)
seed3, seed7 = more
assert seed3.cached and seed3.results[0].path == g.picked.results[0].path
assert seed7.status == "done" and seed7.results[0].seed == 7
"""),
)

notebook(
    "04_image_to_video.ipynb",
    md("""
# Image to video, reference videos and soundtracks

Wan 2.6 can start from a picture (the first frame), follow the motion of reference videos,
and set the video to a soundtrack you give. Media flags take a path, a URL, an upload UUID or
`$variable` (bytes, a PIL image or a `Path`). Local files are uploaded for you.
"""),
    code("%load_ext wan_notebook"),
    md("""
## A first frame, drawn with Pillow

Any 360-2000 px image works. This one is 16:9, so with `--resolution 720p` the video is
1280 x 720: the aspect follows the image.
"""),
    code("""
from PIL import Image, ImageDraw

frame = Image.new("RGB", (1280, 720))
draw = ImageDraw.Draw(frame)
for y in range(430):  # an orange sky, darker towards the top
    draw.line([(0, y), (1280, y)], fill=(120 + y // 4, 90 + y // 8, 90))
for y in range(430, 720):  # a blue sea
    draw.line([(0, y), (1280, y)], fill=(20, 60, 140 - (y - 430) // 5))
draw.ellipse((540, 330, 740, 530), fill=(255, 220, 120))  # the sun on the horizon
draw.rectangle((0, 430, 1280, 720), fill=(20, 60, 120))  # the sea hides its lower half
frame.save("first.png")
frame.resize((320, 180))
"""),
    code("""
%%wan --image first.png --resolution 720p --seed 4 -o sunrise
The sun rises over a calm sea, gentle waves, the camera slowly pushes in
"""),
    md("`await` the job, then check with PyAV: the size, and a first frame that is the image."),
    code("""
import av
import numpy as np

def first_frame(path):
    with av.open(str(path)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")

await sunrise
first = first_frame(sunrise.results[0].path)
target = np.asarray(frame.resize((first.shape[1], first.shape[0])), dtype=np.int16)
difference = np.abs(first.astype(np.int16) - target).mean()
print(f"{first.shape[1]}x{first.shape[0]}, mean difference from the image: {difference:.1f} of 255")
assert first.shape[:2] == (720, 1280)
assert difference < 12
"""),
    md("""
## A reference video

`--ref-video` (up to three) gives motion and structure to follow. Here the clip just made is
the reference, passed as a variable holding its path.
"""),
    code("""
reference = sunrise.results[0].path
"""),
    code("""
%%wan --ref-video $reference --size 1280x720 --seed 8 -o follow
A lighthouse on a cliff at dawn, moving like the reference
"""),
    code("""
await follow
print(follow)
assert follow.status == "done"
assert [str(v) for v in follow.request.inputs.reference_videos] == [str(reference)]
assert first_frame(follow.results[0].path).shape[:2] == (720, 1280)
"""),
    md("""
## A soundtrack

`--audio` sets the video to your sound (3-30 s; cut or padded to the video's length). Here
is a 5 s, 440 Hz tone made with numpy and the standard `wave` module.
"""),
    code("""
import wave

rate = 48_000
t = np.arange(5 * rate) / rate
tone = 0.4 * np.sin(2 * np.pi * 440 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 2 * t))
with wave.open("track.wav", "wb") as out:
    out.setnchannels(1)
    out.setsampwidth(2)
    out.setframerate(rate)
    out.writeframes((tone * 32767).astype("<i2").tobytes())
"""),
    code("""
%%wan --audio track.wav --size 1280x720 --seed 9 -o scored
A tuning fork ringing on a wooden table, warm lamp light
"""),
    md("The result has video and audio, and the audio is our tone (strongest at 440 Hz)."),
    code("""
await scored
with av.open(str(scored.results[0].path)) as container:
    kinds = sorted(stream.type for stream in container.streams)
    audio_rate = container.streams.audio[0].rate
    samples = np.concatenate([f.to_ndarray().mean(axis=0) for f in container.decode(audio=0)])
spectrum = np.abs(np.fft.rfft(samples[: 4 * audio_rate]))
peak = np.fft.rfftfreq(4 * audio_rate, 1 / audio_rate)[spectrum.argmax()]
print(kinds, f"{len(samples) / audio_rate:.2f} s of audio, strongest at {peak:.0f} Hz")
assert kinds == ["audio", "video"]
assert abs(len(samples) / audio_rate - 5) < 0.1
assert abs(peak - 440) < 5
"""),
)

notebook(
    "05_teaching_offline.ipynb",
    md("""
# Teaching offline: the local preview engine

Without a Runware key, wan-notebook starts its **local preview engine**: a small server, in a
child process on this machine, that speaks Runware's protocol (submit, poll, upload, cost)
and renders real MP4 files from the prompt and the seed. Every frame says
**LOCAL PREVIEW · not Wan 2.6**, and cards and players carry a *local preview engine* badge:
the clips show the workflow, never what Wan 2.6 would make. Nothing leaves the machine and
nothing is billed, which suits classrooms, CI and demos.
"""),
    code("""
%load_ext wan_notebook
%wan config backend=local
"""),
    md("`%wan status` says where requests go, and lists every job of this session."),
    code("%wan status"),
    code("""
import wan_notebook

print(wan_notebook.get_settings().resolved_backend)
assert wan_notebook.get_settings().resolved_backend == "local"
"""),
    md("A first clip (the quickstart's: if you ran it, it comes from the cache)."),
    code("""
%%wan --size 1280x720 --duration 5 --seed 7 -o fox
A red fox trotting through fresh snow at dawn, soft golden light, steam from its breath
"""),
    code("""
await fox
print(fox.engine, fox.results[0].path.name)
assert fox.engine == "local preview engine"
"""),
    md("""
## Errors, explained

A request that breaks the rules fails before anything is sent, with one line per problem
saying what was given and what is allowed, not a traceback. (This cell is tagged
`raises-exception`, so "Run All" goes on past it.)
"""),
    code(
        """
%%wan --size 1000x1000 --duration 7
A lighthouse in a storm
""",
        "raises-exception",
    ),
    md("In Python the same error is an `InvalidRequestError`; its `problems` name each field."),
    code("""
try:
    wan_notebook.generate("A lighthouse in a storm", size="1000x1000", duration=7)
except wan_notebook.InvalidRequestError as error:
    for problem in error.problems:
        print(f"{problem.parameter} = {problem.value!r}: allowed {problem.allowed}")
    wrong = {problem.parameter for problem in error.problems}
else:
    raise AssertionError("an invalid request was accepted")
assert {"duration", "size"} <= wrong  # named as typed: size=
"""),
    md("""
## A spending cap

`%wan budget 0.4` caps this session's spending at $0.40. A 720p, 5 s clip costs $0.50, so it
is refused before it is sent (`BudgetExceededError`).
"""),
    code("%wan budget 0.4"),
    code(
        """
%%wan --size 1280x720 --duration 5 --seed 99
A lighthouse in a storm, waves crashing on the rocks
""",
        "raises-exception",
    ),
    code("""
try:
    wan_notebook.generate(
        "A lighthouse in a storm, waves crashing on the rocks", size="1280x720", seed=99
    )
except wan_notebook.BudgetExceededError as error:
    print("refused:", error)
else:
    raise AssertionError("the cap let a $0.50 request through")
"""),
    md("`%wan budget off` lifts the cap; `%wan cost` shows what this session has committed."),
    code("%wan budget off"),
    code("%wan cost"),
    md("""
## After a crash: `recover()`

Every task is written to a journal before it is sent. If a kernel dies while jobs run,
`wan_notebook.recover()` (or `%wan recover`) in a new session fetches their results, without
paying for them twice. Here every job finished, so there is nothing to recover.
"""),
    code("""
left_over = wan_notebook.recover()
print(len(left_over), "task(s) to recover")
assert len(left_over) == 0
"""),
    md("""
## Switching to Runware

With a Runware API key, the same cells go to the real Wan 2.6. Either set `RUNWARE_API_KEY`
in the environment before starting Jupyter, or type the key in the notebook (it is asked
for with hidden input and never saved in the notebook):

```
%wan login
```

`%wan logout` forgets the key and goes back to the local engine. Cached local previews are
never returned for Runware requests: each backend has its own cache.
"""),
)


notebook(
    "06_research.ipynb",
    md("""
# Research: measure every video, and take results out as data

`wan_notebook.metrics()` measures a video from the file itself, on the CPU and with no model
weights: shots and cut times, flicker, motion, loudness, silence, an audio/visual offset and a
perceptual hash. `results_frame()` gives one typed pandas row per stored video, and
`export_dataset()` writes videos, a parquet table and a provenance manifest. (These need the
extra: `pip install "wan-notebook[research]"`.)

This notebook runs on the **local preview engine**, which knows what it rendered: where it
cut, and where its sound's events fall. It writes that plan into each result's sidecar
(`local_engine`), so the measurements can be checked against the truth.
"""),
    code("""
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

import wan_notebook as wan

# A fresh media folder, so the tables below hold only this notebook's videos.
media = Path(tempfile.mkdtemp(prefix="wan-research-"))
wan.configure(backend="local", local_delay=0, media_dir=media)
"""),
    md("""
## An 8-seed sweep, sorted by flicker

One multi-shot request (`shotType` "multi" needs `promptExtend`), eight seeds. Measurements
are cached in the journal by the file's sha256: asking again never decodes twice.
"""),
    code("""
PROMPT = "a lighthouse in a storm, waves crashing on the rocks"
sweep = wan.seed_sweep(PROMPT, range(1, 9), size="1280x720", duration=5, shot="multi", extend=True)
sweep.wait(600)
table = wan.results_frame(metrics=True)
columns = ["seed", "shot_type", "shot_count", "flicker", "motion", "av_offset_ms", "phash"]
table[columns].sort_values("flicker")
"""),
    md("""
## Multi-shot: requested against measured

Each sweep video asked for several shots. The measured `shot_count` is compared with the
count the engine planned (from the sidecar).
"""),
    code("""
def plan_of(result):
    return json.loads(result.sidecar.read_text())["local_engine"]

planned = {r.seed: plan_of(r)["shot_count"] for r in sweep.results}
shots = table[["seed", "shot_type", "shot_count"]].assign(planned=table["seed"].map(planned))
print(shots.to_string(index=False))
assert (shots["shot_count"] == shots["planned"]).all() and (shots["shot_count"] >= 2).all()
"""),
    md("""
## Loudness

ITU-R BS.1770 integrated loudness (LUFS) and the share of silent 400 ms blocks.
"""),
    code("""
table[["seed", "has_audio", "loudness_lufs", "silence_ratio"]].round(2)
"""),
    md("Flicker against seed, drawn by the DataFrame itself (a bar in each row)."),
    code("""
table.set_index("seed")[["flicker"]].sort_index().style.bar(color="#7aa6d8").format("{:.3f}")
"""),
    md("""
## A knob of the engine: flicker

The local engine takes two render knobs for metric tests, off by default: `flicker` (0-1, the
brightness of each frame scaled at random by up to half of it) and `av_offset_ms` (a square
that jumps at irregular moments with a click at each, and the sound that many ms late). They
are set on the engine, and a task takes them when the engine accepts it.
"""),
    code("""
import asyncio

from wan_notebook.local import ensure_engine

engine = ensure_engine()  # the engine the local backend started

async def render_with(audio=False, **knobs):
    engine.set_faults(**knobs)
    job = wan.generate(
        "a red fox in fresh snow", size="1280x720", duration=5, seed=1, audio=audio, new=True
    )
    while job.status == "queued":  # until the engine has taken the task (and the knobs)
        await asyncio.sleep(0.02)
    return job

levels = [0.0, 0.3, 0.6]
knobbed = {level: await render_with(flicker=level) for level in levels}
synced = await render_with(audio=True, av_offset_ms=200)
engine.set_faults()  # back to a well-behaved engine
wan.JobGroup([*knobbed.values(), synced]).wait(600)

measured = pd.DataFrame(
    {"knob": levels, "flicker": [wan.metrics(job).flicker for job in knobbed.values()]}
)
print(measured.to_string(index=False))
assert measured["flicker"].is_monotonic_increasing and measured["flicker"].is_unique
"""),
    md("""
## The truth check

The clip rendered with `av_offset_ms=200` (with sound, a single shot): its measured cuts and
A/V offset against the plan the engine recorded.
"""),
    code("""
m = wan.metrics(synced)
plan = plan_of(synced.results[0])
print("cuts  planned", plan["cut_times"], "measured", list(m.cut_times))
print("offset planned", plan["av_offset_ms"], "ms, measured", m.av_offset_ms, "ms")
assert m.shot_count == plan["shot_count"]
assert abs(m.av_offset_ms - plan["av_offset_ms"]) <= 1000 / plan["fps"]  # within one frame
"""),
    md("""
## Data out

`export_dataset()` copies the videos (each checked against its sha256) with their sidecars,
and writes `results.parquet` and `manifest.json` (the request as sent, promptExtend, model,
the probe of each file and the package versions). The table reads back with the same types.
"""),
    code("""
table_path = wan.export_dataset(media / "dataset")
back = pd.read_parquet(table_path)
manifest = json.loads((table_path.parent / "manifest.json").read_text())
print(len(back), "rows;", len(manifest["items"]), "videos in the manifest")
full = wan.results_frame(metrics=True)
assert len(back) == len(full) == 12
assert (back.dtypes == full.dtypes).all()
back[["seed", "shot_type", "audio", "flicker", "loudness_lufs", "path"]].head(3)
"""),
)


def main() -> int:
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.cells = []
        for index, (kind, text, tags) in enumerate(cells):
            cell = new_markdown_cell(text) if kind == "md" else new_code_cell(text)
            cell.id = f"cell-{index:02d}"  # stable ids: regenerating changes no line by itself
            if tags:
                cell.metadata["tags"] = list(tags)
            nb.cells.append(cell)
        path = HERE / name
        nbformat.write(nb, path)
        print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
