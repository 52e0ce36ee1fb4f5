"""The sandbox web chat in a real browser: what a newcomer sees when trying `officebot sandbox`."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect  # noqa: E402  (skipped below when missing)

from tests.web.conftest import PHONE, Demo

STAFF, LEADER, OFFICE, HEAD = 1004, 1002, 1003, 1005
OFFICE_GROUP = -2001


def send(page: Any, text: str) -> None:
    """Type a message in the composer and send it with Enter, as a user would."""
    box = page.get_by_test_id("message-input")
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")


def bot_message(page: Any, contains: str) -> Any:
    """The last bot message showing this text, pinned by its id so that it survives edits."""
    found = page.locator('[data-testid="message"][data-from="bot"]').filter(has_text=contains).last
    expect(found).to_be_visible()
    return by_id(page, found.get_attribute("data-message-id"))


def by_id(page: Any, message_id: str | None) -> Any:
    assert message_id
    return page.locator(f'[data-testid="message"][data-message-id="{message_id}"]')


def glyphs_render(page: Any, first: str, second: str) -> bool:
    """Whether two different characters draw as different, non-empty glyphs in the page's font.

    A missing font draws every character as the same box (tofu), or draws nothing.
    """
    return bool(page.evaluate(
        """([a, b]) => {
            const font = getComputedStyle(document.querySelector('[data-testid=message-text]')).font;
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
    send(page, "/start")
    welcome = bot_message(page, "您好，刘工！")
    expect(welcome.get_by_test_id("message-text")).to_contain_text("您的身份：职工（规划建设局）")
    assert glyphs_render(page, "会", "议"), "Chinese characters render as empty boxes"
    keyboard = page.get_by_test_id("reply-keyboard")
    expect(keyboard).to_be_visible()
    expect(keyboard.get_by_test_id("reply-button").first).to_have_text("帮助")

    page.get_by_test_id("command-menu-button").click()
    menu = page.get_by_test_id("command-menu")
    expect(menu).to_be_visible()
    menu.locator('[data-testid="command-item"][data-command="help"]').click()
    help_text = bot_message(page, "/help")
    expect(help_text).to_contain_text("/lang")
    no_horizontal_overflow(page)

    page.get_by_test_id("back-button").click()
    chats = page.get_by_test_id("chat-item")
    expect(chats).to_have_count(2)
    expect(page.get_by_test_id("chat-list")).to_contain_text("党政办工作群")
    no_horizontal_overflow(page)


def test_lang_card_is_edited_in_place_when_a_language_is_pressed(
    demo: Demo, open_page: Any
) -> None:
    page = open_page(HEAD, HEAD)
    send(page, "/lang")
    card = bot_message(page, "请选择语言")
    message_id = card.get_attribute("data-message-id")
    card.get_by_test_id("inline-button").filter(has_text="English").click()
    edited = by_id(page, message_id)
    expect(edited).to_have_attribute("data-edited", "true")
    expect(edited.get_by_test_id("message-text")).to_have_text("Switched to English.")
    expect(edited.get_by_test_id("inline-button")).to_have_count(0)
    assert demo.rows("SELECT lang FROM staff WHERE tg_user_id = ?", HEAD) == [{"lang": "en"}]

    send(page, "/lang")
    again = bot_message(page, "Choose a language")
    assert again.get_attribute("data-message-id") != message_id
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
