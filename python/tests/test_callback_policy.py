"""tests/vectors/callback_policy.json (also read by the Rust and Node suites): the real
CustomSessionStorage with scripted callbacks gives the same outcome, code and message as in
Node - partial ``delete_sessions`` failures, timeouts, exceptions that cannot be printed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from helpers import load_vectors
from sessionkeeper import CustomSessionStorage, SessionStorageError

CASES = [c for c in load_vectors("callback_policy.json")["cases"] if "python" in c.get("hosts", ["python"])]

#: The vectors name Node's methods and callbacks; these are Python's.
METHODS = {
    "storeSession": "store_session",
    "loadSession": "load_session",
    "deleteSession": "delete_session",
    "deleteSessions": "delete_sessions",
}


def _unreadable(self: BaseException) -> str:
    raise RuntimeError("no message for you")


def _not_text(self: BaseException) -> Any:
    return b"bytes"


def thrown_by(spec: dict[str, Any]) -> BaseException:
    """An exception of a class named ``type``; ``message: None`` makes ``str()`` raise."""
    if spec.get("python") == "str returns bytes":
        return type("Weird", (Exception,), {"__str__": _not_text})()
    if spec["message"] is None:
        return type(spec["type"], (Exception,), {"__str__": _unreadable})()
    return type(spec["type"], (Exception,), {})(spec["message"])


def scripted(name: str, script: Any, called: list[tuple[str, Any]], thrown: list[BaseException]) -> Callable[[Any], Any]:
    def own(arg: Any) -> Any:
        if isinstance(script, dict) and "byId" in script:
            return script["byId"].get(arg, script["default"])
        return script

    def sync(arg: Any) -> Any:
        called.append((name, list(arg) if isinstance(arg, list) else getattr(arg, "id", arg)))
        step = own(arg)
        if isinstance(step, dict) and "throw" in step:
            error = thrown_by(step["throw"])
            thrown.append(error)
            raise error
        return step

    async def hang() -> Any:
        await asyncio.Event().wait()

    async def settle(value: Any) -> Any:
        return value

    def callback(arg: Any) -> Any:
        step = own(arg)
        if isinstance(step, dict) and step.get("sync"):
            return sync(arg)
        if isinstance(step, dict) and step.get("hang"):
            called.append((name, arg))
            return hang()
        try:
            return settle(sync(arg))
        except Exception as error:  # noqa: BLE001 - raised when awaited, as a rejection
            return _raising(error)

    return callback


async def _raising(error: BaseException) -> Any:
    raise error


def storage_for(case: dict[str, Any], called: list[tuple[str, Any]], thrown: list[BaseException]) -> CustomSessionStorage:
    callbacks = case["callbacks"]

    def cb(name: str) -> Callable[[Any], Any]:
        return scripted(name, callbacks.get(name), called, thrown)

    options: dict[str, Any] = {}
    if "timeoutMs" in case:
        options["timeout"] = case["timeoutMs"] / 1000
    if "deleteSessions" in callbacks:
        options["delete_sessions"] = cb("deleteSessions")
    return CustomSessionStorage(cb("store"), cb("load"), cb("delete"), **options)


def test_the_policy_vectors_cover_what_they_must() -> None:
    assert len(CASES) >= 15
    assert any(c["name"] == "fallback-tries-every-id-and-names-the-failures" for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
async def test_callback_policy(case: dict[str, Any]) -> None:
    called: list[tuple[str, Any]] = []
    thrown: list[BaseException] = []
    storage = storage_for(case, called, thrown)
    method, arg = case["call"]
    run = getattr(storage, METHODS[method])(arg)
    expected = case["expect"].get("error")
    if expected is None:
        assert await run == case["expect"]["result"]
    else:
        with pytest.raises(SessionStorageError) as info:
            await run
        error = info.value
        assert (error.code, str(error)) == (expected["code"], expected.get("pythonMessage", expected["message"]))
        cause = expected["cause"]
        if cause is None:
            assert error.__cause__ is None
        elif cause == "thrown":
            assert error.__cause__ is thrown[0]
        else:
            assert isinstance(error.__cause__, SessionStorageError)
            got = (error.__cause__.code, str(error.__cause__))
            assert got == (cause["code"], cause.get("pythonMessage", cause["message"]))
    for name, arguments in case.get("called", {}).items():
        assert sorted((a for n, a in called if n == name), key=repr) == arguments, name
