"""The FastAPI example (examples/fastapi_app.py) as a user meets it: a real uvicorn process on
127.0.0.1, driven by httpx with a cookie jar through login, the counter and logout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from adapters.servers import REDIS_URL, delete_keys, unavailable

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET = "a-shared-test-secret-of-32-or-more-bytes!"


@pytest.fixture(scope="module")
def app() -> Iterator[tuple[str, str, str]]:
    """The running app: its URL, the storage it chose and its key prefix."""
    prefix = f"sk_apps_{uuid.uuid4().hex[:8]}:"
    env = {**os.environ, "PORT": "0", "SESSION_SECRET": SECRET, "SESSION_KEY_PREFIX": prefix, "REDIS_URL": REDIS_URL}
    process = subprocess.Popen(
        [sys.executable, "fastapi_app.py"], cwd=EXAMPLES, env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"listening on (http://\S+) \(sessions in (\w+)\)", line)
    try:
        assert found, f"the app printed {line!r}"
        yield found[1], found[2], prefix
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
async def redis_keys(app: tuple[str, str, str]) -> AsyncIterator[None]:
    yield
    import redis.asyncio as redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        await delete_keys(client, app[2])
    except (OSError, redis.RedisError):
        pass  # Redis unreachable: the app ran on memory, nothing to remove
    finally:
        await client.aclose()


class Jar:
    """Keeps what Set-Cookie says (Max-Age=0 removes) and sends it back, Secure or not: the
    standard library's jar would withhold a Secure cookie from http://127.0.0.1."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {"cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        async with httpx.AsyncClient(base_url=self.base) as http:
            response = await http.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        for line in response.headers.get_list("set-cookie"):
            name, _, value = line.split(";")[0].partition("=")
            if re.search(r";\s*Max-Age=0\b", line, re.I):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response


def title(response: httpx.Response) -> str:
    found = re.search(r"<h1>(.*?)</h1>", response.text)
    assert found, response.text
    return found[1]


pytestmark = pytest.mark.usefixtures("redis_keys")


async def test_the_app_keeps_its_sessions_in_redis_when_redis_answers(app: tuple[str, str, str]) -> None:
    import redis.asyncio as redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except (OSError, redis.RedisError) as error:
        unavailable("Redis", error)
    finally:
        await client.aclose()
    assert app[1] == "redis"


async def test_login_cookie_attributes_and_the_counter(app: tuple[str, str, str]) -> None:
    jar = Jar(app[0])
    home = await jar.request("GET", "/")
    assert title(home) == "Sign in" and home.headers.get_list("set-cookie") == []
    login = await jar.request("POST", "/login", data={"name": "Ada <script>"})
    assert login.status_code == 303 and login.headers["location"] == "/"
    cookie = next(c for c in login.headers.get_list("set-cookie") if c.startswith("sid="))
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/", "Secure", "Max-Age=1800"):
        assert attribute in cookie.split("; "), cookie
    assert title(await jar.request("GET", "/")) == "Hello, Ada &lt;script&gt;"
    for n in (1, 2, 3):
        assert title(await jar.request("GET", "/counter")) == f"Visits: {n}"


async def test_login_moves_the_session_to_a_new_id(app: tuple[str, str, str]) -> None:
    jar = Jar(app[0])
    await jar.request("GET", "/counter")
    before = jar.cookies["sid"]
    await jar.request("POST", "/login", data={"name": "Grace"})
    assert jar.cookies["sid"] != before
    assert title(await jar.request("GET", "/counter")) == "Visits: 2"
    planted = Jar(app[0])
    planted.cookies["sid"] = before
    assert title(await planted.request("GET", "/")) == "Sign in"


async def test_logout_clears_the_cookie_and_ends_the_session(app: tuple[str, str, str]) -> None:
    jar = Jar(app[0])
    await jar.request("POST", "/login", data={"name": "Linus"})
    stolen = jar.cookies["sid"]
    logout = await jar.request("POST", "/logout")
    assert logout.status_code == 303 and re.match(r"sid=; .*Max-Age=0", logout.headers["set-cookie"])
    assert "sid" not in jar.cookies and title(await jar.request("GET", "/")) == "Sign in"
    replay = Jar(app[0])
    replay.cookies["sid"] = stolen
    assert title(await replay.request("GET", "/")) == "Sign in"


async def test_a_tampered_cookie_gets_a_fresh_anonymous_session(app: tuple[str, str, str]) -> None:
    jar = Jar(app[0])
    await jar.request("POST", "/login", data={"name": "Ada"})
    id_, mac = jar.cookies["sid"].split(".")
    flipped = ("B" if mac[0] == "A" else "A") + mac[1:]
    # The id's last character replaced by another (an id ending in "x" must not stay as it was).
    other_id = id_[:-1] + ("y" if id_.endswith("x") else "x")
    for forged in (f"{id_}.{flipped}", f"{other_id}.{mac}", id_, "garbage"):
        other = Jar(app[0])
        other.cookies["sid"] = forged
        assert title(await other.request("GET", "/")) == "Sign in"
        assert title(await other.request("GET", "/counter")) == "Visits: 1"
        assert other.cookies["sid"] != forged


async def test_an_empty_name_is_refused(app: tuple[str, str, str]) -> None:
    jar = Jar(app[0])
    response = await jar.request("POST", "/login", data={"name": "  "})
    assert response.status_code == 400 and jar.cookies == {}
