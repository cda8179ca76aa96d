"""The teacher's page as HTML: login, the class table, the gallery, one video for the class.

Pure functions from data to text. Every piece of text that comes from a student or the
roster goes through ``esc`` (``html.escape`` with quotes), and the page carries no script at
all: its Content-Security-Policy (``_teacher``) forbids scripts, so even a mistake here could
not run a student's ``<script>``. Controls are plain forms.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

from .._text import shorten
from ._answers import RELAY_FILE
from ._records import StudentTask

PROMPT_SHOWN: Final = 300  # characters of a prompt in a gallery card

STYLE: Final = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#f6f6f8}
header{display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap;padding:.7rem 1.2rem;
 background:#1d2a44;color:#fff}
header h1{font-size:1.2rem;margin:0}
#totals{font-size:1.05rem}
#totals b{font-variant-numeric:tabular-nums}
header .end{margin-left:auto;display:flex;gap:.6rem}
.banner{background:#fff4d6;border-bottom:1px solid #e8c66a;padding:.6rem 1.2rem;
 display:flex;gap:1rem;align-items:center}
main{padding:.4rem 1.2rem 2rem}
h2{font-size:1.1rem;margin:1.2rem 0 .5rem}
button{font:inherit;font-size:.9rem;padding:.2rem .7rem;border:1px solid #aab0bf;
 border-radius:4px;background:#fff;color:#1d1d1f;cursor:pointer}
button:hover{background:#eef1f7}
button.pause{border-color:#c98a00;color:#7a5200}
button.resume{border-color:#2e7d32;color:#1b5e20;font-weight:600}
header button{background:transparent;color:#fff;border-color:#8391b0}
header button:hover{background:#2b3b5e}
header button.pause{color:#ffd27a;border-color:#ffd27a}
table{border-collapse:collapse;background:#fff;width:100%;border:1px solid #ddd}
th,td{padding:.4rem .7rem;border-bottom:1px solid #e4e4e8;text-align:left;
 vertical-align:middle;white-space:nowrap}
th{font-size:.85rem;color:#555;font-weight:600;background:#fafafc}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums}
td.name{font-weight:600;white-space:normal}
td.spend{width:16rem}
td.spend .of{color:#666}
meter{display:block;width:100%;height:.5rem;margin-top:.2rem}
tr.paused td{background:#fffaf0}
.badge{display:inline-block;margin-left:.4rem;padding:0 .45rem;border-radius:1rem;
 background:#fff0c2;color:#7a5200;font-size:.8rem;font-weight:600}
form.inline{display:inline-flex;gap:.3rem;margin:0;align-items:center}
input[type=number]{width:5rem;font:inherit;font-size:.9rem;padding:.15rem .3rem}
.over{color:#b00020;font-weight:600}
nav.filter{display:flex;flex-wrap:wrap;gap:.4rem;margin:0 0 .8rem}
nav.filter a{padding:.1rem .6rem;border-radius:1rem;border:1px solid #cfd3dd;
 text-decoration:none;color:#1d2a44;background:#fff}
nav.filter a.on{background:#1d2a44;color:#fff;border-color:#1d2a44}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:1rem}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;overflow:hidden}
figure video{width:100%;aspect-ratio:16/9;object-fit:contain;display:block;background:#000}
figcaption{padding:.5rem .7rem}
.prompt{margin:.3rem 0 0;white-space:pre-wrap;word-break:break-word}
.show{padding:1rem 1.2rem}
.show video{width:100%;max-height:80vh;background:#000;display:block}
.show .prompt{font-size:1.4rem;line-height:1.35;margin-top:.6rem}
.login{max-width:22rem;margin:4rem auto;background:#fff;padding:1.5rem;border-radius:6px;
 border:1px solid #ddd}
.login h1{margin-top:0}
.login button{background:#1d2a44;color:#fff;border-color:#1d2a44;padding:.3rem 1.2rem}
.login input{display:block;width:100%;font:inherit;padding:.35rem .5rem;margin:.3rem 0 .8rem}
.note{color:#666}
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class Row:
    """One line of the class table."""

    name: str
    spent: float
    budget: float
    tasks: int
    in_flight: int
    last: float | None
    paused: bool


def _document(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


def login_page(message: str = "") -> str:
    note = f'<p class="over">{esc(message)}</p>' if message else ""
    return _document(
        "Class relay: log in",
        '<form class="login" method="post" action="/login"><h1>Class relay</h1>'
        f'{note}<label>Teacher token<br><input name="token" type="password" required '
        'autocomplete="current-password" autofocus></label> <button type="submit">Log in</button>'
        '<p class="note">Students: this page is for your teacher; use your token in the '
        "notebook.</p></form>",
    )


def _ago(when: float | None, now: float) -> str:
    if when is None:
        return "never"
    seconds = max(0, int(now - when))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(when))


def _hidden(csrf: str, **fields: str) -> str:
    pairs = {"csrf": csrf, **fields}
    return "".join(
        f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in pairs.items()
    )


def _pause_form(csrf: str, who: str, paused: bool, label: str) -> str:
    action = "Resume" if paused else "Pause"
    kind = "resume" if paused else "pause"
    text = f"{action} {label}".strip()
    return (
        '<form class="inline" method="post" action="/teacher/pause">'
        f"{_hidden(csrf, student=who, paused='0' if paused else '1')}"
        f'<button class="{kind}" type="submit">{esc(text)}</button></form>'
    )


def _spend(r: Row) -> str:
    """Spent against budget, with a bar: who is near the end of their money reads at once."""
    high = r.spent >= 0.9 * r.budget - 1e-9 if r.budget > 0 else r.spent > 0
    over = ' class="over"' if high else ""
    return (
        f'<td class="spend"><span{over}>${r.spent:.2f}</span> <span class="of">of '
        f"${r.budget:.2f}</span>"
        f'<meter min="0" max="{max(r.budget, 0.01):.2f}" low="{0.7 * r.budget:.2f}" '
        f'high="{0.9 * r.budget:.2f}" optimum="0" value="{r.spent:.2f}"></meter></td>'
    )


def _table(rows: Iterable[Row], csrf: str, now: float) -> str:
    lines = []
    for r in rows:
        badge = '<span class="badge">paused</span>' if r.paused else ""
        dim = ' class="paused"' if r.paused else ""
        lines.append(
            f'<tr data-student="{esc(r.name)}"{dim}>'
            f'<td class="name">{esc(r.name)}{badge}</td>{_spend(r)}'
            f'<td class="num">{r.in_flight}</td><td class="num">{r.tasks}</td>'
            f"<td>{esc(_ago(r.last, now))}</td><td>"
            '<form class="inline" method="post" action="/teacher/budget">'
            f"{_hidden(csrf, student=r.name)}$"
            f'<input name="budget" type="number" min="0" step="0.5" value="{r.budget:.2f}" '
            f'aria-label="budget of {esc(r.name)}">'
            '<button type="submit">Set budget</button></form></td>'
            f"<td>{_pause_form(csrf, r.name, r.paused, '')}</td></tr>"
        )
    head = (
        '<tr><th>Student</th><th>Spent of budget</th><th class="num">Running</th>'
        '<th class="num">Tasks</th><th>Last activity</th><th>Budget</th><th>Generation</th></tr>'
    )
    body = "".join(lines) or '<tr><td colspan="7">No students yet: relay add-student NAME</td></tr>'
    return f'<table id="students"><thead>{head}</thead><tbody>{body}</tbody></table>'


def video_src(task: StudentTask) -> str | None:
    """Where the page plays a task's first video: the relay's copy, or an https URL."""
    for item in task.upstream.items or []:
        name = item.get(RELAY_FILE)
        if isinstance(name, str):
            return "/media/" + quote(name)
        url = item.get("videoURL")
        if isinstance(url, str) and url.startswith("https://"):
            return url
    return None


def video_seed(task: StudentTask) -> object:
    seeds = [i.get("seed") for i in task.upstream.items or [] if "seed" in i]
    return seeds[0] if seeds else task.seed


def _card(task: StudentTask) -> str:
    src = video_src(task)
    video = f'<video controls preload="metadata" src="{esc(src)}"></video>' if src else ""
    return (
        f'<figure class="clip" data-student="{esc(task.student)}">{video}<figcaption>'
        f"<b>{esc(task.student)}</b> · seed {esc(video_seed(task))} · "
        f'<a href="/show/{task.id}">show to class</a>'
        f'<p class="prompt">{esc(shorten(task.prompt, PROMPT_SHOWN))}</p></figcaption></figure>'
    )


def class_page(
    rows: list[Row], gallery: list[StudentTask], *, csrf: str, class_paused: bool, only: str | None
) -> str:
    now = time.time()
    spent = sum(r.spent for r in rows)
    budget = sum(r.budget for r in rows)
    running = sum(r.in_flight for r in rows)
    names = [r.name for r in rows]
    links = ['<a href="/"' + ("" if only else ' class="on"') + ">everyone</a>"]
    on = ' class="on"'
    links += [
        f'<a href="/?student={esc(quote(n))}"{on if n == only else ""}>{esc(n)}</a>' for n in names
    ]
    cards = "".join(_card(t) for t in gallery) or '<p class="note">No videos yet.</p>'
    header = (
        "<header><h1>Class relay</h1>"
        f'<span id="totals"><b>${spent:.2f}</b> spent of ${budget:.2f} · {running} running'
        f" · {len(rows)} students</span>"
        f'<span class="end">{"" if class_paused else _pause_form(csrf, "*", False, "class")}'
        '<form class="inline" method="post" action="/logout">'
        f'{_hidden(csrf)}<button type="submit">Log out</button></form></span></header>'
    )
    banner = (
        '<div class="banner" id="class-paused"><b>Generation is paused for the whole class.</b>'
        f"{_pause_form(csrf, '*', True, 'class')}</div>"
        if class_paused
        else ""
    )
    return _document(
        "Class relay",
        f"{header}{banner}<main><h2>Students</h2>{_table(rows, csrf, now)}"
        f'<h2>Gallery</h2><nav class="filter">{" ".join(links)}</nav>'
        f'<div class="gallery" id="gallery">{cards}</div></main>',
    )


def show_page(task: StudentTask) -> str:
    src = video_src(task)
    video = f'<video controls autoplay src="{esc(src)}"></video>' if src else "<p>No video.</p>"
    return _document(
        f"{task.student}: show to class",
        f'<div class="show">{video}<p><b>{esc(task.student)}</b> · seed {esc(video_seed(task))}'
        f' · <a href="/">back</a></p><p class="prompt">{esc(task.prompt)}</p></div>',
    )
