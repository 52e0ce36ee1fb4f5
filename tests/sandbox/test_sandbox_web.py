"""The browser web chat: the page, its assets and the control endpoints it relies on."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest

from sandbox.client import SandboxClient
from sandbox.server import Sandbox

USER = 1004
GROUP = -2001
TESTIDS = [
    "user-picker",
    "chat-list",
    "message-list",
    "message-input",
    "send-button",
    "command-menu",
    "command-menu-button",
    "reply-keyboard",
    "toast",
]


async def test_page_and_assets_are_served(sandbox: Sandbox) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(sandbox.base_url + "/") as r:
            assert r.status == 200
            assert r.headers["Content-Type"] == "text/html; charset=utf-8"
            html = await r.text()
        assert '<meta charset="utf-8">' in html
        assert 'name="viewport"' in html
        assert "办公助手" in html
        for testid in TESTIDS:
            assert f'data-testid="{testid}"' in html, testid
        assets = re.findall(r'(?:href|src)="(/web/[^"]+)"', html)
        assert sorted(assets) == ["/web/app.css", "/web/app.js"]
        for path in assets:
            async with http.get(sandbox.base_url + path) as r:
                assert r.status == 200, path
                assert r.headers["Content-Type"].endswith("charset=utf-8")
                body = await r.text()
                assert body.strip()
        async with http.get(sandbox.base_url + "/web/app.css") as r:
            css = await r.text()
        assert "PingFang SC" in css and "Noto Sans CJK SC" in css
        assert "@media (max-width: 700px)" in css
        async with http.get(sandbox.base_url + "/web/app.js") as r:
            js = await r.text()
        for testid in ("message", "inline-button", "chat-item", "command-item", "reply-button"):
            assert f'"data-testid": "{testid}"' in js, testid
        # no HTML injection path: bot text is only ever set as text nodes
        assert "innerHTML" not in js
        for bad in ("/web/../server.py", "/web/missing.js", "/web/.hidden.js"):
            async with http.get(sandbox.base_url + bad) as r:
                assert r.status == 404, bad


async def test_endpoints_used_by_the_page(sandbox: Sandbox, client: SandboxClient) -> None:
    await client.add_user(USER, "刘工", "liu")
    await client.add_user(1001, "王管理")
    await client.add_chat(GROUP, "group", "党政办工作群", members=[USER, 1001])
    await client.add_chat(-2002, "group", "领导舆情群", members=[1001])
    assert [u["first_name"] for u in await client.users()] == ["刘工", "王管理"]
    chats = await client.chats(USER)
    assert [(c["id"], c["type"]) for c in chats] == [(USER, "private"), (GROUP, "group")]
    assert {c["id"] for c in await client.chats(1001)} == {1001, GROUP, -2002}

    async with aiohttp.ClientSession() as http:
        url = sandbox.base_url + "/sandbox/chat-state"
        async with http.get(url, params={"chat_id": USER}) as r:
            state = await r.json()
        assert state["messages"] == []
        version = state["version"]

        async def waiting() -> dict[str, object]:
            params = {"chat_id": USER, "version": version, "wait": 3}
            async with http.get(url, params=params) as r:
                return await r.json()  # type: ignore[no-any-return]

        task = asyncio.create_task(waiting())
        await asyncio.sleep(0.1)
        assert not task.done()
        await client.send_message(USER, USER, "/start")
        changed = await asyncio.wait_for(task, 2)
        assert changed["version"] != version
        assert [m["text"] for m in changed["messages"]] == ["/start"]  # type: ignore[index]

        form = aiohttp.FormData()
        form.add_field("chat_id", str(USER))
        form.add_field("from_id", str(USER))
        form.add_field("caption", "附件")
        form.add_field("document", b"%PDF-1.4", filename="会议纪要.pdf")
        async with http.post(sandbox.base_url + "/sandbox/documents", data=form) as r:
            assert r.status == 200
            up = await r.json()
        async with http.get(sandbox.base_url + f"/sandbox/files/{up['file_id']}") as r:
            assert await r.read() == b"%PDF-1.4"
            assert "filename*=UTF-8''" in r.headers["Content-Disposition"]


@pytest.mark.parametrize("path", ["/sandbox/users", "/sandbox/info"])
async def test_json_is_utf8(sandbox: Sandbox, client: SandboxClient, path: str) -> None:
    await client.add_user(USER, "刘工")
    async with aiohttp.ClientSession() as http:
        async with http.get(sandbox.base_url + path) as r:
            raw = await r.read()
    assert "charset=utf-8" in r.headers["Content-Type"]
    if path == "/sandbox/users":
        assert "刘工".encode() in raw


async def test_standalone_roster(spec_path: object) -> None:
    from sandbox.__main__ import seed_roster

    sb = Sandbox(spec_path)  # type: ignore[arg-type]
    seed_roster(sb)
    await sb.start()
    try:
        async with SandboxClient(sb.base_url) as c:
            assert len(await c.users()) == 5
            assert [ch["id"] for ch in await c.chats(1002)] == [1002, -2001, -2002]
    finally:
        await sb.stop()
