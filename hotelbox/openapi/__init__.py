"""The published OpenAPI descriptions of the relay's and the box's HTTP APIs (served at
``/openapi.yaml`` by each, checked against the running servers by schemathesis in the tests)."""

from __future__ import annotations

import functools
from importlib import resources

from aiohttp import web
from aiohttp.typedefs import Handler


@functools.cache
def document(name: str) -> bytes:
    return (resources.files("hotelbox.openapi") / f"{name}.yaml").read_bytes()


def handler(name: str) -> Handler:
    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=document(name), content_type="application/yaml")

    return serve
