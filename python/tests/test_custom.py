"""CustomSessionStorage's callback contract: failures, timeouts, result validation, the
delete fallback, where callbacks run, and several event loops."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from helpers import dict_storage
from sessionkeeper import (
    CallbackFailedError,
    CallbackTimeoutError,
    CustomSessionStorage,
    InvalidArgumentError,
    InvalidCallbackResultError,
    InvalidSessionError,
    NotSupportedError,
    Session,
    SessionStorageError,
)

SESSION = Session("id-1", shop="shop.myshopify.com", access_token="shpat_secret")


class StoreDown(Exception):
    """Stands in for a driver's error."""

    code = "EDB"


def returning(value: Any, *, is_async: bool = True) -> Any:
    if not is_async:
        return lambda arg: value

    async def callback(arg: Any) -> Any:
        return value

    return callback


def raising(error: BaseException, *, is_async: bool = True) -> Any:
    def sync(arg: Any) -> Any:
        raise error

    async def callback(arg: Any) -> Any:
        raise error

    return callback if is_async else sync


def storage(**callbacks: Any) -> CustomSessionStorage:
    store = callbacks.pop("store", returning(True))
    load = callbacks.pop("load", returning(None))
    delete = callbacks.pop("delete", returning(True))
    return CustomSessionStorage(store, load, delete, **callbacks)


@pytest.mark.parametrize("is_async", [True, False], ids=["async", "sync"])
async def test_a_raising_callback_is_callback_failed_with_the_cause(is_async: bool) -> None:
    original = StoreDown("Failed to store!")
    s = storage(
        store=raising(original, is_async=is_async),
        load=raising(original, is_async=is_async),
        delete=raising(original, is_async=is_async),
        delete_sessions=raising(original, is_async=is_async),
        find_sessions_by_shop=raising(original, is_async=is_async),
    )
    calls = [
        (s.store_session(SESSION), 'failed to store session "id-1": Failed to store!'),
        (s.load_session("id-1"), 'failed to load session "id-1": Failed to store!'),
        (s.delete_session("id-1"), 'failed to delete session "id-1": Failed to store!'),
        (s.delete_sessions(["a", "b"]), 'failed to delete sessions ["a", "b"]: Failed to store!'),
        (s.find_sessions_by_shop("x.myshopify.com"), 'failed to find sessions of shop "x.myshopify.com"'),
    ]
    for call, message in calls:
        with pytest.raises(CallbackFailedError) as info:
            await call
        assert info.value.code == "CALLBACK_FAILED"
        assert message in str(info.value)
        assert info.value.__cause__ is original
        assert "shpat_secret" not in str(info.value)


async def test_an_exception_without_message_is_named_by_its_type() -> None:
    with pytest.raises(CallbackFailedError, match=r'"id-1": KeyError'):
        await storage(load=raising(KeyError())).load_session("id-1")


async def test_cancellation_and_keyboard_interrupts_are_not_wrapped() -> None:
    with pytest.raises(asyncio.CancelledError):
        await storage(load=raising(asyncio.CancelledError())).load_session("id-1")


async def test_a_hanging_callback_times_out_and_the_storage_keeps_working() -> None:
    hang = asyncio.Event()
    calls = 0

    async def load(id: str) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            await hang.wait()
        return SESSION.to_json()

    s = storage(load=load, timeout=0.05)
    with pytest.raises(CallbackTimeoutError) as info:
        await s.load_session("id-1")
    assert info.value.code == "CALLBACK_TIMEOUT" and isinstance(info.value, TimeoutError)
    assert 'failed to load session "id-1": the load callback did not settle within 0.05 s' == str(info.value)
    assert await s.load_session("id-1") == SESSION


async def test_a_callbacks_own_timeout_error_is_a_failure_not_our_timeout() -> None:
    original = TimeoutError("redis read timed out")
    with pytest.raises(CallbackFailedError) as info:
        await storage(load=raising(original), timeout=5).load_session("id-1")
    assert info.value.__cause__ is original


