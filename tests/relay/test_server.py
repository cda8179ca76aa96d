"""TLS for the relay, as the README describes it: its own certificate (``--ssl-certfile`` /
``--ssl-keyfile``, uvicorn's TLS), or a TLS proxy in front that says ``X-Forwarded-Proto``
(trusted from loopback only) or a ``--public-url`` for result URLs and the cookie."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import video_task
from tests.relay.conftest import TEACHER, enrol, free_port, start_relay_process
from wan_notebook.relay._cli import main


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key


def test_with_its_own_certificate_the_relay_serves_https_only(
    engine, tmp_path, relay_processes, certificate
):
    cert, key = certificate
    upstream = engine(render_mode="tiny")
    tokens = enrol(tmp_path / "roster.csv", {"ann": 5.0})
    args = ["--port", "0", "--upstream", upstream.base_url, "--roster",
            str(tmp_path / "roster.csv"), "--db", str(tmp_path / "relay.sqlite"),
            "--poll-interval", "0.05",
            "--ssl-certfile", str(cert), "--ssl-keyfile", str(key)]  # fmt: skip
    relay = start_relay_process(args, {"RUNWARE_API_KEY": upstream.api_key,
                                       "WAN_TEACHER_TOKEN": TEACHER})  # fmt: skip
    relay_processes.append(relay)
    assert relay.url.startswith("https://127.0.0.1:")
    root = relay.url.removesuffix("/v1")
    trusted = ssl.create_default_context(cafile=str(cert))
    with httpx.Client(verify=trusted, timeout=10, trust_env=False) as tls:
        task = video_task()
        ann = {"Authorization": f"Bearer {tokens['ann']}"}
        assert tls.post(relay.url, json=[task], headers=ann).status_code == 200
        login = tls.post(root + "/login", data={"token": TEACHER})
        assert login.status_code == 303 and "secure" in login.headers["set-cookie"].lower()
    plain = "http://" + root.removeprefix("https://") + "/health"
    with httpx.Client(timeout=10, trust_env=False) as http, pytest.raises(httpx.HTTPError):
        http.get(plain)  # no plain-http fallback
    with httpx.Client(timeout=10, trust_env=False) as http, pytest.raises(httpx.ConnectError):
        http.get(root + "/health")  # the certificate is really checked: unknown, refused


def test_behind_a_tls_proxy_on_loopback_result_urls_and_the_cookie_say_https(engine, classroom):
    upstream = engine(render_mode="tiny")
    room = classroom(upstream, {"ann": 5.0})
    proxy = {"X-Forwarded-Proto": "https", "Host": "class.example.org"}
    task = video_task()
    room.post("ann", [task])  # submitted directly; the last poll comes "through the proxy"
    room.wait("ann", task["taskUUID"])
    answer = room.http.post(
        room.url,
        json=[{"taskType": "getResponse", "taskUUID": task["taskUUID"]}],
        headers={"Authorization": f"Bearer {room.tokens['ann']}", **proxy},
    )
    (item,) = answer.json()["data"]
    assert item["videoURL"].startswith("https://class.example.org/media/")
    login = room.http.post(room.relay.root_url + "/login", data={"token": TEACHER}, headers=proxy)
    assert "secure" in login.headers["set-cookie"].lower()
    direct = room.http.post(room.relay.root_url + "/login", data={"token": TEACHER})
    assert "secure" not in direct.headers["set-cookie"].lower()  # plain http on loopback


def test_a_public_https_url_names_the_result_urls_and_makes_the_cookie_secure(
    engine, tmp_path, relay_processes
):
    upstream = engine(render_mode="tiny")
    tokens = enrol(tmp_path / "roster.csv", {"ann": 5.0})
    port = free_port()
    args = ["--port", str(port), "--upstream", upstream.base_url, "--roster",
            str(tmp_path / "roster.csv"), "--db", str(tmp_path / "relay.sqlite"),
            "--poll-interval", "0.05", "--public-url", "https://relay.school.example"]  # fmt: skip
    relay = start_relay_process(args, {"RUNWARE_API_KEY": upstream.api_key,
                                       "WAN_TEACHER_TOKEN": TEACHER})  # fmt: skip
    relay_processes.append(relay)
    assert relay.url == "https://relay.school.example/v1"  # what students are told
    here = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=here, timeout=10, trust_env=False) as http:
        ann = {"Authorization": f"Bearer {tokens['ann']}"}
        task = video_task()
        assert http.post("/v1", json=[task], headers=ann).status_code == 200
        poll = [{"taskType": "getResponse", "taskUUID": task["taskUUID"]}]
        for _ in range(600):
            items = http.post("/v1", json=poll, headers=ann).json().get("data", [])
            if items and items[0].get("status") == "success":
                break
            time.sleep(0.05)
        assert items[0]["videoURL"].startswith("https://relay.school.example/media/")
        login = http.post("/login", data={"token": TEACHER})
        assert "secure" in login.headers["set-cookie"].lower()


def test_tls_options_that_cannot_work_are_refused_before_starting(tmp_path, capsys):
    common = ["--roster", str(tmp_path / "r.csv"), "--teacher-token", "teacher-123456"]
    assert main([*common, "--ssl-keyfile", str(tmp_path / "key.pem")]) == 2
    assert "--ssl-keyfile needs --ssl-certfile" in capsys.readouterr().err
    assert main([*common, "--ssl-certfile", str(tmp_path / "missing.pem")]) == 2
    assert "--ssl-certfile" in capsys.readouterr().err
