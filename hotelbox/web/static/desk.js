// The front desk page. Everything a guest wrote is put on the page with textContent, never parsed
// as HTML; every state-changing request carries the session's CSRF token; the live socket only
// says what changed and the page refetches it (the store is the truth).
"use strict";
(function () {
  const view = document.getElementById("view");
  const state = { me: null, lang: "es", route: "inbox", filter: "all", search: "", open: null, bookingFilter: "problems", canned: {}, drafts: {}, ids: [] };
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
    let stack = document.getElementById("notices");
    if (!stack) { stack = el("div", { id: "notices", class: "notices", "aria-live": "polite" }); document.body.append(stack); }
    const box = el("p", { class: "notice " + (kind || ""), role: "status", text });
    stack.append(box);
    while (stack.children.length > 4) stack.firstElementChild.remove();
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
  function minutes(iso) {
    const ms = Date.now() - new Date(iso).getTime();
    return Number.isNaN(ms) ? 0 : Math.max(0, Math.floor(ms / 60000));
  }
  function waiting(iso) {
    const m = minutes(iso);
    return m < 60 ? t("waiting_min").replace("{n}", m) : t("waiting_h").replace("{h}", Math.floor(m / 60)).replace("{m}", m % 60);
  }

  async function renderInbox(filterChanged) {
    const query = new URLSearchParams({ filter: state.filter });
    if (state.search.trim()) query.set("q", state.search.trim());
    const data = await api("GET", "/desk/api/conversations?" + query);
    if (state.open && filterChanged && !data.conversations.some((c) => c.id === state.open)) closeConversation();
    state.ids = data.conversations.map((c) => c.id);
    const list = el("ol", { class: "conversations", id: "conversations" });
    for (const c of data.conversations) {
      const item = el("li", {
        class: ["conversation", c.control, c.id === state.open ? "open" : "", c.needs ? "needs" : ""].join(" "),
        "data-id": c.id,
        onclick: () => { state.open = c.id; location.hash = "#inbox/" + c.id; },
      },
      el("span", { class: "top" }, el("span", { class: "guest", text: c.guest }),
        el("time", { class: "at", datetime: c.last_message_at || "", text: when(c.last_message_at) })),
      el("span", { class: "meta", text: [word("channel", c.channel), c.address, (c.language || "").toUpperCase(), word("control", c.control)].filter(Boolean).join(" · ") }),
      c.held_by ? el("span", { class: "holder" + (c.held_by === state.me.actor ? " mine" : ""), text: c.held_by === state.me.actor ? t("held_by_me") : `${t("held_by")} ${c.held_by.replace(/^staff:/, "")}` }) : null,
      c.waiting_since ? el("span", { class: "waiting", "data-since": c.waiting_since, text: waiting(c.waiting_since) }) : null,
      c.unread ? el("span", { class: "unread", text: c.unread + " " + t("unread") }) : null,
      c.attention ? el("span", { class: "attention", "data-code": c.attention, text: [word("attention", c.attention), c.bounced_address].filter(Boolean).join(": ") }) : null,
      c.failed_bookings && c.attention !== "booking_failed" ? el("span", { class: "attention", "data-code": "booking_failed", text: word("attention", "booking_failed") }) : null,
      el("span", { class: "last", text: c.last_text }));
      list.append(item);
    }
    if (!data.conversations.length) list.append(el("li", { class: "empty", text: state.search.trim() ? t("no_results") : t("nothing_here") }));
    const pick = (f) => () => { state.filter = f; renderInbox(true).catch(failed); };
    const counted = (n) => (n ? el("span", { class: "count", text: String(n) }) : null);
    const filters = el("div", { class: "filters", id: "filters" },
      el("button", { type: "button", id: "filter-all", class: state.filter === "all" ? "on" : "", text: t("all"), onclick: pick("all") }),
      el("button", { type: "button", id: "filter-attention", class: state.filter === "attention" ? "on" : "", onclick: pick("attention") }, t("attention"), " ", counted(data.counts.attention)),
      el("button", { type: "button", id: "filter-mine", class: state.filter === "mine" ? "on" : "", onclick: pick("mine") }, t("mine"), " ", counted(data.counts.mine)));
    showCounts(data.counts);
    let inbox = view.querySelector(".inbox");
    if (!inbox) {
      // the search box is built once: live updates never take its focus or its text
      let typing = null;
      const search = el("input", { type: "search", id: "search", maxlength: 200, placeholder: t("search"), "aria-label": t("search"), value: state.search,
        oninput: (e) => { state.search = e.target.value; clearTimeout(typing); typing = setTimeout(() => renderInbox(true).catch(failed), 200); } });
      inbox = el("div", { class: "inbox" }, el("aside", {}, el("form", { class: "search", role: "search", onsubmit: (e) => e.preventDefault() }, search), el("div", { class: "list" })),
        el("section", { class: "pane", id: "conversation" }));
      view.replaceChildren(inbox);
    }
    inbox.querySelector("aside .list").replaceChildren(filters, list);
    inbox.classList.toggle("has-open", Boolean(state.open));
    const pane = inbox.querySelector("#conversation");
    if (state.open) await renderConversation(pane);
    else { pane.dataset.id = ""; pane.replaceChildren(el("p", { class: "empty", text: t("no_conversation") }), el("p", { class: "hint shortcuts", text: t("shortcuts") })); }
  }

  // "waiting 12 min" keeps counting between live updates
  setInterval(() => { for (const n of document.querySelectorAll(".waiting[data-since]")) n.textContent = waiting(n.dataset.since); }, 30000);

  function failed(err) { notice(err.code !== undefined ? word("error", err.code || "_") : err.message, "bad"); }

  function closeConversation() {
    state.open = null;
    if (location.hash !== "#inbox") history.replaceState(null, "", "#inbox");
    const inbox = view.querySelector(".inbox");
    if (inbox) inbox.classList.remove("has-open");
  }

  // put a canned reply where the cursor is (replacing the "/word" typed to find it, if any)
  function insertAtCursor(area, line, from) {
    const start = from === undefined ? area.selectionStart : from;
    const end = area.selectionEnd;
    area.value = area.value.slice(0, start) + line + area.value.slice(end);
    const at = start + line.length;
    area.focus();
    area.setSelectionRange(at, at);
    area.dispatchEvent(new Event("input"));
  }

  // "/" at the start of a word lists the canned replies; typing filters, ↑↓ choose, Enter or Tab puts it in
  function cannedPicker(area, lines) {
    const box = el("ul", { class: "picker", id: "canned-picker", role: "listbox", hidden: true });
    let slash = -1, chosen = 0, shown = [];
    const close = () => { slash = -1; box.hidden = true; };
    const choose = (line) => { insertAtCursor(area, line, slash); close(); };
    const draw = () => {
      const typed = area.value.slice(slash + 1, area.selectionStart).toLowerCase();
      shown = lines().filter((line) => line.toLowerCase().includes(typed));
      if (!shown.length || /\n/.test(typed)) { close(); return; }
      chosen = Math.min(chosen, shown.length - 1);
      box.replaceChildren(...shown.map((line, n) => el("li", { role: "option", class: n === chosen ? "on" : "", "aria-selected": n === chosen ? "true" : "false", text: line,
        onmousedown: (e) => { e.preventDefault(); choose(line); } })));
      box.hidden = false;
    };
    area.addEventListener("input", (e) => {
      const at = area.selectionStart;
      if (e.data === "/" && (at === 1 || /\s/.test(area.value[at - 2]))) { slash = at - 1; chosen = 0; }
      if (slash >= 0 && (area.value[slash] !== "/" || at <= slash)) close();
      if (slash >= 0) draw();
    });
    area.addEventListener("keydown", (e) => {
      if (box.hidden) return;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") { e.preventDefault(); chosen = (chosen + (e.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length; draw(); }
      else if ((e.key === "Enter" && !e.ctrlKey && !e.metaKey) || e.key === "Tab") { e.preventDefault(); choose(shown[chosen]); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
    });
    area.addEventListener("blur", () => setTimeout(close, 150));
    return box;
  }

  function cannedOptions(c) {
    return [el("option", { value: "", text: t("canned") }),
      ...(state.canned[c.language || state.lang] || []).map((line) => el("option", { value: line, text: line }))];
  }

  async function refreshCanned(c) {
    try { state.canned = await api("GET", "/desk/api/canned"); } catch (err) { return; }
    const select = document.getElementById("canned");
    if (select && state.open === c.id && !select.value) select.replaceChildren(...cannedOptions(c));
  }

  function replyForm(c) {
    const text = el("textarea", { id: "reply-text", rows: 3, maxlength: 4000, placeholder: t("reply_placeholder"), title: t("shortcuts"), "aria-keyshortcuts": "Control+Enter Meta+Enter",
      oninput: (e) => { state.drafts[c.id] = e.target.value; } });
    text.value = state.drafts[c.id] || "";
    const lines = () => state.canned[c.language || state.lang] || [];
    const canned = el("select", { id: "canned", "aria-label": t("canned"), onchange: (e) => { if (e.target.value) { insertAtCursor(text, e.target.value); e.target.value = ""; } } },
      ...cannedOptions(c));
    const form = el("form", { class: "reply", id: "reply", onsubmit: async (e) => {
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
    } }, canned, el("div", { class: "reply-box" }, cannedPicker(text, lines), text),
      el("button", { type: "submit", class: "primary", title: "Ctrl+Enter", text: t("send") }));
    text.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); }
    });
    return form;
  }

  // a private note for colleagues (never sent to the guest); built once, like the reply box
  function notesForm(c) {
    const input = el("textarea", { id: "note-text", rows: 2, maxlength: 2000, placeholder: t("note_placeholder"), "aria-label": t("notes") });
    return el("form", { class: "note-form", id: "note-form", onsubmit: async (e) => {
      e.preventDefault();
      if (!input.value.trim()) return;
      try { await api("POST", `/desk/api/conversations/${c.id}/notes`, { text: input.value }); input.value = ""; await render(); }
      catch (err) { failed(err); }
    } }, input, el("button", { type: "submit", text: t("add_note") }));
  }

  function extrasSummary(c) {
    return el("summary", { id: "extras-summary", text: `${t("notes")} (${(c.notes || []).length}) · ${t("history")}` });
  }

  function notesList(c) {
    return el("ol", { class: "notes", id: "notes" }, ...(c.notes || []).map((n) => el("li", { class: "note" },
      el("span", { class: "author", text: `${author(n.author)} · ${when(n.at)}` }), el("p", { text: n.text }))));
  }

  function actionHistory(c, wasOpen) {
    const rows = (c.audit || []).map((a) => {
      const d = a.details || {};
      const detail = a.action === "takeover" && d.holder ? ` (${t("from")} ${d.holder.replace(/^staff:/, "")})`
        : (a.action === "handoff" || a.action === "resolve") && (d.reason || d.attention) ? ` (${word("attention", d.reason || d.attention)})` : "";
      return el("li", { "data-action": a.action, text: `${when(a.at)} · ${author(a.actor)} · ${word("action", a.action)}${detail}` });
    });
    return el("details", { class: "history", id: "history", open: wasOpen || null },
      el("summary", { text: `${t("history")} (${rows.length})` }), el("ol", {}, ...rows));
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
      c.waiting_since ? el("span", { class: "waiting", "data-since": c.waiting_since, text: waiting(c.waiting_since) }) : null,
      c.control === "staff" && (mine || !holder)
        ? el("button", { type: "button", id: "handback", text: t("hand_back"), onclick: () => act(`/desk/api/conversations/${c.id}/handback`) })
        : el("button", { type: "button", id: "takeover", class: "primary", text: t("take_over"), onclick: () => takeOver(c.id, holder) }),
      c.needs ? el("button", { type: "button", id: "resolve", title: t("resolve_hint"), text: t("resolve"), onclick: () => act(`/desk/api/conversations/${c.id}/resolve`) }) : null,
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
      refreshCanned(c); // an admin may have edited them since the page loaded
      const transcript = el("ol", { class: "transcript", id: "transcript" }, ...items);
      // notes and history: open beside the transcript on a wide screen, one tap away on a phone
      const extras = el("details", { class: "extras", id: "extras", open: window.matchMedia("(min-width: 761px)").matches || null },
        extrasSummary(c), actionHistory(c, false), notesList(c), notesForm(c));
      pane.replaceChildren(head, transcript, cards, extras, replyForm(c));
      transcript.scrollTop = transcript.scrollHeight;
      return;
    }
    const transcript = pane.querySelector("#transcript");
    const atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
    const top = transcript.scrollTop;
    pane.querySelector(".conv-head").replaceWith(head);
    transcript.replaceChildren(...items);
    pane.querySelector("#cards").replaceWith(cards);
    pane.querySelector("#history").replaceWith(actionHistory(c, pane.querySelector("#history").open));
    pane.querySelector("#notes").replaceWith(notesList(c));
    pane.querySelector("#extras-summary").replaceWith(extrasSummary(c));
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
    const empty = data.bookings.length ? null
      : el("p", { class: "empty nothing", id: "nothing-to-do", text: state.bookingFilter === "problems" ? t("nothing_to_do") : t("no_bookings") });
    view.replaceChildren(el("section", { class: "bookings", id: "bookings" }, filters, empty, el("div", { class: "cards" }, ...data.bookings.map(bookingCard))));
  }

  // -- the hotel's answers -----------------------------------------------------------------------------
  // The three languages side by side. Saving one leaves the others marked as still saying the old
  // thing (the guest in that language still gets it) until each is saved too, changed or confirmed.
  const LANGS = ["es", "en", "pt"];
  async function renderKnowledge() {
    const data = await api("GET", "/desk/api/knowledge");
    const followups = data.followups || {};
    // answers still saying the old thing first, then by name in the reader's language
    const behind = (topic) => LANGS.some((lang) => (followups[lang] || {})[topic]);
    const topics = [...data.topics].sort((a, b) => (behind(b) - behind(a)) || word("topic", a).localeCompare(word("topic", b), locale()));
    const rows = topics.map((topic) => {
      const cells = LANGS.map((lang) => {
        const area = el("textarea", { rows: 4, maxlength: 1000, "data-topic": topic, "data-lang": lang, "aria-label": `${word("topic", topic)} · ${lang.toUpperCase()}` });
        area.value = data.answers[lang][topic] || "";
        const pending = (followups[lang] || {})[topic];
        return el("div", { class: "answer-cell" + (pending ? " behind" : ""), "data-lang": lang, "data-topic": topic },
          el("span", { class: "lang", text: lang.toUpperCase() }), area,
          pending ? el("small", { class: "stale", role: "note", text: `${t("stale_answer")} ${pending.from.toUpperCase()} (${when(pending.since)})` }) : null,
          el("button", { type: "button", class: "save", "data-topic": topic, "data-lang": lang, text: t("save"), onclick: async () => {
            try { await api("PUT", `/desk/api/knowledge/${lang}/${topic}`, { text: area.value }); notice(t("saved")); await renderKnowledge(); }
            catch (err) { failed(err); }
          } }));
      });
      return el("div", { class: "answer", "data-topic": topic }, el("h3", { text: word("topic", topic) }), el("div", { class: "answer-langs" }, ...cells));
    });
    const question = el("input", { id: "preview-question", placeholder: t("question"), maxlength: 500 });
    const answer = el("p", { id: "preview-answer", class: "preview" });
    const preview = el("form", { class: "preview-form", onsubmit: async (e) => {
      e.preventDefault();
      try {
        const result = await api("POST", "/desk/api/knowledge/preview", { question: question.value });
        answer.textContent = `${t("bot_answers")} ${result.answer || "—"}${result.topic ? " (" + word("topic", result.topic) + ")" : ""}`;
      } catch (err) { failed(err); }
    } }, question, el("button", { type: "submit", text: t("preview") }));
    view.replaceChildren(el("section", { class: "knowledge" }, preview, answer, ...rows));
  }

  // -- health ------------------------------------------------------------------------------------------
  // Green / amber / red, part by part, in words; the box's own reason is under "technical details".
  const RED_PARTS = ["store", "disk", "nlu", "relay_link", "whatsapp", "email"];
  async function renderHealth() {
    const h = await api("GET", "/desk/api/health");
    const problems = (h.problems || []).map((p) => (typeof p === "string" ? { code: p, part: "", reason: p } : p));
    const parts = ["store", "disk", "nlu", "pms"];
    if (h.whatsapp) parts.push("relay_link", "whatsapp");
    if (h.email) parts.push("email");
    if (h.models && h.models.speech && h.models.speech.enabled !== false) parts.push("speech");
    for (const p of problems) if (p.part && !parts.includes(p.part)) parts.push(p.part);
    const level = (list) => (list.some((p) => RED_PARTS.includes(p.part)) ? "red" : list.length ? "amber" : "green");
    const overall = h.status === "starting" ? "amber" : level(problems);
    const rows = parts.map((part) => {
      const mine = problems.filter((p) => p.part === part);
      return el("li", { class: "part " + level(mine), "data-part": part },
        el("span", { class: "light", "aria-hidden": "true" }),
        el("strong", { text: word("part", part) }),
        mine.length ? el("span", {}, ...mine.map((p) => el("span", { class: "problem", "data-problem": p.code, text: word("problem", p.code) })))
          : el("span", { class: "ok", text: t("part_ok") }),
        mine.length ? el("details", { class: "tech" }, el("summary", { text: t("details") }), ...mine.map((p) => el("p", { text: p.reason }))) : null);
    });
    const others = problems.filter((p) => !p.part);
    view.replaceChildren(el("section", { class: "health", id: "health" },
      el("h2", { class: "overall " + overall, id: "health-overall", "data-level": overall },
        el("span", { class: "light", "aria-hidden": "true" }), h.status === "starting" ? t("health_starting") : t("health_" + overall)),
      el("ul", { class: "parts" }, ...rows),
      ...others.map((p) => el("p", { class: "problem", text: word("problem", p.code) })),
      el("details", { class: "tech" }, el("summary", { text: t("details") }), el("pre", { text: JSON.stringify(h, null, 1) }))));
  }

  // -- team (admins): canned replies, accounts, failed logins ---------------------------------------------
  async function renderTeam() {
    const [users, failures, done] = await Promise.all([api("GET", "/desk/api/users"), api("GET", "/desk/api/login-failures").catch(() => ({ failures: [] })),
      api("GET", "/desk/api/activity").catch(() => ({ activity: [] }))]);
    const about = (a) => {
      const d = a.details || {};
      if (a.action === "user.add" || a.action === "user.change") return d.name || "";
      if (a.action === "knowledge.edit") return `${word("topic", d.topic)} · ${(d.lang || "").toUpperCase()}`;
      if (a.action === "canned.edit") return (d.lang || "").toUpperCase();
      return "";
    };
    const activity = done.activity.length
      ? el("ol", { class: "activity", id: "activity" }, ...done.activity.map((a) => el("li", { "data-action": a.action },
        `${when(a.at)} · ${author(a.actor)} · ${word("action", a.action)}`, about(a) ? el("span", { class: "about", text: ` (${about(a)})` }) : null)))
      : el("p", { class: "empty", id: "activity", text: t("no_activity") });
    const canned = LANGS.map((lang) => {
      const area = el("textarea", { rows: 6, "data-lang": lang, "aria-label": `${t("canned_title")} · ${lang.toUpperCase()}` });
      area.value = (state.canned[lang] || []).join("\n");
      return el("div", { class: "answer-cell", "data-lang": lang }, el("span", { class: "lang", text: lang.toUpperCase() }), area,
        el("button", { type: "button", class: "save", "data-lang": lang, text: t("save"), onclick: async () => {
          try {
            const saved = await api("PUT", `/desk/api/canned/${lang}`, { lines: area.value.split("\n") });
            state.canned[lang] = saved.lines; area.value = saved.lines.join("\n"); notice(t("saved"), "ok");
          } catch (err) { failed(err); }
        } }));
    });
    const name = el("input", { id: "new-name", required: true, maxlength: 64, autocomplete: "off", "aria-label": t("name"), placeholder: t("name") });
    const password = el("input", { id: "new-password", type: "password", required: true, minlength: 10, maxlength: 200, autocomplete: "new-password", "aria-label": t("password"), placeholder: t("password") });
    const role = el("select", { id: "new-role", "aria-label": t("role") }, ...["frontdesk", "admin"].map((r) => el("option", { value: r, text: t("role_" + r) })));
    const language = el("select", { id: "new-language", "aria-label": t("language") }, ...LANGS.map((l) => el("option", { value: l, selected: l === state.lang, text: l.toUpperCase() })));
    const addUser = el("form", { class: "add-user", id: "add-user", onsubmit: async (e) => {
      e.preventDefault();
      try { await api("POST", "/desk/api/users", { name: name.value, password: password.value, role: role.value, language: language.value }); notice(t("saved"), "ok"); await renderTeam(); }
      catch (err) { failed(err); }
    } }, name, password, role, language, el("button", { type: "submit", class: "primary", text: t("add_user") }));
    const people = el("table", { class: "users", id: "users" },
      el("thead", {}, el("tr", {}, ...[t("name"), t("role"), t("language"), t("status"), t("actions")].map((h) => el("th", { text: h })))),
      el("tbody", {}, ...users.users.map((u) => el("tr", { "data-user": u.name },
        el("td", { text: u.name }), el("td", { text: t("role_" + u.role) }), el("td", { text: (u.language || "").toUpperCase() }),
        el("td", { text: u.disabled ? t("disabled") : t("active") }),
        el("td", {},
          el("button", { type: "button", class: "passwd", text: t("set_password"), onclick: async () => {
            const fresh = prompt(`${t("new_password")} ${u.name}`);
            if (!fresh) return;
            try { await api("PUT", `/desk/api/users/${encodeURIComponent(u.name)}`, { password: fresh }); notice(t("saved"), "ok"); } catch (err) { failed(err); }
          } }),
          !u.disabled && u.name !== state.me.name ? el("button", { type: "button", class: "danger disable", text: t("disable"), onclick: async () => {
            if (!confirm(`${t("disable_confirm")} ${u.name}?`)) return;
            try { await api("PUT", `/desk/api/users/${encodeURIComponent(u.name)}`, { disabled: true }); await renderTeam(); } catch (err) { failed(err); }
          } }) : null)))));
    const failedLogins = failures.failures.length
      ? el("table", { class: "users", id: "login-failures" },
        el("thead", {}, el("tr", {}, ...[t("at"), t("name"), t("from_address"), ""].map((h) => el("th", { text: h })))),
        el("tbody", {}, ...failures.failures.map((f) => el("tr", {}, el("td", { text: when(f.at) }), el("td", { text: f.name || "—" }),
          el("td", { text: f.remote || "—" }), el("td", { text: f.known_user ? t("known_user") : t("unknown_user") })))))
      : el("p", { class: "empty", id: "login-failures", text: t("no_failures") });
    view.replaceChildren(el("section", { class: "team", id: "team" },
      el("h2", { text: t("canned_title") }), el("p", { class: "hint", text: t("canned_hint") }), el("div", { class: "answer-langs", id: "canned-editor" }, ...canned),
      el("h2", { text: t("accounts") }), people, addUser,
      el("h2", { text: t("login_failures") }), failedLogins,
      el("h2", { text: t("activity") }), activity));
  }

  // -- being told --------------------------------------------------------------------------------------
  // The box lists what staff must hear about, each with a key that changes only with news; a key not
  // seen before rings (a short chime), shows a notice and, if staff opted in, a desktop notification.
  // The count of conversations needing a person is in the tab's title and on the favicon.
  const seen = new Set();
  let baseline = false, audio = null;
  function showCounts(counts) {
    const n = counts.attention || 0;
    document.title = (n ? `(${n}) ` : "") + t("title");
    favicon(n);
    const button = document.getElementById("filter-attention");
    if (button) button.dataset.count = String(n);
  }
  function favicon(n) {
    const badge = n ? `<circle cx="23" cy="9" r="9" fill="#b3261e"/><text x="23" y="13" font-size="12" font-family="sans-serif" font-weight="700" text-anchor="middle" fill="#fff">${n > 9 ? "9+" : n}</text>` : "";
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="1" y="5" width="25" height="25" rx="6" fill="#0f6e5a"/><text x="13.5" y="24" font-size="17" font-family="sans-serif" font-weight="700" text-anchor="middle" fill="#fff">h</text>${badge}</svg>`;
    let link = document.querySelector("link[rel=icon]");
    if (!link) { link = el("link", { rel: "icon", type: "image/svg+xml" }); document.head.append(link); }
    link.href = "data:image/svg+xml," + encodeURIComponent(svg);
    link.dataset.count = String(n);
  }
  function ring() {
    if (!state.sound) return;
    try {
      audio = audio || new AudioContext();
      if (audio.state === "suspended") audio.resume().catch(() => {});
      const now = audio.currentTime;
      for (const [freq, at] of [[880, 0], [1320, 0.18]]) { // a two-note chime, no sound file needed
        const tone = audio.createOscillator(), gain = audio.createGain();
        tone.frequency.value = freq;
        gain.gain.setValueAtTime(0.2, now + at);
        gain.gain.exponentialRampToValueAtTime(0.001, now + at + 0.35);
        tone.connect(gain).connect(audio.destination);
        tone.start(now + at); tone.stop(now + at + 0.4);
      }
      document.body.dataset.rang = String(Number(document.body.dataset.rang || 0) + 1);
    } catch (err) { /* no audio device: the notice still shows */ }
  }
  function tell(item) {
    const title = `${word("alert", item.kind)}: ${item.guest}`;
    if (state.notify && "Notification" in window && Notification.permission === "granted") {
      const shown = new Notification(title, { tag: item.key, body: t("alert_body"), lang: state.lang, icon: document.querySelector("link[rel=icon]").href });
      shown.onclick = () => { window.focus(); if (item.conversation_id) location.hash = "#inbox/" + item.conversation_id; shown.close(); };
    }
    notice(title, "alert");
  }
  async function checkAlerts() {
    const data = await api("GET", "/desk/api/alerts");
    showCounts(data.counts);
    const fresh = data.alerts.filter((a) => !seen.has(a.key));
    for (const a of data.alerts) seen.add(a.key);
    if (!baseline) { baseline = true; return; } // what was there at login is shown, not rung
    // a guest writing in a conversation a colleague holds is the colleague's to hear
    const ours = fresh.filter((a) => a.kind !== "guest_wrote" || !a.held_by || a.held_by === state.me.actor);
    if (ours.length) ring();
    for (const a of ours.slice(0, 3)) tell(a);
  }
  function setupTelling() {
    state.sound = localStorage.getItem("desk.sound") !== "off";
    state.notify = localStorage.getItem("desk.notify") === "on" && "Notification" in window && Notification.permission === "granted";
    const sound = document.getElementById("sound"), notify = document.getElementById("notify");
    const show = () => {
      sound.classList.toggle("on", state.sound); sound.setAttribute("aria-pressed", String(state.sound));
      notify.classList.toggle("on", state.notify); notify.setAttribute("aria-pressed", String(state.notify));
      sound.title = t(state.sound ? "sound_on" : "sound_off"); sound.setAttribute("aria-label", sound.title);
      notify.title = t(state.notify ? "notify_on" : "notify_off"); notify.setAttribute("aria-label", notify.title);
    };
    sound.addEventListener("click", () => {
      state.sound = !state.sound; localStorage.setItem("desk.sound", state.sound ? "on" : "off"); show();
      if (state.sound) ring(); // a click lets the browser play it, and staff hear what it sounds like
    });
    notify.addEventListener("click", async () => {
      if (!("Notification" in window)) { notice(t("notify_unsupported"), "bad"); return; }
      if (state.notify) state.notify = false;
      else {
        const answer = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
        state.notify = answer === "granted";
        if (!state.notify) notice(t("notify_denied"), "bad");
      }
      localStorage.setItem("desk.notify", state.notify ? "on" : "off"); show();
    });
    // the browser lets a page play sound only after a click or a key: open the audio then
    const unlock = () => { if (state.sound && !audio) { try { audio = new AudioContext(); } catch (err) { /* none */ } } };
    document.addEventListener("pointerdown", unlock, { once: true });
    document.addEventListener("keydown", unlock, { once: true });
    state.showTelling = show;
    show();
  }

  // -- keyboard -------------------------------------------------------------------------------------
  // Alt+↓ / Alt+↑ (or j / k outside a text box) open the next or previous conversation in the list.
  function setupKeys() {
    document.addEventListener("keydown", (e) => {
      const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
      let step = 0;
      if (e.altKey && (e.key === "ArrowDown" || e.key === "ArrowUp")) step = e.key === "ArrowDown" ? 1 : -1;
      else if (!typing && !e.ctrlKey && !e.metaKey && !e.altKey && (e.key === "j" || e.key === "k")) step = e.key === "j" ? 1 : -1;
      if (!step || state.route !== "inbox" || !state.ids.length) return;
      e.preventDefault();
      const at = state.ids.indexOf(state.open);
      const next = state.ids[at < 0 ? (step > 0 ? 0 : state.ids.length - 1) : Math.min(state.ids.length - 1, Math.max(0, at + step))];
      if (next !== state.open) location.hash = "#inbox/" + next;
    });
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
      else if (route === "team" && state.me.role === "admin") await renderTeam();
      else await renderInbox();
    } catch (err) { failed(err); }
  }

  let pending = null;
  function soon() { // coalesce bursts of events into one refresh
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      checkAlerts().catch(() => {});
      if (!["knowledge", "team"].includes(state.route)) await render();
    }, 25);
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
    state.me.actor = "staff:" + state.me.name;
    state.lang = state.me.language;
    state.canned = await api("GET", "/desk/api/canned");
    document.getElementById("who").textContent = `${state.me.name} (${state.me.role})`;
    const uiLang = document.getElementById("ui-lang");
    uiLang.value = state.lang;
    uiLang.addEventListener("change", async () => {
      await api("PUT", "/desk/api/me/language", { language: uiLang.value });
      state.lang = uiLang.value; translatePage(); state.showTelling(); render(); checkAlerts().catch(() => {});
    });
    document.getElementById("logout").addEventListener("click", async () => { await api("POST", "/desk/api/logout"); location.href = "/login"; });
    window.addEventListener("hashchange", render);
    translatePage();
    setupTelling();
    setupKeys();
    if (state.me.role === "admin") document.getElementById("nav-team").hidden = false;
    await Promise.all([render(), checkAlerts().catch(() => {})]);
    connect();
  }
  start();
})();