@pytest.mark.parametrize("timeout", [None, 0])
async def test_timeout_none_or_zero_disables_it(timeout: float | None) -> None:
    async def slow(id: str) -> Any:
        await asyncio.sleep(0.01)
        return None

    assert await storage(load=slow, timeout=timeout).load_session("id-1") is None


@pytest.mark.parametrize("timeout", [-1, float("nan"), float("inf"), "10", True])
def test_bad_timeouts_are_invalid_arguments(timeout: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="timeout"):
        storage(timeout=timeout)


@pytest.mark.parametrize("name", ["store", "load", "delete", "delete_sessions", "find_sessions_by_shop"])
def test_callbacks_must_be_callable(name: str) -> None:
    with pytest.raises(InvalidArgumentError, match=name):
        storage(**{name: "not callable"})


@pytest.mark.parametrize("value", ["yes", 1, None, SESSION])
async def test_boolean_callbacks_must_return_booleans(value: Any) -> None:
    s = storage(
        store=returning(value),
        delete=returning(value),
        delete_sessions=returning(value),
    )
    for call, name in [
        (s.store_session(SESSION), "store"),
        (s.delete_session("id-1"), "delete"),
        (s.delete_sessions(["a"]), "delete_sessions"),
    ]:
        with pytest.raises(InvalidCallbackResultError, match=f"{name} callback must return True or False"):
            await call


async def test_false_is_passed_on() -> None:
    s = storage(store=returning(False), delete=returning(False), delete_sessions=returning(False))
    assert await s.store_session(SESSION) is False
    assert await s.delete_session("id-1") is False
    assert await s.delete_sessions(["a"]) is False


@pytest.mark.parametrize(
    ("value", "mentions"),
    [
        ('{"id":"other"}', 'id "other" for id "id-1"'),
        ({"id": "other"}, 'id "other" for id "id-1"'),
        (Session("other"), 'id "other" for id "id-1"'),
        ([["id", "other"]], 'id "other" for id "id-1"'),
        ('{"id":"id-1","isOnline":"maybe"}', "is_online"),
        ({"id": "id-1", "expires": "soon"}, "expires"),
        ({"id": "id-1", "expires": __import__("datetime").datetime(2030, 1, 1)}, "timezone-aware"),
        (42, "got a value of type int"),
        (True, "got True"),
        (b"\xff\xfe", "not UTF-8"),
        ("not json", "not valid JSON"),
    ],
)
async def test_load_results_are_validated(value: Any, mentions: str) -> None:
    with pytest.raises(InvalidSessionError) as info:
        await storage(load=returning(value)).load_session("id-1")
    assert info.value.code == "INVALID_SESSION"
    assert mentions in str(info.value)
    assert str(info.value).startswith("load callback")


async def test_a_loaded_session_is_a_copy() -> None:
    mine = Session("id-1", shop="a.myshopify.com")
    s = storage(load=returning(mine))
    loaded = await s.load_session("id-1")
    assert loaded == mine and loaded is not mine
    assert loaded is not None
    loaded.shop = "b.myshopify.com"
    assert mine.shop == "a.myshopify.com"


async def test_the_store_callback_gets_a_snapshot() -> None:
    seen: list[Session] = []

    async def store(s: Session) -> bool:
        await asyncio.sleep(0)
        seen.append(s)
        return True

    mine = Session("id-1", shop="a.myshopify.com")
    pending = asyncio.ensure_future(storage(store=store).store_session(mine))
    await asyncio.sleep(0)
    mine.shop = "changed.myshopify.com"
    assert await pending is True
    assert seen[0].shop == "a.myshopify.com" and isinstance(seen[0], Session)
    assert await storage(store=store).store_session({"id": "from-dict"}) is True
    assert isinstance(seen[1], Session) and seen[1].id == "from-dict"


