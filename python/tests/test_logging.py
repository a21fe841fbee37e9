"""What an operator should see goes to ``logging.getLogger("sessionkeeper")``: callback
timeouts here (stale Redis index entries and PostgreSQL schema creation in
adapters/test_adapter_logging.py) - never an id, a shop or a token."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from sessionkeeper import CallbackTimeoutError, CustomSessionStorage, Session


async def test_a_callback_timeout_is_logged_without_the_id(caplog: pytest.LogCaptureFixture) -> None:
    async def hang(arg: Any) -> Any:
        await asyncio.sleep(10)

    storage = CustomSessionStorage(hang, hang, hang, timeout=0.05)
    with caplog.at_level(logging.WARNING, logger="sessionkeeper"):
        with pytest.raises(CallbackTimeoutError):
            await storage.store_session(Session("secret-id-123", access_token="shpat_secret"))
    records = [r for r in caplog.records if r.name == "sessionkeeper"]
    assert len(records) == 1 and records[0].levelno == logging.WARNING
    text = records[0].getMessage()
    assert "store callback timed out" in text
    assert "secret-id" not in text and "shpat" not in text


def test_the_logger_is_quiet_by_default() -> None:
    logger = logging.getLogger("sessionkeeper")
    assert logger.level == logging.NOTSET and not logger.handlers, "the app configures logging"
