"""The sandbox web chat in a real browser: what a newcomer sees when trying `officebot sandbox`."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import IN_CI
from tests.web.conftest import PHONE, Demo

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - depends on the machine
    if IN_CI:
        raise
    pytest.skip("playwright is not installed (pip install playwright; never `playwright install`)",
                allow_module_level=True)

STAFF, LEADER, OFFICE, HEAD = 1004, 1002, 1003, 1005
OFFICE_GROUP = -2001
OFFICE_TZ = ZoneInfo("Asia/Shanghai")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "webchat.png"


#: The booking card's confirm button: 确认预订, or 仍然预订（休息日） when the day is a weekend
#: or a holiday (the real clock may put tomorrow there, issue 17).
CONFIRM = re.compile("确认预订|仍然预订")

def _stored(value: Any) -> datetime:
    """A datetime column as the database gives it (SQLite text or a driver's datetime)."""
    found = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def send(page: Any, text: str) -> int:
    """Type a message in the composer and send it with Enter; return the last id before it."""
    before = last_message_id(page)
    box = page.get_by_test_id("message-input")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")
    return before


def last_message_id(page: Any) -> int:
    return int(page.evaluate(
        """() => Math.max(0, ...Array.from(document.querySelectorAll('[data-testid=message]'),
                                           (m) => Number(m.dataset.messageId)))"""
    ))


def bot_message(page: Any, contains: str, after: int = 0) -> Any:
    """The first bot message after `after` showing this text, pinned by id (survives edits)."""
    handle = page.wait_for_function(
        """([text, after]) => {
            const found = Array.from(document.querySelectorAll(
                '[data-testid=message][data-from=bot]')).find(
                (m) => Number(m.dataset.messageId) > after && m.textContent.includes(text));
            return found ? found.dataset.messageId : null;
        }""",
        arg=[contains, after],
    )
    return by_id(page, handle.json_value())


def by_id(page: Any, message_id: str | None) -> Any:
    assert message_id
    return page.locator(f'[data-testid="message"][data-message-id="{message_id}"]')


def glyphs_render(page: Any, first: str, second: str) -> bool:
    """Whether two different characters draw as different, non-empty glyphs in the page's font.

    A missing font draws every character as the same box (tofu), or draws nothing.
    """
    return bool(page.evaluate(
        """([a, b]) => {
            const text = document.querySelector('[data-testid=message-text]');
            const font = getComputedStyle(text).font;
            const draw = (ch) => {
                const c = document.createElement('canvas');
                c.width = c.height = 40;
                const g = c.getContext('2d');
                g.font = font.replace(/\\d+px/, '32px');
                g.fillText(ch, 2, 32);
                return Array.from(g.getImageData(0, 0, 40, 40).data).join(',');
            };
            const [x, y] = [draw(a), draw(b)];
            return x !== y && /[1-9]/.test(x) && /[1-9]/.test(y);
        }""",
        [first, second],
    ))


def no_horizontal_overflow(page: Any) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, f"page is {width}px wide in a {inner}px viewport"


def test_start_and_help_show_chinese_text_on_a_phone(demo: Demo, open_page: Any) -> None:
    page = open_page(STAFF, STAFF, viewport=PHONE)
    expect(page.get_by_test_id("chat-title")).to_have_text("办公助手")
    welcome = bot_message(page, "您好，刘工！", send(page, "/start"))
    expect(welcome.get_by_test_id("message-text")).to_contain_text("您的身份：职工（规划建设局）")
    assert glyphs_render(page, "会", "议"), "Chinese characters render as empty boxes"
    keyboard = page.get_by_test_id("reply-keyboard")
    expect(keyboard).to_be_visible()
    expect(keyboard.get_by_test_id("reply-button").first).to_have_text("帮助")

    before = last_message_id(page)
    page.get_by_test_id("command-menu-button").click()
    menu = page.get_by_test_id("command-menu")
    expect(menu).to_be_visible()
    # The menu is shown in full: it takes the keyboard's place, not two lines above it.
    expect(keyboard).to_be_hidden()
    height, item, count = page.evaluate("""() => {
        const menu = document.querySelector('[data-testid="command-menu"]');
        const item = menu.querySelector('[data-testid="command-item"]');
        return [menu.clientHeight, item.offsetHeight, menu.children.length];
    }""")
    assert height >= min(count, 10) * item - 2, (height, item, count)
    menu.locator('[data-testid="command-item"][data-command="help"]').click()
    expect(keyboard).to_be_visible()
    help_text = bot_message(page, "/lang", before)
    expect(help_text).to_contain_text("/lang")
    no_horizontal_overflow(page)

    before = last_message_id(page)  # the shortcut keyboard sends its label as a message
    keyboard.get_by_test_id("reply-button").filter(has_text="帮助").click()
    mine = page.locator('[data-testid="message"][data-from="user"]').last
    expect(mine.get_by_test_id("message-text")).to_have_text("帮助")
    expect(bot_message(page, "/lang", before)).to_contain_text("/help")

    page.get_by_test_id("back-button").click()
    chats = page.get_by_test_id("chat-item")
    expect(chats).to_have_count(2)
    expect(page.get_by_test_id("chat-list")).to_contain_text("党政办工作群")
    no_horizontal_overflow(page)


def test_lang_card_is_edited_in_place_when_a_language_is_pressed(
    demo: Demo, open_page: Any
) -> None:
    page = open_page(HEAD, HEAD)
    card = bot_message(page, "请选择语言", send(page, "/lang"))
    message_id = card.get_attribute("data-message-id")
    card.get_by_test_id("inline-button").filter(has_text="English").click()
    edited = by_id(page, message_id)
    expect(edited).to_have_attribute("data-edited", "true")
    expect(edited.get_by_test_id("message-text")).to_have_text("Switched to English.")
    expect(edited.get_by_test_id("inline-button")).to_have_count(0)
    assert demo.rows("SELECT lang FROM staff WHERE tg_user_id = ?", HEAD) == [{"lang": "en"}]

    again = bot_message(page, "Choose a language", send(page, "/lang"))
    again.get_by_test_id("inline-button").filter(has_text="中文").click()
    expect(again).to_have_attribute("data-edited", "true")
    expect(again.get_by_test_id("message-text")).to_have_text("已切换为中文。")
    assert demo.rows("SELECT lang FROM staff WHERE tg_user_id = ?", HEAD) == [{"lang": "zh_CN"}]


def test_group_messages_of_others_arrive_without_reloading(demo: Demo, open_page: Any) -> None:
    page = open_page(STAFF, OFFICE_GROUP)
    expect(page.get_by_test_id("chat-title")).to_have_text("党政办工作群")
    page.evaluate("window.__notReloaded = true")
    demo.api("/sandbox/messages", {"chat_id": OFFICE_GROUP, "from_id": OFFICE,
                                    "text": "下午三点在三楼开会，请准时参加"})
    arrived = page.locator('[data-testid="message"][data-from="user"]').filter(
        has_text="下午三点在三楼开会")
    expect(arrived).to_be_visible()
    expect(arrived).to_contain_text("张秘书")  # groups name the sender
    assert page.evaluate("window.__notReloaded") is True


def test_leader_approves_a_pending_reception_with_its_button_and_the_card_is_edited(
    demo: Demo, open_page: Any
) -> None:
    pending = demo.rows(
        "SELECT r.id, r.status FROM approval_request r WHERE r.kind = 'reception'")
    assert pending == [{"id": pending[0]["id"], "status": "pending"}]
    office = open_page(OFFICE, OFFICE)  # the requester watches their chat while the leader decides
    expect(office.get_by_test_id("message-input")).to_be_visible()
    office.evaluate("window.__notReloaded = true")

    leader = open_page(LEADER, LEADER, viewport=PHONE)
    expect(leader.get_by_test_id("message").first).to_be_visible()
    # no reply keyboard was sent to this chat: neither it nor its toggle takes any room
    expect(leader.get_by_test_id("reply-keyboard")).to_be_hidden()
    expect(leader.get_by_test_id("keyboard-toggle")).to_be_hidden()
    before = send(leader, "/pending")
    # The demo also holds documents waiting for the leader's reading (issue 14).
    summary = bot_message(leader, "待您审批的事项共", before)
    card = bot_message(leader, "来访单位：省工业和信息化厅", int(summary.get_attribute(
        "data-message-id") or 0))
    expect(card).to_contain_text("当前环节")
    expect(card).to_contain_text("领导审批")
    expect(card.get_by_test_id("inline-button")).to_have_text(["同意", "驳回", "转交", "加签"])
    card.get_by_test_id("inline-button").filter(has_text="同意").click()

    expect(leader.get_by_test_id("toast")).to_contain_text("已同意公务接待计划")
    expect(card).to_have_attribute("data-edited", "true")
    expect(card.get_by_test_id("message-text")).to_contain_text("✅ 已同意（李主任")
    expect(card.get_by_test_id("inline-button")).to_have_count(0)
    no_horizontal_overflow(leader)
    assert demo.rows("SELECT status FROM approval_request WHERE id = ?", pending[0]["id"]) == [
        {"status": "approved"}]
    assert demo.rows("SELECT status FROM reception WHERE unit = ?", "省工业和信息化厅") == [
        {"status": "approved"}]

    # the requester's page shows the outcome as it arrives, with no reload, once: the
    # reception's own message (the approvals engine no longer sends a second one, issue 17)
    expect(bot_message(office, "已批准：")).to_contain_text("省工业和信息化厅")
    assert office.evaluate("window.__notReloaded") is True


def test_reception_ledger_downloads_as_an_xlsx_that_opens(
    demo: Demo, open_page: Any, tmp_path: Any
) -> None:
    import openpyxl

    page = open_page(OFFICE, OFFICE)
    listing = bot_message(page, "近期公务接待", send(page, "/receptions"))
    listing.get_by_test_id("inline-button").filter(has_text="导出本年台账").click()
    document = page.locator('[data-testid="message"][data-from="bot"]').get_by_test_id(
        "message-document").last
    expect(document).to_be_visible()
    name = document.get_attribute("download")
    assert name and name.endswith(".xlsx")
    with page.expect_download() as info:
        document.click()
    saved = tmp_path / name
    info.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    book = openpyxl.load_workbook(saved, read_only=True)
    cells = {str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
             for v in row if v is not None}
    # The demo's receptions lie around the day it runs: the ledger holds this year's.
    year = datetime.now(OFFICE_TZ).year
    this_year = {
        r["unit"] for r in demo.rows("SELECT unit, start FROM reception")
        if _stored(r["start"]).astimezone(OFFICE_TZ).year == year
    }
    assert this_year and this_year <= cells
    assert not ({"市生态环境局", "省工业和信息化厅"} - this_year) & cells


def test_staff_books_a_room_in_plain_chinese_and_confirms_with_one_booking_made(
    demo: Demo, open_page: Any, tmp_path: Path
) -> None:
    page = open_page(STAFF, STAFF)
    bot_message(page, "您好，刘工！", send(page, "/start"))
    card = bot_message(page, "会议室预订", send(page, "明天下午3点到5点 1号会议室 项目评审"))
    tomorrow = datetime.now(OFFICE_TZ).date() + timedelta(days=1)
    text = card.get_by_test_id("message-text")
    expect(text).to_contain_text(f"{tomorrow.month}月{tomorrow.day}日")
    expect(text).to_contain_text("15:00–17:00")
    expect(text).to_contain_text("会议室：1号会议室")
    expect(text).to_contain_text("主题：项目评审")
    confirm = card.get_by_test_id("inline-button").filter(has_text=CONFIRM)
    expect(confirm).to_be_visible()
    assert glyphs_render(page, "预", "定")
    if os.environ.get("OFFICEBOT_UPDATE_SCREENSHOT") == "1":
        save_screenshot(page, tmp_path)

    confirm.dblclick()  # a careless double click books once
    expect(card).to_have_attribute("data-edited", "true")
    expect(card.get_by_test_id("message-text")).to_contain_text("✅ 已预订：1号会议室")
    # the confirm button is gone; what is left is the new booking's meeting notice
    expect(card.get_by_test_id("inline-button")).to_have_text(["📣 发会议通知"])
    expect(page.get_by_test_id("toast")).to_be_visible()
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 15, tzinfo=OFFICE_TZ)
    rows = demo.rows(
        "SELECT b.title, b.status, b.start_at, b.end_at FROM room_booking b "
        "JOIN room r ON r.id = b.room_id JOIN staff s ON s.id = b.organiser_id "
        "WHERE r.name = ? AND s.tg_user_id = ?", "1号会议室", STAFF)
    assert [(r["title"], r["status"]) for r in rows] == [("项目评审", "confirmed")]
    assert as_utc(rows[0]["start_at"]) == start.astimezone(UTC)
    assert as_utc(rows[0]["end_at"]) == (start + timedelta(hours=2)).astimezone(UTC)