async def test_find_without_its_callback_is_not_supported() -> None:
    with pytest.raises(NotSupportedError) as info:
        await storage().find_sessions_by_shop("shop.myshopify.com")
    assert info.value.code == "NOT_SUPPORTED" and "find_sessions_by_shop needs a find_sessions_by_shop callback" in str(info.value)


@pytest.mark.parametrize("value", [None, "[]", {"id": "x"}, 3])
async def test_find_must_return_a_list(value: Any) -> None:
    with pytest.raises(InvalidCallbackResultError, match="find_sessions_by_shop callback must return a list"):
        await storage(find_sessions_by_shop=returning(value)).find_sessions_by_shop("s.myshopify.com")


async def test_find_items_are_validated() -> None:
    good = Session("a", shop="s.myshopify.com")
    other = Session("b", shop="other.myshopify.com")
    found = await storage(find_sessions_by_shop=returning((good.to_json(), good.to_dict(), good))).find_sessions_by_shop(
        "s.myshopify.com"
    )
    assert found == [good, good, good]
    for items, mentions in [
        ([good, other], 'shop "other.myshopify.com" for shop "s.myshopify.com" (at index 1)'),
        ([good, None], "returned None at index 1"),
        ([{"id": "x", "shop": "s.myshopify.com", "isOnline": "maybe"}], "(at index 0)"),
        ([{"id": "x", "shop": "s.myshopify.com", "data": {"s": {1}}}], "(at index 0)"),
    ]:
        with pytest.raises(InvalidSessionError) as info:
            await storage(find_sessions_by_shop=returning(items)).find_sessions_by_shop("s.myshopify.com")
        assert mentions in str(info.value)


async def test_delete_sessions_falls_back_to_delete_per_id() -> None:
    deleted: list[str] = []

    async def delete(id: str) -> bool:
        deleted.append(id)
        return id != "keep"

    s = storage(delete=delete)
    ids = [f"id-{i}" for i in range(20)] + ["id-3"]
    assert await s.delete_sessions(ids) is True
    assert sorted(deleted) == sorted(set(ids)), "each id once"
    assert await s.delete_sessions(["a", "keep", "b"]) is False, "True only if every delete was"
    deleted.clear()
    assert await s.delete_sessions([]) is True and deleted == []


async def test_a_failing_delete_in_the_fallback_fails_the_call() -> None:
    async def delete(id: str) -> bool:
        if id == "bad":
            raise StoreDown("nope")
        return True

    with pytest.raises(CallbackFailedError, match='"bad": nope'):
        await storage(delete=delete).delete_sessions(["a", "bad", "c"])


async def test_the_delete_sessions_callback_gets_the_ids() -> None:
    got: list[list[str]] = []

    def delete_sessions(ids: list[str]) -> bool:
        got.append(ids)
        return True

    assert await storage(delete_sessions=delete_sessions).delete_sessions(("a", "b")) is True
    assert got == [["a", "b"]]


async def test_plain_functions_run_on_the_event_loop_thread() -> None:
    loop_thread = threading.get_ident()
    threads: list[int] = []

    def record(result: Any) -> Any:
        def callback(arg: Any) -> Any:
            threads.append(threading.get_ident())
            asyncio.get_running_loop()  # raises off the loop thread
            return result

        return callback

    s = CustomSessionStorage(
        record(True), record(SESSION.to_json()), record(True), find_sessions_by_shop=record([])
    )
    await s.store_session(SESSION)
    await s.load_session("id-1")
    await s.delete_session("id-1")
    await s.delete_sessions(["a", "b"])
    await s.find_sessions_by_shop("shop.myshopify.com")
    assert threads and all(t == loop_thread for t in threads)


