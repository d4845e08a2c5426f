"""A real workspace in a temporary folder and a test client over the page, its clock fixed."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from pathlib import Path

import pytest

from checker import api

with warnings.catch_warnings():  # Starlette 1.x asks for httpx2; httpx is what the project installs
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from checker.web import create_app

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLES = ROOT / "sample_workbooks"
HANOI = dt.timezone(dt.timedelta(hours=7))
# When the clerk uploads in these tests: 18/06/2023 10:00 Hanoi time (June's reports on time).
NOW = dt.datetime(2023, 6, 18, 10, 0, tzinfo=HANOI)
BASE = "http://127.0.0.1:8327"
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def rules():
    return api.load_rules()


@pytest.fixture
def workspace_root(tmp_path):
    return tmp_path / "ntvt"


@pytest.fixture
def app(workspace_root, rules):
    return create_app(workspace_root, rules, clock=lambda: NOW)


@pytest.fixture
def client(app):
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        yield c


def token(client) -> str:
    """The CSRF token of the client's session, read off a form as a browser would."""
    return TOKEN.search(client.get("/nhan-ho-so").text).group(1)


def title(response) -> str:
    return TITLE.search(response.text).group(1)


def upload(client, paths, **extra):
    """POST files (path, or (name, bytes)) to Nhận hồ sơ, as the file input sends them."""
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) if isinstance(p, Path)
             else ("files", (p[0], p[1], "application/octet-stream")) for p in paths]
    return client.post("/nhan-ho-so", data={"csrf_token": token(client), **extra}, files=files)


def text_of(html: str) -> str:
    """The page's text, tags dropped and spaces collapsed (what a reader sees, in order)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
