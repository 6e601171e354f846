// The front desk page. Everything a guest wrote is put on the page with textContent, never parsed
// as HTML; every state-changing request carries the session's CSRF token; the live socket only
// says what changed and the page refetches it (the store is the truth).
"use strict";
(function () {
  const view = document.getElementById("view");
  const state = { me: null, lang: "es", route: "inbox", filter: "all", open: null, bookingFilter: "problems", canned: {}, drafts: {} };
  const strings = () => window.HOTELBOX_I18N[state.lang] || window.HOTELBOX_I18N.en;
  const t = (key) => strings()[key] || key;
  // a code from the box in words: word("attention", "complaint") → "Queja"; unknown codes get the group's word
  function word(group, value) {
    const table = ((window.HOTELBOX_CODES[state.lang] || window.HOTELBOX_CODES.en)[group]) || {};
    if (value === null || value === undefined || value === "") return "";
    return table[value] || table._ || "—";
  }
  function author(value) {
    if (value && value.startsWith("staff:")) return `${word("author", "staff")} (${value.slice(6)})`;
    return word("author", value);
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  async function api(method, path, body) {
    const headers = {};
    if (method !== "GET") { headers["X-CSRF-Token"] = state.me ? state.me.csrf : ""; headers["Content-Type"] = "application/json"; }
    const response = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    if (response.status === 401) { location.href = "/login"; throw new Error("logged out"); }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const err = new Error(data.message || ("HTTP " + response.status));
      err.code = data.error || "";
      err.details = data;
      throw err;
    }
    return data;
  }

  function notice(text, kind) {
    const box = el("p", { class: "notice " + (kind || ""), role: "status", text });
    document.body.append(box);
    setTimeout(() => box.remove(), 4000);
  }

  // dates in the user's locale for the chosen language (es-ES, pt-BR… from the browser), 24 h where usual
  const formats = {};
  function locale() {
    return (navigator.languages || []).find((l) => l.toLowerCase().startsWith(state.lang)) || state.lang;
  }
  function when(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return "";
    const today = new Date().toDateString() === d.toDateString();
    const key = locale() + (today ? ":t" : ":d");
    formats[key] = formats[key] || new Intl.DateTimeFormat(locale(), today
      ? { hour: "2-digit", minute: "2-digit" }
      : { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
    return formats[key].format(d);
  }

  function translatePage() {
    document.documentElement.lang = state.lang;
    for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  }

  // -- inbox -------------------------------------------------------------------------------------
  // Live updates refresh the list and the open transcript in place: the reply box is never rebuilt
  // (focus, cursor and draft stay) and the reading position is kept unless staff were at the bottom.
  async function renderInbox(filterChanged) {
    const data = await api("GET", "/desk/api/conversations" + (state.filter === "attention" ? "?filter=attention" : ""));
    if (state.open && filterChanged && !data.conversations.some((c) => c.id === state.open)) closeConversation();
    const list = el("ol", { class: "conversations", id: "conversations" });
    for (const c of data.conversations) {
      const item = el("li", {
        class: ["conversation", c.control, c.id === state.open ? "open" : "", c.attention ? "needs" : ""].join(" "),
        "data-id": c.id,
        onclick: () => { state.open = c.id; location.hash = "#inbox/" + c.id; },
      },
      el("span", { class: "guest", text: c.guest }),
      el("span", { class: "meta", text: [word("channel", c.channel), c.address, (c.language || "").toUpperCase(), word("control", c.control)].filter(Boolean).join(" · ") }),
      c.held_by ? el("span", { class: "holder", text: `${t("held_by")} ${c.held_by.replace(/^staff:/, "")}` }) : null,
      c.unread ? el("span", { class: "unread", text: c.unread + " " + t("unread") }) : null,
      c.attention ? el("span", { class: "attention", "data-code": c.attention, text: [word("attention", c.attention), c.bounced_address].filter(Boolean).join(": ") }) : null,
      el("span", { class: "last", text: c.last_text }));
      list.append(item);
    }
    const filters = el("div", { class: "filters" },
      el("button", { type: "button", class: state.filter === "all" ? "on" : "", text: t("all"), onclick: () => { state.filter = "all"; renderInbox(true).catch(failed); } }),
      el("button", { type: "button", id: "filter-attention", class: state.filter === "attention" ? "on" : "", text: t("attention"), onclick: () => { state.filter = "attention"; renderInbox(true).catch(failed); } }));
    let inbox = view.querySelector(".inbox");
    if (!inbox) {
      inbox = el("div", { class: "inbox" }, el("aside", {}), el("section", { class: "pane", id: "conversation" }));
      view.replaceChildren(inbox);
    }
    inbox.querySelector("aside").replaceChildren(filters, list);
    inbox.classList.toggle("has-open", Boolean(state.open));
    const pane = inbox.querySelector("#conversation");
    if (state.open) await renderConversation(pane);
    else { pane.dataset.id = ""; pane.replaceChildren(el("p", { class: "empty", text: t("no_conversation") })); }
  }

  function failed(err) { notice(err.code !== undefined ? word("error", err.code || "_") : err.message, "bad"); }

  function closeConversation() {
    state.open = null;
    if (location.hash !== "#inbox") history.replaceState(null, "", "#inbox");
    const inbox = view.querySelector(".inbox");
    if (inbox) inbox.classList.remove("has-open");
  }

  function replyForm(c) {
    const text = el("textarea", { id: "reply-text", rows: 3, maxlength: 4000, placeholder: t("reply_placeholder"),
      oninput: (e) => { state.drafts[c.id] = e.target.value; } });
    text.value = state.drafts[c.id] || "";
    const canned = el("select", { id: "canned", onchange: (e) => { if (e.target.value) { text.value = e.target.value; state.drafts[c.id] = text.value; } } },
      el("option", { value: "", text: t("canned") }),
      ...((state.canned[c.language || state.lang] || [])).map((line) => el("option", { value: line, text: line })));
    return el("form", { class: "reply", id: "reply", onsubmit: async (e) => {
      e.preventDefault();
      if (!text.value.trim()) return;
      const sending = text.value;
      try {
        try { await api("POST", `/desk/api/conversations/${c.id}/reply`, { text: sending, lang: c.language }); }
        catch (err) {
          if (err.code !== "held_by_colleague") throw err;
          const holder = (err.details.message || "").replace(/^held by (staff:)?/, "");
          if (!confirm(`${t("take_from")} ${holder}?`)) return;
          await api("POST", `/desk/api/conversations/${c.id}/reply`, { text: sending, lang: c.language, force: true });
        }
        if (state.drafts[c.id] === sending) delete state.drafts[c.id];
        if (text.value === sending) text.value = "";
      } catch (err) { failed(err); }
    } }, canned, text, el("button", { type: "submit", class: "primary", text: t("send") }));
  }

  async function renderConversation(pane) {
    const openId = state.open;
    let c;
    try { c = await api("GET", "/desk/api/conversations/" + openId); }
    catch (err) {
      if (state.open === openId) { closeConversation(); pane.dataset.id = ""; pane.replaceChildren(el("p", { class: "empty", text: t("no_conversation") })); }
      throw err;
    }
    if (state.open !== c.id) return; // another one was opened meanwhile
    if (c.unread > 0) api("POST", `/desk/api/conversations/${c.id}/read`).catch(() => {});
    const holder = c.held_by ? c.held_by.replace(/^staff:/, "") : null;
    const mine = holder !== null && holder === state.me.name;
    const head = el("header", { class: "conv-head" },
      el("button", { type: "button", id: "back", class: "back", text: "←", "aria-label": t("inbox"), onclick: () => { closeConversation(); render(); } }),
      el("h2", { text: c.guest }),
      el("span", { class: "badge " + c.control, id: "control", text: word("control", c.control) }),
      c.attention && !c.bounced_address ? el("span", { class: "attention", "data-code": c.attention, text: word("attention", c.attention) }) : null,
      c.bounced_address ? el("span", { class: "attention", id: "bounced", "data-code": c.attention, text: `${word("attention", c.attention)}: ${c.bounced_address}` }) : null,
      el("span", { class: "meta", id: "address", text: [...new Set([word("channel", c.channel), c.address, (c.language || "").toUpperCase(), c.phone, c.email])].filter(Boolean).join(" · ") }),
      c.window ? el("span", { class: "window " + (c.window.open ? "open" : "closed"),
        text: c.window.open ? `${t("window_open")} ${when(c.window.closes_at)}` : t("window_closed") }) : null,
      holder ? el("span", { id: "holder", class: "holder" + (mine ? " mine" : ""), text: mine ? t("held_by_me") : `${t("held_by")} ${holder}` }) : null,
      c.control === "staff" && (mine || !holder)
        ? el("button", { type: "button", id: "handback", text: t("hand_back"), onclick: () => act(`/desk/api/conversations/${c.id}/handback`) })
        : el("button", { type: "button", id: "takeover", class: "primary", text: t("take_over"), onclick: () => takeOver(c.id, holder) }),
      state.me.role === "admin"
        ? el("button", { type: "button", class: "danger", id: "erase", text: t("erase"), onclick: () => erase(c.guest_id) }) : null);
    const items = [];
    for (const m of c.messages) {
      const item = el("li", { class: `msg ${m.direction} ${m.author.startsWith("staff") ? "staff" : ""}`, "data-id": m.id },
        el("span", { class: "author", text: author(m.author) + " · " + when(m.at) }));
      if (m.audio_url) item.append(el("audio", { controls: true, preload: "none", src: m.audio_url }));
      if (m.text) item.append(el("p", { class: "text", text: m.text }));
      if (m.kind === "audio" && m.direction === "in") {
        item.append(el("small", { class: "transcript-note",
          text: m.voice_problem ? `${t("voice_note")}: ${m.voice_problem}` : `${t("voice_note")} · ${t("transcript")}` }));
      }
      if (m.options && m.options.length) item.append(el("div", { class: "options" }, ...m.options.map((o) => el("span", { class: "chip", text: o.title }))));
      if (m.direction === "out" && m.send_status) {
        const status = m.delivery && m.delivery !== m.send_status ? m.delivery : m.send_status;
        item.append(el("small", { class: "delivery " + m.send_status, "data-status": status, text: word("send", status) }));
        if (m.error) item.append(el("small", { class: "delivery failed", title: m.error, text: word("error", "_") }));
      }
      items.push(item);
    }
    const cards = el("div", { class: "cards", id: "cards" }, ...c.bookings.map(bookingCard));
    if (pane.dataset.id !== String(c.id)) { // first time: build the pane once
      pane.dataset.id = String(c.id);
      const transcript = el("ol", { class: "transcript", id: "transcript" }, ...items);
      pane.replaceChildren(head, transcript, cards, replyForm(c));
      transcript.scrollTop = transcript.scrollHeight;
      return;
    }
    const transcript = pane.querySelector("#transcript");
    const atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
    const top = transcript.scrollTop;
    pane.querySelector(".conv-head").replaceWith(head);
    transcript.replaceChildren(...items);
    pane.querySelector("#cards").replaceWith(cards);
    transcript.scrollTop = atBottom ? transcript.scrollHeight : top;
  }

  // Taking a colleague's conversation is never silent: they are named and staff confirm first.
  async function takeOver(id, holder) {
    if (holder && holder !== state.me.name && !confirm(`${t("take_from")} ${holder}?`)) return;
    try { await api("POST", `/desk/api/conversations/${id}/takeover`, { force: Boolean(holder) }); await render(); }
    catch (err) {
      if (err.code === "held_by_colleague") { await render(); notice(word("error", err.code), "bad"); }
      else failed(err);
    }
  }

  async function act(path) {
    try { await api("POST", path); await render(); } catch (err) { failed(err); }
  }

  async function erase(guestId) {
    if (!confirm(t("erase_confirm"))) return;
    try {
      await api("POST", `/desk/api/guests/${guestId}/erase`);
      closeConversation();
      await render();
      notice(t("erased"), "ok");
    } catch (err) { failed(err); }
  }

  function day(isoDate) {
    if (!isoDate) return "";
    const d = new Date(isoDate + "T12:00:00");
    return Number.isNaN(d.getTime()) ? isoDate : new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short", year: "numeric" }).format(d);
  }

  // -- bookings ------------------------------------------------------------------------------------
  function bookingCard(b) {
    return el("article", { class: "booking " + b.status + (b.needs_action ? " needs" : ""), "data-booking": b.id },
      el("strong", { text: `${b.pms_reference || "—"} · ${word("booking", b.status)}` }),
      b.guest_name ? el("span", { class: "booking-guest", text: b.guest_name }) : null,
      el("span", { text: `${day(b.check_in)} → ${day(b.check_out)} · ${word("room", b.room_type)} · ${b.adults}+${b.children}` }),
      el("span", { text: b.total_price ? `${b.total_price} ${b.currency || ""}` : "" }),
      b.last_error ? el("small", { class: "error", title: b.last_error, text: b.last_error }) : null,
      ...b.notes.map((n) => el("small", { text: n })),
      b.needs_action ? el("span", { class: "actions" },
        el("button", { type: "button", class: "retry", text: t("retry"), onclick: () => act(`/desk/api/bookings/${b.id}/retry`) }),
        el("button", { type: "button", class: "handled", text: t("handled"), onclick: () => act(`/desk/api/bookings/${b.id}/handled`) })) : null,
      b.conversation_id ? el("a", { href: `#inbox/${b.conversation_id}`, text: t("open") }) : null);
  }

  async function renderBookings() {
    const data = await api("GET", "/desk/api/bookings" + (state.bookingFilter === "problems" ? "?filter=problems" : ""));
    const filters = el("div", { class: "filters" },
      el("button", { type: "button", class: state.bookingFilter === "problems" ? "on" : "", text: t("problems"), onclick: () => { state.bookingFilter = "problems"; render(); } }),
      el("button", { type: "button", class: state.bookingFilter === "all" ? "on" : "", text: t("everything"), onclick: () => { state.bookingFilter = "all"; render(); } }));
    view.replaceChildren(el("section", { class: "bookings", id: "bookings" }, filters, el("div", { class: "cards" }, ...data.bookings.map(bookingCard))));
  }

  // -- the hotel's answers -----------------------------------------------------------------------------
  async function renderKnowledge() {
    const data = await api("GET", "/desk/api/knowledge");
    const lang = state.knowledgeLang || state.lang;
    const picker = el("select", { id: "knowledge-lang", onchange: (e) => { state.knowledgeLang = e.target.value; render(); } },
      ...["es", "en", "pt"].map((l) => el("option", { value: l, selected: l === lang, text: l })));
    const rows = data.topics.map((topic) => {
      const area = el("textarea", { rows: 3, maxlength: 1000, "data-topic": topic }, data.answers[lang][topic] || "");
      area.value = data.answers[lang][topic] || "";
      return el("div", { class: "answer" }, el("label", { text: topic }), area,
        el("button", { type: "button", class: "save", "data-topic": topic, text: t("save"), onclick: async () => {
          try { await api("PUT", `/desk/api/knowledge/${lang}/${topic}`, { text: area.value }); notice(t("saved")); }
          catch (err) { failed(err); }
        } }));
    });
    const question = el("input", { id: "preview-question", placeholder: t("question"), maxlength: 500 });
    const answer = el("p", { id: "preview-answer", class: "preview" });
    const preview = el("form", { class: "preview-form", onsubmit: async (e) => {
      e.preventDefault();
      const result = await api("POST", "/desk/api/knowledge/preview", { question: question.value, lang });
      answer.textContent = `${t("bot_answers")} ${result.answer || "—"} (${result.intent}${result.topic ? " / " + result.topic : ""})`;
    } }, question, el("button", { type: "submit", text: t("preview") }));
    view.replaceChildren(el("section", { class: "knowledge" }, picker, preview, answer, ...rows));
  }

  // -- health ------------------------------------------------------------------------------------------
  async function renderHealth() {
    const h = await api("GET", "/desk/api/health");
    const card = (title, value) => el("article", { class: "health-card" }, el("h3", { text: title }), el("pre", { text: JSON.stringify(value, null, 1) }));
    view.replaceChildren(el("section", { class: "health", id: "health" },
      el("h2", { text: `${t("status")}: ${h.status}` }),
      ...(h.problems || []).map((p) => el("p", { class: "notice error", role: "alert", "data-problem": p.code, "data-part": p.part,
        text: t(p.code) === p.code ? `${p.part}: ${p.reason}` : `${t(p.code)} (${p.reason})` })),
      card(t("models"), h.models), card(t("pms"), h.pms), card(t("relay"), h.whatsapp),
      card(t("backlog"), h.backlog), card(t("disk"), h.disk), card("scheduler", h.scheduler)));
  }

  // -- routing and live updates --------------------------------------------------------------------------
  async function render() {
    const [route, id] = (location.hash.slice(1) || "inbox").split("/");
    state.route = route;
    if (route === "inbox") state.open = id ? Number(id) : null;
    for (const a of document.querySelectorAll("nav a")) a.classList.toggle("on", a.getAttribute("href") === "#" + route);
    try {
      if (route === "bookings") await renderBookings();
      else if (route === "knowledge") await renderKnowledge();
      else if (route === "health") await renderHealth();
      else await renderInbox();
    } catch (err) { failed(err); }
  }

  let pending = null;
  function soon() { // coalesce bursts of events into one refresh
    if (pending) return;
    pending = setTimeout(async () => { pending = null; if (state.route !== "knowledge") await render(); }, 25);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/desk/ws`);
    const live = document.getElementById("live");
    ws.addEventListener("open", () => { live.classList.add("on"); soon(); });
    ws.addEventListener("message", soon);
    ws.addEventListener("close", () => { live.classList.remove("on"); setTimeout(connect, 2000); });
  }

  async function start() {
    state.me = await api("GET", "/desk/api/me");
    state.lang = state.me.language;
    state.canned = await api("GET", "/desk/api/canned");
    document.getElementById("who").textContent = `${state.me.name} (${state.me.role})`;
    const uiLang = document.getElementById("ui-lang");
    uiLang.value = state.lang;
    uiLang.addEventListener("change", async () => {
      await api("PUT", "/desk/api/me/language", { language: uiLang.value });
      state.lang = uiLang.value; translatePage(); render();
    });
    document.getElementById("logout").addEventListener("click", async () => { await api("POST", "/desk/api/logout"); location.href = "/login"; });
    window.addEventListener("hashchange", render);
    translatePage();
    await render();
    connect();
  }
  start();
})();