def test_one_storage_works_across_several_event_loops() -> None:
    s = dict_storage("text", timeout=1.0)

    async def round_trip(n: int) -> None:
        session = Session(f"loop-{n}", shop="loops.myshopify.com")
        assert await s.store_session(session) is True
        assert await s.load_session(session.id) == session

    for n in range(3):
        asyncio.run(round_trip(n))

    async def count() -> int:
        return len(await s.find_sessions_by_shop("loops.myshopify.com"))

    assert asyncio.run(count()) == 3


async def test_contextvars_of_the_caller_reach_the_callback() -> None:
    import contextvars

    request = contextvars.ContextVar("request", default="")
    seen: list[str] = []

    async def load(id: str) -> Any:
        seen.append(request.get())
        return None

    request.set("req-42")
    await storage(load=load).load_session("id-1")
    assert seen == ["req-42"]


async def test_errors_are_one_class_with_codes() -> None:
    with pytest.raises(SessionStorageError):
        await storage().load_session("")


async def test_deadlines_of_concurrent_calls_are_independent() -> None:
    forever = asyncio.Event()

    async def load(id: str) -> Any:
        if id.startswith("hang"):
            await forever.wait()
        return Session(id).to_json()

    s = storage(load=load, timeout=0.05)
    ids = [f"hang-{i}" for i in range(5)] + [f"fast-{i}" for i in range(5)]
    results = await asyncio.gather(*(s.load_session(id) for id in ids), return_exceptions=True)
    for id, result in zip(ids, results):
        if id.startswith("hang"):
            assert isinstance(result, CallbackTimeoutError), result
        else:
            assert isinstance(result, Session) and result.id == id


async def test_a_later_call_gets_its_own_full_timeout() -> None:
    forever = asyncio.Event()

    async def load(id: str) -> Any:
        if id == "late":
            await forever.wait()
        return None

    s = storage(load=load, timeout=0.1)
    assert await s.load_session("early") is None  # arms the timer at its own deadline
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(CallbackTimeoutError):
        await s.load_session("late")
    assert loop.time() - started >= 0.1, "not cut short by the first call's deadline"


async def test_cancelling_the_caller_is_a_cancellation_not_a_timeout() -> None:
    entered = asyncio.Event()

    async def load(id: str) -> Any:
        entered.set()
        await asyncio.Event().wait()

    task = asyncio.ensure_future(storage(load=load, timeout=10).load_session("id-1"))
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_callback_that_swallows_the_timeout_still_times_out_and_leaves_the_task_usable() -> None:
    """Its result came after the deadline: a timeout, as in Node, where a late result is dropped."""

    async def stubborn(id: str) -> Any:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            return None
        return None

    with pytest.raises(CallbackTimeoutError):
        await storage(load=stubborn, timeout=0.02).load_session("id-1")
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0
    await asyncio.sleep(0)  # would raise CancelledError if a cancel request were left over


async def test_an_error_raised_after_the_timeout_is_the_timeout() -> None:
    async def late(id: str) -> Any:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise StoreDown("cleanup failed") from None

    with pytest.raises(CallbackTimeoutError) as info:
        await storage(load=late, timeout=0.02).load_session("id-1")
    assert info.value.__cause__ is None, "the late error is not the caller's, as in Node"


def test_deadlines_work_on_every_loop_the_storage_sees() -> None:
    async def hang(id: str) -> Any:
        await asyncio.Event().wait()

    s = storage(load=hang, timeout=0.02)

    async def once() -> str:
        try:
            await s.load_session("id-1")
        except CallbackTimeoutError as error:
            return error.code
        return "no timeout"

    assert [asyncio.run(once()) for _ in range(3)] == ["CALLBACK_TIMEOUT"] * 3


def test_a_storage_does_not_keep_finished_event_loops_alive() -> None:
    import gc
    import weakref

    s = storage(load=returning(None), timeout=5)
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def once() -> None:
        loops.append(weakref.ref(asyncio.get_running_loop()))
        await s.load_session("id-1")

    for _ in range(3):
        asyncio.run(once())
    gc.collect()
    assert all(ref() is None for ref in loops)
