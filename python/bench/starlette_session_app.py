"""The load bench's baseline: the routes of examples/fastapi_app.py on Starlette's own
SessionMiddleware (the session signed into the cookie with itsdangerous, no server state).
Started by js/bench/glue.js."""

from __future__ import annotations

import html
import os
import socket
from typing import Any

import uvicorn
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.middleware.sessions import SessionMiddleware


def page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1>{body}<p><small>served by FastAPI</small></p></body></html>"
    )


app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key=os.environ["SESSION_SECRET"], session_cookie="sid", max_age=1800)


@app.get("/")
async def home(request: Request) -> HTMLResponse:
    user = request.session.get("user")
    if user is None:
        return page("Sign in", '<form method="post" action="/login"></form>')
    return page(f"Hello, {html.escape(user)}", '<p><a href="/counter">Counter</a></p>')


@app.post("/login")
async def login(request: Request, name: str = Form("")) -> Any:
    request.session.clear()  # Starlette's cookie sessions have no id to move
    request.session["user"] = name.strip()[:64]
    return RedirectResponse("/", status_code=303)


@app.get("/counter")
async def counter(request: Request) -> HTMLResponse:
    request.session["visits"] = int(request.session.get("visits", 0)) + 1
    user = html.escape(request.session.get("user", "anonymous"))
    return page(f"Visits: {request.session['visits']}", f"<p>{user}</p>")


if __name__ == "__main__":
    sock = socket.create_server(("127.0.0.1", int(os.environ.get("PORT", "8001"))))
    # Accepted connections inherit this: without it, a response's head and body wait on Nagle's
    # algorithm and the client's delayed ACK (40 ms per request on Linux).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]} (sessions in cookie)", flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
