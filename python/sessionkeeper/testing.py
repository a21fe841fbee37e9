"""The conformance battery: what every session storage must do, in the spirit of Shopify's
``batteryOfTests``, plus what sessionkeeper adds (copies, canonical JSON, clear errors).

Point it at your own storage (here with pytest and pytest-asyncio)::

    import pytest
    from sessionkeeper.testing import battery

    @pytest.mark.parametrize("case", battery().values(), ids=list(battery()))
    async def test_my_storage(case):
        await case(make_my_storage())

or run every case at once with ``await run_battery(make_my_storage)``. Like Shopify's, the
battery never clears the storage between cases: it must upsert, and what earlier cases left
behind must not disturb later ones.

The cases are data shared with the Node kit (``tests/vectors/battery.json`` in the repository,
embedded in the native module); this module only knows how each step is done in Python.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

from . import _native
from ._native import Session
from .errors import SessionStorageError
from .storage import SessionStorage

__all__ = ["Case", "CASES", "DATA_CASES", "battery", "run_battery", "sessions_equal"]

Case = Callable[[SessionStorage], Awaitable[None]]

_VERSION = 1
_METHODS = {
    "store": "store_session",
    "load": "load_session",
    "delete": "delete_session",
    "deleteMany": "delete_sessions",
    "find": "find_sessions_by_shop",
}
_Entry = tuple[dict[str, Any], Session]  # the params a session spec resolves to, and its Session
_Call = tuple[Any, Any]  # the argument of one storage call, and what it must give


def _check(holds: bool, message: str) -> None:
    """An assertion that ``python -O`` keeps: a conformance kit must not pass by being optimised away."""
    if not holds:
        raise AssertionError(message)


def sessions_equal(a: Sequence[Session], b: Sequence[Session]) -> bool:
    """Whether every session of ``a`` equals one of ``b`` and the lengths match (Shopify's helper)."""
    return len(a) == len(b) and all(any(s == t for t in b) for s in a)


def _read_vectors(text: str) -> dict[str, Any]:
    """``{battery, sessions, invalid}`` from their JSON text, refusing a version this kit does not know."""
    vectors: dict[str, Any] = json.loads(text)
    for name, file in vectors.items():
        version = file.get("version") if isinstance(file, dict) else None
        if version != _VERSION:
            raise ValueError(f"tests/vectors: {name} has version {version}, this kit reads {_VERSION}")
    return vectors


def _named(cases: list[dict[str, Any]], name: str, file: str) -> dict[str, Any]:
    for case in cases:
        if case["name"] == name:
            return case
    raise ValueError(f"tests/vectors/{file} has no case {name!r}")


def _value(v: Any, now: datetime) -> Any:
    """A value spec (``{secondsFromNow}`` at whole seconds, as Shopify builds dates;
    ``{repeat, times}``), or the value itself."""
    if isinstance(v, dict) and set(v) == {"secondsFromNow"}:
        return now + timedelta(seconds=v["secondsFromNow"])
    if isinstance(v, dict) and set(v) == {"repeat", "times"}:
        return v["repeat"] * v["times"]
    return v


def _params(spec: dict[str, Any], specs: dict[str, Any], vectors: dict[str, Any]) -> dict[str, Any]:
    """The dict a session spec describes: ``like`` another session of the case, ``vector`` a
    sessions.json input."""
    own = {k: v for k, v in spec.items() if k not in ("like", "vector")}
    if "like" in spec:
        if spec["like"] not in specs:
            raise ValueError(f"no session {spec['like']!r} in this case")
        return {**_params(specs[spec["like"]], specs, vectors), **own}
    if "vector" in spec:
        return {**_named(vectors["sessions"]["sessions"], spec["vector"], "sessions.json")["input"], **own}
    return own


def _sessions(specs: dict[str, Any], vectors: dict[str, Any], now: datetime) -> dict[str, list[_Entry]]:
    """Each named session of a case: one entry, or a group's members."""

    def entry(params: dict[str, Any]) -> _Entry:
        resolved = {k: _value(v, now) for k, v in params.items()}
        return resolved, Session.from_dict(resolved)

    out: dict[str, list[_Entry]] = {}
    for name, spec in specs.items():
        if isinstance(spec, list):
            members = [_params(s, specs, vectors) for s in spec]
        elif "count" in spec:
            members = [
                {k: v.replace("{i}", str(i)) if isinstance(v, str) else v for k, v in spec["each"].items()}
                for i in range(spec["count"])
            ]
        else:
            members = [_params(spec, specs, vectors)]
        out[name] = [entry(m) for m in members]
    return out


def _argument(entry: _Entry, step: dict[str, Any]) -> Any:
    """What an app hands over: a fresh Session, or a dict (``as: "object"``). A Session has no
    room for unknown attributes, so extra fields always travel in a dict in Python."""
    params, _ = entry
    if step.get("as") == "object" or "extraFields" in step:
        return {**copy.deepcopy(params), **step.get("extraFields", {})}
    return Session.from_dict(params)


def _calls(
    step: dict[str, Any], sessions: dict[str, list[_Entry]], vectors: dict[str, Any], now: datetime
) -> list[_Call]:
    """The calls a step makes (one per member when it names a group)."""

    def group(name: str) -> list[_Entry]:
        if name not in sessions:
            raise ValueError(f"no session {name!r} in this case")
        return sessions[name]

    def expect_for(i: int) -> Any:
        expect = step.get("expect", ...)
        if not isinstance(expect, dict) or "session" not in expect:
            return expect
        members = group(expect["session"])
        return {**expect, "session": members[i if i < len(members) else 0][1]}

    op = step["op"]
    if op == "store":
        if "invalid" in step:
            case = _named(vectors["invalid"]["cases"], step["invalid"], "invalid.json")
            field = case.get("pythonField", case["field"])
            return [(copy.deepcopy(case["input"]), {"error": case["argument"], "pythonField": field})]
        if "session" not in step:
            return [(step.get("value"), step.get("expect", ...))]
        return [(_argument(m, step), expect_for(i)) for i, m in enumerate(group(step["session"]))]
    if op in ("load", "delete"):
        if "session" not in step:
            return [(_value(step["id"], now), expect_for(0))]
        return [(m[1].id, expect_for(i)) for i, m in enumerate(group(step["session"]))]
    if op == "deleteMany":
        if "sessions" in step:
            ids: Any = [m[1].id for name in step["sessions"] for m in group(name)]
        else:
            ids = [_value(i, now) for i in step["ids"]] if isinstance(step["ids"], list) else step["ids"]
        return [(ids, step.get("expect", ...))]
    if op == "find":
        expect = step.get("expect", ...)
        if isinstance(expect, dict) and isinstance(expect.get("sessions"), list):
            expect = {"sessions": [m[1] for name in expect["sessions"] for m in group(name)]}
        return [(_value(step["shop"], now), expect)]
    raise ValueError(f"unknown step op {op!r}")


def _describe(value: Any) -> str:
    """What a call gave, for a message: never a session's tokens."""
    if isinstance(value, Session):
        return f"a Session (id {value.id[:40]!r})"
    return repr(value)[:40] if value is None or isinstance(value, (bool, int, str)) else type(value).__name__


def _check_session(loaded: Any, expected: Session, expect: dict[str, Any]) -> None:
    _check(isinstance(loaded, Session), f"returns a Session, got {_describe(loaded)}")
    _check(expected == loaded, f"the loaded session equals the stored one (id {expected.id[:40]!r})")
    _check(loaded.to_json() == expected.to_json(), "the loaded session has the same canonical JSON")
    for date in (loaded.expires, loaded.refresh_token_expires):
        _check(date is None or date.tzinfo == timezone.utc, "dates come back in UTC")
    if "activeFor" in expect:
        _check(loaded.is_active(expect["activeFor"]), f"active for {expect['activeFor']}")
    if "inactiveFor" in expect:
        _check(not loaded.is_active(expect["inactiveFor"]), f"not active for {expect['inactiveFor']}")
    if "expired" in expect:
        _check(loaded.is_expired() is expect["expired"], f"is_expired() is {expect['expired']}")


async def _call(storage: SessionStorage, method: str, argument: Any, expect: Any) -> Any:
    """Awaits one call and checks its outcome against ``expect``; returns what it returned."""
    if expect is ...:
        raise ValueError("the step says nothing about what to expect")
    try:
        result = await getattr(storage, method)(argument)
    except Exception as error:
        if not isinstance(expect, dict) or "error" not in expect:
            raise
        if not isinstance(error, SessionStorageError):
            raise AssertionError(f"raises a SessionStorageError, got {error!r}") from error
        _check(error.code == expect["error"], f"raises {expect['error']}, got {error.code}: {error}")
        field = str(expect.get("pythonField") or expect.get("field") or "")
        _check(field in str(error), f"the message names {field!r}: {error}")
        return None
    if expect is None or isinstance(expect, bool):
        _check(result is expect, f"{method} returns {expect}, got {_describe(result)}")
        return result
    outcome: dict[str, Any] = expect
    if "error" in outcome:
        raise AssertionError(f"{method} should raise {outcome['error']}, returned {_describe(result)}")
    if "session" in outcome:
        _check_session(result, outcome["session"], outcome)
    elif "sessions" in outcome:
        wanted: list[Session] = outcome["sessions"]
        _check(isinstance(result, list), f"{method} returns a list, got {_describe(result)}")
        _check(all(isinstance(s, Session) for s in result), "every item is a Session")
        _check(
            sessions_equal(result, wanted),
            f"the sessions found equal the {len(wanted)} expected (any order), got {len(result)}",
        )
        texts = sorted(s.to_json() for s in result) == sorted(s.to_json() for s in wanted)
        _check(texts, "the sessions found have the expected canonical JSON")
    return result


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _change(step: dict[str, Any], state: dict[str, list[Any]]) -> None:
    """Mutates what the app handed over (``stored``) or got back (``loaded``): a storage keeps copies."""
    for target in state[step["what"]]:
        if isinstance(target, Session):
            for key, value in step.get("set", {}).items():
                setattr(target, _snake(key), value)
            if "setData" in step and target.data is not None:
                target.data.update(step["setData"])
        else:
            target.update(step.get("set", {}))
            if "setData" in step:
                target["data"].update(step["setData"])


async def _run_case(case: dict[str, Any], storage: SessionStorage) -> None:
    """Runs one case of the battery; a failed step raises ``AssertionError`` naming the case and step."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    state: dict[str, list[Any]] = {"stored": [], "loaded": []}
    sessions = _sessions(case["sessions"], _VECTORS, now)
    for index, step in enumerate(case["steps"], 1):
        try:
            if step["op"] == "change":
                _change(step, state)
                continue
            calls = _calls(step, sessions, _VECTORS, now)
            method = _METHODS[step["op"]]
            if step.get("concurrently"):
                results = await asyncio.gather(*(_call(storage, method, a, e) for a, e in calls))
            else:
                results = [await _call(storage, method, a, e) for a, e in calls]
            if step["op"] == "store":
                state["stored"] = [a for a, _ in calls]
            if step["op"] == "load":
                state["loaded"] = [r for r in results if isinstance(r, Session)]
        except Exception as error:
            raise AssertionError(f"{case['name']}, step {index} ({step['op']}): {error}") from error


_VECTORS = _read_vectors(_native.BATTERY_VECTORS)


def _cases(app_data: bool) -> dict[str, Case]:
    chosen = [c for c in _VECTORS["battery"]["cases"] if c.get("appData", False) is app_data]
    return {c["name"]: partial(_run_case, c) for c in chosen}


#: The cases by name, in the data's order (the same names as the Node kit's ``cases``).
CASES: dict[str, Case] = _cases(False)
#: The cases about app ``data``, which Shopify's property arrays cannot carry.
DATA_CASES: dict[str, Case] = _cases(True)


def battery(app_data: bool = True) -> dict[str, Case]:
    """Every case by name. ``app_data=False`` leaves out the cases about ``data``, for
    storages that keep Shopify's fields only (property-array stores)."""
    return {**CASES, **DATA_CASES} if app_data else dict(CASES)


async def run_battery(
    storage_factory: Callable[[], SessionStorage | Awaitable[SessionStorage]], *, app_data: bool = True
) -> None:
    """Runs every case in order against storages from ``storage_factory`` (called per case);
    the first failure raises ``AssertionError`` naming the case and the step."""
    for case in battery(app_data).values():
        made = storage_factory()
        await case(await made if isinstance(made, Awaitable) else made)