def as_utc(value: Any) -> datetime:
    """A stored time (text on SQLite, a datetime on PostgreSQL) as aware UTC."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed.astimezone(UTC)


def save_screenshot(page: Any, tmp_path: Path) -> None:
    """Save the page as the README's screenshot (kept small: a PNG under 300 KB)."""
    page.get_by_test_id("message-input").fill("")
    page.mouse.move(0, 0)
    shot = tmp_path / "webchat.png"
    page.screenshot(path=str(shot))
    size = shot.stat().st_size
    assert size < 300_000, f"screenshot is {size} bytes"
    SCREENSHOT.write_bytes(shot.read_bytes())


def test_someone_elses_booking_button_in_a_group_only_says_so(
    demo: Demo, open_page: Any
) -> None:
    organiser = open_page(STAFF, OFFICE_GROUP, viewport=PHONE)
    other = open_page(HEAD, OFFICE_GROUP)
    expect(other.get_by_test_id("chat-title")).to_have_text("党政办工作群")
    before = send(organiser, "/book 明天上午9点到10点 2号会议室 周例会")
    card_id = bot_message(organiser, "主题：周例会", before).get_attribute("data-message-id")

    card = by_id(other, card_id)  # the other member sees it arrive live
    expect(card).to_contain_text("会议室：2号会议室")
    card.get_by_test_id("inline-button").filter(has_text=CONFIRM).click()
    toast = other.get_by_test_id("toast")
    expect(toast).to_have_text("这不是您的预订，不能操作。")
    expect(toast).to_have_class("toast alert")
    expect(card).to_have_attribute("data-edited", "false")
    assert demo.rows("SELECT b.id FROM room_booking b JOIN room r ON r.id = b.room_id "
                     "WHERE r.name = ?", "2号会议室") == []

    mine = by_id(organiser, card_id)
    mine.get_by_test_id("inline-button").filter(has_text=CONFIRM).click()
    expect(mine.get_by_test_id("message-text")).to_contain_text("✅ 已预订：2号会议室")
    expect(card.get_by_test_id("message-text")).to_contain_text("✅ 已预订：2号会议室")
    assert len(demo.rows("SELECT b.id FROM room_booking b JOIN room r ON r.id = b.room_id "
                         "WHERE r.name = ? AND b.status = 'confirmed'", "2号会议室")) == 1
    no_horizontal_overflow(organiser)
