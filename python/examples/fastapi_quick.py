"""Sessions in a FastAPI app: the four lines marked (1)-(4), then a ``Session`` parameter in
any path operation. Run: python fastapi_quick.py"""

import asyncio
import os

import httpx
from fastapi import FastAPI

from sessionkeeper import MemorySessionStorage, SessionManager  # (1)
from sessionkeeper.fastapi import Session
from sessionkeeper.starlette import SessionMiddleware  # (2)

app = FastAPI()
manager = SessionManager(MemorySessionStorage(), secrets=[os.environ.get("SESSION_SECRET", "change-me-to-32-or-more-random-bytes!!")])  # (3)
app.add_middleware(SessionMiddleware, manager=manager)  # (4): committed before the headers go out


@app.get("/")
async def home(session: Session) -> str:  # or request.session, Starlette's way
    session["visits"] = session.get("visits", 0) + 1
    return f"visit {session['visits']}"


async def main() -> None:
    """Two requests through the app, the second with the cookie of the first."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        first, second = (await client.get("/")).json(), (await client.get("/")).json()
    print(first, "/", second)


asyncio.run(main())
