"""The teacher's routes: the page (``/``), login, one video for the class, and the controls.

Who is the teacher: ``Authorization: Bearer <teacher token>``, or the HttpOnly cookie the
login form sets (a keyed hash of the token, never the token). A student's token gets 403,
no token 401 (with the login form). Forms carry a CSRF value derived the same way, and the
cookie is ``SameSite=Strict``. ``GET /teacher/state`` gives the table as JSON (scripts,
tests). Every answer forbids scripts (Content-Security-Policy) and caching.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ._ledger import CLASS
from ._page import Row, class_page, login_page, show_page
from ._state import Relay

COOKIE: Final = "wan_relay_teacher"
HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; media-src 'self' https:; style-src 'unsafe-inline'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
MAX_FORM: Final = 4096


def _derived(relay: Relay, purpose: str) -> str:
    key = relay.config.teacher_token.encode()
    return hmac.new(key, f"wan-relay-{purpose}".encode(), hashlib.sha256).hexdigest()


def _who(relay: Relay, request: Request) -> str:
    """``teacher``, ``student`` (a roster token), ``wrong`` or ``none``."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip() if scheme.lower() == "bearer" else ""
    if token:
        if hmac.compare_digest(token.encode(), relay.config.teacher_token.encode()):
            return "teacher"
        return "student" if relay.roster.find(token) else "wrong"
    cookie = request.cookies.get(COOKIE, "")
    if cookie and hmac.compare_digest(cookie.encode(), _derived(relay, "session").encode()):
        return "teacher"
    return "none"


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status, headers=HEADERS)


def _refusal(who: str) -> Response:
    if who == "student":
        return _html(login_page("That is a student token; this page needs the teacher's."), 403)
    return _html(login_page("Wrong token." if who == "wrong" else ""), 401)


def _rows(relay: Relay) -> list[Row]:
    standings = relay.ledger.standings()
    paused = relay.ledger.paused()
    rows = []
    for s in relay.roster.students:
        st = standings.get(s.name)
        last = max(
            filter(None, (st.last if st else None, relay.last_seen.get(s.name))), default=None
        )
        rows.append(
            Row(s.name, st.spent if st else 0.0, s.budget, st.tasks if st else 0,
                st.in_flight if st else 0, last, s.name in paused)
        )  # fmt: skip
    return rows


async def page(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    who = _who(relay, request)
    if who != "teacher":
        return _refusal(who)
    only = request.query_params.get("student") or None
    gallery = relay.ledger.gallery(only)
    csrf = _derived(relay, "csrf")
    paused = CLASS in relay.ledger.paused()
    return _html(class_page(_rows(relay), gallery, csrf=csrf, class_paused=paused, only=only))


async def show(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    who = _who(relay, request)
    if who != "teacher":
        return _refusal(who)
    task = relay.ledger.task(int(request.path_params["task_id"]))
    if task is None or task.upstream.status != "done":
        return _html(login_page("No such video."), 404)
    return _html(show_page(task))


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM:
        return {}
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[-1] for k, v in fields.items()}


async def login(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    token = (await _form(request)).get("token", "")
    if not hmac.compare_digest(token.encode(), relay.config.teacher_token.encode()):
        who = "student" if token and relay.roster.find(token) else "wrong"
        return _refusal(who)
    response = RedirectResponse("/", 303, headers=HEADERS)
    response.set_cookie(
        COOKIE,
        _derived(relay, "session"),
        httponly=True,
        samesite="strict",
        secure=_https(relay, request),
        path="/",
    )
    return response


def _https(relay: Relay, request: Request) -> bool:
    """Whether the teacher reaches the page over TLS: the relay's own certificate, a proxy on
    loopback that says so (X-Forwarded-Proto, which uvicorn trusts from loopback only), or a
    ``--public-url`` that starts with https."""
    public = relay.config.public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


async def logout(request: Request) -> Response:
    response = RedirectResponse("/", 303, headers=HEADERS)
    response.delete_cookie(COOKIE, path="/")
    return response


async def _control(request: Request) -> tuple[Relay, dict[str, str]] | Response:
    """The form of a control, once the caller is known to be the teacher (and not forged)."""
    relay: Relay = request.app.state.relay
    who = _who(relay, request)
    if who != "teacher":
        return _refusal(who)
    fields = await _form(request)
    by_cookie = not request.headers.get("authorization")
    if by_cookie and not hmac.compare_digest(
        fields.get("csrf", "").encode(), _derived(relay, "csrf").encode()
    ):
        return _html(login_page("The form expired; log in again."), 403)
    return relay, fields


async def set_budget(request: Request) -> Response:
    got = await _control(request)
    if isinstance(got, Response):
        return got
    relay, fields = got
    try:
        relay.roster.set_budget(fields.get("student", ""), float(fields.get("budget", "")))
    except (KeyError, ValueError) as exc:
        return JSONResponse({"error": f"cannot set that budget: {exc}"}, 400, headers=HEADERS)
    return RedirectResponse("/", 303, headers=HEADERS)


async def set_paused(request: Request) -> Response:
    got = await _control(request)
    if isinstance(got, Response):
        return got
    relay, fields = got
    who = fields.get("student", "")
    if who != CLASS and relay.roster.get(who) is None:
        return JSONResponse({"error": f"no student {who!r}"}, 400, headers=HEADERS)
    relay.ledger.set_paused(who, fields.get("paused", "1") == "1")
    return RedirectResponse("/", 303, headers=HEADERS)


async def state(request: Request) -> Response:
    relay: Relay = request.app.state.relay
    who = _who(relay, request)
    if who != "teacher":
        status = 403 if who == "student" else 401
        return JSONResponse({"error": "the teacher's token is needed"}, status, headers=HEADERS)
    rows = _rows(relay)
    students = [
        {"name": r.name, "spent": round(r.spent, 6), "budget": r.budget, "tasks": r.tasks,
         "in_flight": r.in_flight, "last_activity": r.last, "paused": r.paused}
        for r in rows
    ]  # fmt: skip
    body = {
        "class_paused": CLASS in relay.ledger.paused(),
        "students": students,
        "spent": round(sum(r.spent for r in rows), 6),
        "billed": round(relay.ledger.billed(), 6),
    }
    return JSONResponse(body, headers=HEADERS)
