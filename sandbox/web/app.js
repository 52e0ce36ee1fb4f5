/* The sandbox web chat: talks to the sandbox control API only (/sandbox/...). No build step. */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const els = {
    app: $("app"),
    userPicker: $("user-picker"),
    chatList: $("chat-list"),
    info: $("sandbox-info"),
    title: $("chat-title"),
    subtitle: $("chat-subtitle"),
    messages: $("message-list"),
    commandMenu: $("command-menu"),
    commandButton: $("command-menu-button"),
    replyKeyboard: $("reply-keyboard"),
    keyboardToggle: $("keyboard-toggle"),
    composer: $("composer"),
    input: $("message-input"),
    send: $("send-button"),
    file: $("file-input"),
    back: $("back-button"),
    toast: $("toast"),
  };

  const state = {
    bot: null,
    users: [],
    usersById: new Map(),
    chats: [],
    userId: null,
    chatId: null,
    version: -1,
    messages: [],
    commands: [],
    pollToken: 0,
    keyboardHidden: false,
    hiddenKeyboardFor: null,
  };

  // ------------------------------------------------------------------ http

  async function api(method, path, body) {
    const init = { method, headers: {} };
    if (body instanceof FormData) {
      init.body = body;
    } else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const resp = await fetch(path, init);
    const data = await resp.json().catch(() => null);
    if (!resp.ok) {
      const msg = data && (data.error || data.description) ? data.error || data.description : resp.statusText;
      throw new Error(msg);
    }
    return data;
  }

  const qs = (params) =>
    Object.entries(params)
      .filter(([, v]) => v !== null && v !== undefined && v !== "")
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join("&");

  // ------------------------------------------------------------------ toast

  let toastTimer = null;
  function toast(text, kind) {
    els.toast.textContent = text;
    els.toast.className = "toast" + (kind ? " " + kind : "");
    els.toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { els.toast.hidden = true; }, kind === "alert" ? 5000 : 2500);
  }
  els.toast.addEventListener("click", () => { els.toast.hidden = true; });

  // ------------------------------------------------------------------ helpers

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  function initials(name) {
    return (name || "?").trim().slice(0, 1).toUpperCase();
  }

  function userName(id) {
    if (state.bot && id === state.bot.id) return state.bot.first_name;
    const u = state.usersById.get(id);
    return u ? u.first_name : String(id);
  }

  function timeOf(unix) {
    const d = new Date(unix * 1000);
    return d.toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
  }

  function humanSize(n) {
    if (n == null) return "";
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  }

  function safeUrl(url) {
    try {
      const u = new URL(url, location.href);
      return ["http:", "https:", "mailto:", "tg:"].includes(u.protocol) ? u.href : null;
    } catch (e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ formatted text

  const ENTITY_TAGS = {
    bold: () => el("b"),
    italic: () => el("i"),
    underline: () => el("u"),
    strikethrough: () => el("s"),
    spoiler: () => el("span", { class: "spoiler", title: "点击显示", onclick: (e) => e.currentTarget.classList.toggle("revealed") }),
    code: () => el("code"),
    pre: () => el("pre"),
    blockquote: () => el("blockquote"),
    expandable_blockquote: () => el("blockquote"),
    text_link: (e) => {
      const href = safeUrl(e.url || "");
      return href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }) : el("span");
    },
    url: null, // filled in per segment below
    text_mention: () => el("b"),
    mention: () => el("span", { class: "mention" }),
    bot_command: () => el("span", { class: "bot-command" }),
    hashtag: () => el("span"),
    custom_emoji: () => el("span"),
    date_time: () => el("time"),
  };

  /** Render text with Bot API entities (UTF-16 offsets, like JS strings) as safe DOM. */
  function renderFormatted(text, entities) {
    const frag = document.createDocumentFragment();
    if (!text) return frag;
    const ents = (entities || []).filter((e) => e && e.length > 0);
    if (!ents.length) {
      frag.append(text);
      return frag;
    }
    const cuts = new Set([0, text.length]);
    for (const e of ents) {
      cuts.add(Math.max(0, Math.min(text.length, e.offset)));
      cuts.add(Math.max(0, Math.min(text.length, e.offset + e.length)));
    }
    const points = [...cuts].sort((a, b) => a - b);
    // nest segments: group consecutive segments sharing the outermost entity by rebuilding a stack
    let stack = [{ entity: null, node: frag }];
    for (let i = 0; i + 1 < points.length; i++) {
      const start = points[i];
      const end = points[i + 1];
      const active = ents
        .filter((e) => e.offset <= start && e.offset + e.length >= end)
        .sort((a, b) => a.offset - b.offset || b.length - a.length);
      // keep the common prefix of the open stack
      let keep = 1;
      while (keep < stack.length && keep - 1 < active.length && stack[keep].entity === active[keep - 1]) keep++;
      stack = stack.slice(0, keep);
      for (let j = keep - 1; j < active.length; j++) {
        const e = active[j];
        let node;
        if (e.type === "url") {
          const href = safeUrl(text.slice(e.offset, e.offset + e.length));
          node = href ? el("a", { href, target: "_blank", rel: "noopener noreferrer" }) : el("span");
        } else {
          const make = ENTITY_TAGS[e.type];
          node = make ? make(e) : el("span");
        }
        stack[stack.length - 1].node.append(node);
        stack.push({ entity: e, node });
      }
      stack[stack.length - 1].node.append(text.slice(start, end));
    }
    return frag;
  }

  // ------------------------------------------------------------------ roster

  async function loadRoster() {
    const [info, users] = await Promise.all([api("GET", "/sandbox/info"), api("GET", "/sandbox/users")]);
    state.bot = info.bot;
    state.users = users;
    state.usersById = new Map(users.map((u) => [u.id, u]));
    // spec_version already reads "Bot API 10.0"; without a schema calls are not validated
    els.info.textContent = `机器人 @${info.bot.username} · ${info.spec_version || "Bot API（未校验）"}`;
    const current = els.userPicker.value;
    els.userPicker.replaceChildren(
      el("option", { value: "", disabled: true, selected: !state.userId, text: users.length ? "选择身份…" : "（沙盒中还没有用户）" }),
      ...users.map((u) =>
        el("option", {
          value: u.id,
          "data-testid": "user-option",
          selected: String(u.id) === String(state.userId || current),
          text: `${u.first_name}${u.username ? " @" + u.username : ""} (${u.id})`,
        })
      )
    );
  }

  async function loadChats() {
    if (!state.userId) {
      els.chatList.replaceChildren();
      return;
    }
    const chats = await api("GET", "/sandbox/chats?" + qs({ user_id: state.userId }));
    state.chats = chats;
    els.chatList.replaceChildren(
      ...chats.map((c) => {
        const isPrivate = c.type === "private";
        const name = isPrivate ? (state.bot ? state.bot.first_name : "机器人") : c.title;
        return el(
          "li",
          {
            "data-testid": "chat-item",
            "data-chat-id": c.id,
            "data-chat-type": c.type,
            class: c.id === state.chatId ? "active" : "",
            onclick: () => openChat(c.id),
          },
          el("div", { class: "avatar" + (isPrivate ? "" : " group"), text: initials(name) }),
          el(
            "div",
            { class: "chat-text" },
            el("div", { class: "chat-name", text: name }),
            el("div", {
              class: "chat-kind",
              text: isPrivate ? "私聊" : `群组 · ${c.members.length} 位成员`,
            })
          )
        );
      })
    );
  }

  async function selectUser(userId, chatId) {
    state.userId = userId ? Number(userId) : null;
    state.chatId = null;
    localStorage.setItem("sandbox.user", state.userId || "");
    els.userPicker.value = state.userId ? String(state.userId) : "";
    await loadChats();
    const wanted = chatId != null ? Number(chatId) : state.userId;
    if (state.userId && state.chats.some((c) => c.id === wanted)) {
      await openChat(wanted, { keepSidebar: chatId == null && isNarrow() });
    } else {
      renderEmptyChat();
    }
  }

  function isNarrow() {
    return window.matchMedia("(max-width: 700px)").matches;
  }

  function renderEmptyChat() {
    state.messages = [];
    els.title.textContent = state.userId ? "请选择会话" : "请选择身份";
    els.subtitle.textContent = "";
    els.messages.replaceChildren(el("div", { class: "empty", text: "没有打开的会话" }));
    els.replyKeyboard.hidden = true;
    els.keyboardToggle.hidden = true;
    els.commandMenu.hidden = true;
  }

  // ------------------------------------------------------------------ chat

  async function openChat(chatId, opts) {
    state.chatId = Number(chatId);
    state.version = -1;
    state.messages = [];
    state.keyboardHidden = false;
    history.replaceState(null, "", "?" + qs({ user: state.userId, chat: state.chatId }));
    for (const li of els.chatList.children) {
      li.classList.toggle("active", Number(li.dataset.chatId) === state.chatId);
    }
    if (!(opts && opts.keepSidebar)) els.app.classList.add("in-chat");
    const chat = state.chats.find((c) => c.id === state.chatId);
    if (chat && chat.type === "private") {
      els.title.textContent = state.bot ? state.bot.first_name : "机器人";
      els.subtitle.textContent = state.bot ? "@" + state.bot.username + " · 机器人" : "机器人";
    } else if (chat) {
      els.title.textContent = chat.title;
      els.subtitle.textContent = `${chat.members.length} 位成员`;
    }
    els.commandMenu.hidden = true;
    await loadCommands();
    startPolling();
  }

  async function loadCommands() {
    if (!state.chatId || !state.userId) return;
    try {
      state.commands = await api("GET", "/sandbox/commands?" + qs({ chat_id: state.chatId, user_id: state.userId }));
    } catch (e) {
      state.commands = [];
    }
    els.commandButton.hidden = state.commands.length === 0;
  }

  function startPolling() {
    const token = ++state.pollToken;
    const chatId = state.chatId;
    (async () => {
      let failures = 0;
      while (token === state.pollToken) {
        try {
          const s = await api("GET", "/sandbox/chat-state?" + qs({ chat_id: chatId, version: state.version, wait: 25 }));
          if (token !== state.pollToken) return;
          failures = 0;
          if (s.version !== state.version) {
            state.version = s.version;
            renderMessages(s.messages);
            loadCommands();
          }
        } catch (e) {
          failures++;
          if (token !== state.pollToken) return;
          await new Promise((r) => setTimeout(r, Math.min(5000, 500 * failures)));
        }
      }
    })();
  }

  function renderMessages(messages) {
    const atBottom = els.messages.scrollHeight - els.messages.scrollTop - els.messages.clientHeight < 80;
    state.messages = messages;
    if (!messages.length) {
      els.messages.replaceChildren(el("div", { class: "empty", text: "还没有消息，发送 /start 开始" }));
    } else {
      els.messages.replaceChildren(...messages.map(renderMessage));
    }
    renderReplyKeyboard();
    if (atBottom || state.version <= 1 || messages.length && messages[messages.length - 1].from.id === state.userId) {
      els.messages.scrollTop = els.messages.scrollHeight;
    }
  }

  function renderMessage(m) {
    const mine = !m.from.is_bot && m.from.id === state.userId;
    const chat = state.chats.find((c) => c.id === state.chatId);
    const showSender = !mine && chat && chat.type !== "private";
    const node = el("div", {
      class: "msg" + (mine ? " mine" : "") + (m.from.is_bot ? " bot" : ""),
      "data-testid": "message",
      "data-message-id": m.message_id,
      "data-from": m.from.is_bot ? "bot" : "user",
      "data-from-id": m.from.id,
      "data-edited": m.edited ? "true" : "false",
    });
    if (showSender) node.append(el("div", { class: "sender", text: m.from.first_name || userName(m.from.id) }));
    if (m.reply_to_message_id) {
      const ref = state.messages.find((x) => x.message_id === m.reply_to_message_id);
      const refText = ref ? ref.text || ref.caption || (ref.document ? ref.document.file_name : "[图片]") : "（已删除的消息）";
      node.append(el("div", { class: "reply-ref", text: (ref ? userName(ref.from.id) + "：" : "") + refText }));
    }
    if (m.photo && m.photo.length) {
      const p = m.photo[m.photo.length - 1];
      node.append(
        el("img", {
          class: "photo",
          "data-testid": "message-photo",
          src: "/sandbox/files/" + encodeURIComponent(p.file_id) + "?inline=1",
          alt: "图片",
          width: p.width,
          height: p.height,
          loading: "lazy",
        })
      );
    }
    if (m.document) {
      const d = m.document;
      node.append(
        el(
          "a",
          {
            class: "doc",
            "data-testid": "message-document",
            href: "/sandbox/files/" + encodeURIComponent(d.file_id),
            download: d.file_name || "file",
          },
          el("span", { class: "doc-icon", text: "⬇" }),
          el(
            "span",
            {},
            el("div", { class: "doc-name", text: d.file_name || "文件" }),
            el("div", { class: "doc-size", text: humanSize(d.file_size) })
          )
        )
      );
    }
    const body = el("div", { class: "body", "data-testid": "message-text" });
    if (m.text != null) body.append(renderFormatted(m.text, m.entities));
    else if (m.caption != null) body.append(renderFormatted(m.caption, m.caption_entities));
    if (body.childNodes.length) node.append(body);
    const kb = m.reply_markup && m.reply_markup.inline_keyboard;
    if (kb && kb.length) node.append(renderInlineKeyboard(m, kb));
    node.append(el("div", { class: "meta", text: (m.edited ? "已编辑 " : "") + timeOf(m.date) }));
    return node;
  }

  function renderInlineKeyboard(m, rows) {
    return el(
      "div",
      { class: "inline-keyboard", "data-testid": "inline-keyboard" },
      ...rows.map((row) =>
        el(
          "div",
          { class: "inline-row" },
          ...row.map((b) => {
            if (b.url) {
              const href = safeUrl(b.url);
              return el("a", {
                "data-testid": "inline-button",
                href: href || "#",
                target: "_blank",
                rel: "noopener noreferrer",
                text: b.text + " ↗",
              });
            }
            return el("button", {
              type: "button",
              "data-testid": "inline-button",
              "data-callback-data": b.callback_data,
              "data-message-id": m.message_id,
              text: b.text,
              onclick: (e) => pressButton(m, b, e.currentTarget),
            });
          })
        )
      )
    );
  }

  async function pressButton(m, button, node) {
    if (button.callback_data == null) {
      toast("这个按钮在沙盒中不可用");
      return;
    }
    node.classList.add("pending");
    try {
      const r = await api("POST", "/sandbox/callbacks", {
        chat_id: state.chatId,
        from_id: state.userId,
        message_id: m.message_id,
        data: button.callback_data,
      });
      if (r.answer) toast(r.answer, r.show_alert ? "alert" : "");
      else if (!r.answered) toast("机器人没有回应按钮（5 秒内未 answerCallbackQuery）", "error");
    } catch (e) {
      toast("按钮失败：" + e.message, "error");
    } finally {
      node.classList.remove("pending");
    }
  }

  // ------------------------------------------------------------------ reply keyboard

  function currentReplyKeyboard() {
    for (let i = state.messages.length - 1; i >= 0; i--) {
      const m = state.messages[i];
      if (!m.from.is_bot || !m.reply_markup) continue;
      if (m.reply_markup.keyboard) return { markup: m.reply_markup, messageId: m.message_id };
      if (m.reply_markup.remove_keyboard) return null;
    }
    return null;
  }

  function renderReplyKeyboard() {
    const kb = currentReplyKeyboard();
    if (!kb) {
      els.replyKeyboard.hidden = true;
      els.keyboardToggle.hidden = true;
      return;
    }
    if (state.hiddenKeyboardFor !== kb.messageId) state.keyboardHidden = false;
    els.keyboardToggle.hidden = false;
    els.replyKeyboard.replaceChildren(
      ...kb.markup.keyboard.map((row) =>
        el(
          "div",
          { class: "row" },
          ...row.map((b) => {
            const text = typeof b === "string" ? b : b.text;
            return el("button", {
              type: "button",
              "data-testid": "reply-button",
              text,
              onclick: async () => {
                if (kb.markup.one_time_keyboard) {
                  state.keyboardHidden = true;
                  state.hiddenKeyboardFor = kb.messageId;
                  els.replyKeyboard.hidden = true;
                }
                await sendText(text);
              },
            });
          })
        )
      )
    );
    if (kb.markup.input_field_placeholder) els.input.placeholder = kb.markup.input_field_placeholder;
    els.replyKeyboard.hidden = state.keyboardHidden;
  }

  els.keyboardToggle.addEventListener("click", () => {
    state.keyboardHidden = !state.keyboardHidden;
    const kb = currentReplyKeyboard();
    state.hiddenKeyboardFor = kb ? kb.messageId : null;
    els.replyKeyboard.hidden = state.keyboardHidden;
  });

  // ------------------------------------------------------------------ command menu

  let menuIndex = -1;
  // The menu takes the reply keyboard's place while it is open (see .menu-open in app.css).
  new MutationObserver(() => {
    els.commandMenu.closest(".chat").classList.toggle("menu-open", !els.commandMenu.hidden);
  }).observe(els.commandMenu, { attributes: true, attributeFilter: ["hidden"] });
  function showCommandMenu(filter) {
    const f = (filter || "").toLowerCase();
    const items = state.commands.filter((c) => c.command.startsWith(f));
    if (!items.length) {
      els.commandMenu.hidden = true;
      return;
    }
    menuIndex = -1;
    els.commandMenu.replaceChildren(
      ...items.map((c) =>
        el(
          "button",
          {
            type: "button",
            "data-testid": "command-item",
            "data-command": c.command,
            onclick: () => {
              els.commandMenu.hidden = true;
              sendText("/" + c.command);
            },
          },
          el("span", { class: "cmd", text: "/" + c.command }),
          el("span", { class: "desc", text: c.description })
        )
      )
    );
    els.commandMenu.hidden = false;
  }

  els.commandButton.addEventListener("click", () => {
    if (!els.commandMenu.hidden) {
      els.commandMenu.hidden = true;
      return;
    }
    showCommandMenu("");
  });

  // ------------------------------------------------------------------ sending

  async function sendText(text) {
    if (!state.chatId || !state.userId) {
      toast("请先选择身份和会话", "error");
      return false;
    }
    if (!text.trim()) return false;
    els.send.disabled = true;
    try {
      await api("POST", "/sandbox/messages", { chat_id: state.chatId, from_id: state.userId, text });
      return true;
    } catch (e) {
      toast("发送失败：" + e.message, "error");
      return false;
    } finally {
      els.send.disabled = false;
    }
  }

  els.composer.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = els.input.value;
    els.commandMenu.hidden = true;
    if (await sendText(text)) {
      els.input.value = "";
      autoGrow();
    }
    els.input.focus();
  });

  function autoGrow() {
    els.input.style.height = "auto";
    els.input.style.height = Math.min(140, els.input.scrollHeight) + "px";
  }

  els.input.addEventListener("input", () => {
    autoGrow();
    const v = els.input.value;
    if (/^\/[a-z0-9_]*$/i.test(v) && state.commands.length) showCommandMenu(v.slice(1));
    else els.commandMenu.hidden = true;
  });

  els.input.addEventListener("keydown", (e) => {
    const items = els.commandMenu.hidden ? [] : [...els.commandMenu.children];
    if (items.length && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      menuIndex = (menuIndex + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items.forEach((n, i) => n.classList.toggle("selected", i === menuIndex));
      return;
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      if (items.length && menuIndex >= 0) {
        items[menuIndex].click();
        els.input.value = "";
        return;
      }
      els.composer.requestSubmit();
    } else if (e.key === "Escape") {
      els.commandMenu.hidden = true;
    }
  });

  els.file.addEventListener("change", async () => {
    const f = els.file.files && els.file.files[0];
    els.file.value = "";
    if (!f) return;
    if (!state.chatId || !state.userId) {
      toast("请先选择身份和会话", "error");
      return;
    }
    const form = new FormData();
    form.append("chat_id", String(state.chatId));
    form.append("from_id", String(state.userId));
    form.append("file_name", f.name);
    if (els.input.value.trim()) form.append("caption", els.input.value);
    form.append("document", f, f.name);
    try {
      await api("POST", "/sandbox/documents", form);
      els.input.value = "";
      autoGrow();
    } catch (e) {
      toast("上传失败：" + e.message, "error");
    }
  });

  els.back.addEventListener("click", () => {
    els.app.classList.remove("in-chat");
    loadChats().catch(() => {});
  });

  els.userPicker.addEventListener("change", () => selectUser(els.userPicker.value));

  // refresh the roster when the page becomes visible again (new users or groups)
  document.addEventListener("visibilitychange", async () => {
    if (document.visibilityState !== "visible") return;
    try {
      await loadRoster();
      await loadChats();
    } catch (e) { /* the sandbox may be restarting */ }
  });

  // ------------------------------------------------------------------ start

  (async function init() {
    try {
      await loadRoster();
    } catch (e) {
      toast("无法连接沙盒：" + e.message, "error");
      return;
    }
    const params = new URLSearchParams(location.search);
    const user = params.get("user") || localStorage.getItem("sandbox.user");
    const chat = params.get("chat");
    if (user && state.usersById.has(Number(user))) await selectUser(user, chat);
    else renderEmptyChat();
    // Scripts and tests wait for this before typing: the chat and its person are chosen.
    document.body.dataset.ready = "1";
  })();
})();
