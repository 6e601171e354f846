// The "try it" page: a guest's chat with the bot, over the same pipeline as WhatsApp.
// Text is always inserted with textContent, never parsed as HTML: guest and bot text is data.
"use strict";
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("send");
  const input = document.getElementById("text");
  const langSelect = document.getElementById("lang");
  const errorBox = document.getElementById("error");
  const seen = new Set();
  const MAX_CHARS = Number(input.dataset.max || 2000); // the box's dialogue.max_message_chars
  const WORDS = {
    es: { long: (n) => `El mensaje es demasiado largo (${n} caracteres; máximo ${MAX_CHARS}). Acórtalo y vuelve a enviarlo.`, refused: "No se ha podido enviar:" },
    en: { long: (n) => `The message is too long (${n} characters; at most ${MAX_CHARS}). Shorten it and send it again.`, refused: "Not sent:" },
    pt: { long: (n) => `A mensagem é demasiado longa (${n} caracteres; máximo ${MAX_CHARS}). Encurte-a e envie de novo.`, refused: "Não foi enviada:" },
  };
  const words = () => WORDS[langSelect.value || (navigator.language || "en").slice(0, 2)] || WORDS.en;
  function showError(text) { errorBox.textContent = text; errorBox.hidden = false; }
  function clearError() { errorBox.textContent = ""; errorBox.hidden = true; }
  let session = localStorage.getItem("hotelbox.session");
  if (!session) { session = newId(); localStorage.setItem("hotelbox.session", session); }

  function newId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function show(message, item) {
    if (message.id && seen.has(message.id)) return null;
    if (message.id) seen.add(message.id);
    item = item || document.createElement("li");
    item.className = message.direction;
    if (message.id) item.dataset.id = message.id;
    const text = document.createElement("span");
    text.textContent = message.text || (message.audio ? "🎤" : "");
    item.appendChild(text);
    if (message.audio) {
      const audio = document.createElement("audio");
      audio.controls = true;
      audio.preload = "none";
      audio.src = message.audio;
      item.appendChild(audio);
      if (message.direction === "out" && message.live) audio.play().catch(() => {});
    }
    if (message.options && message.options.length) {
      const box = document.createElement("div");
      box.className = "options";
      for (const option of message.options) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = option.title;
        if (option.description) {
          const small = document.createElement("small");
          small.textContent = option.description;
          button.appendChild(small);
        }
        button.addEventListener("click", () => send(option.title, option.id));
        box.appendChild(button);
      }
      item.appendChild(box);
    }
    // in the order the box stored them, whatever order the answers arrive in
    const later = message.id ? Array.from(log.children).find((li) => li.dataset.id && Number(li.dataset.id) > message.id) : null;
    if (!item.isConnected) log.insertBefore(item, later || null);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  // The guest's own message is on screen before the request leaves (the bot's reply can come back
  // over the socket before the 202 does); refused, it is taken off and given back to edit.
  async function send(text, choice) {
    clearError();
    const body = { session, client_id: newId(), text, choice: choice || null, lang: langSelect.value || null };
    const mine = show({ direction: "in", text });
    mine.classList.add("sending");
    let response, result;
    try {
      response = await fetch("/try/api/messages", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      result = await response.json().catch(() => ({}));
    } catch (err) { response = null; result = { message: String(err) }; }
    if (response && response.ok) {
      mine.classList.remove("sending");
      if (result.message_id && !seen.has(result.message_id)) { seen.add(result.message_id); mine.dataset.id = result.message_id; }
      else if (result.message_id) mine.remove(); // already shown by the history
      return true;
    }
    mine.remove();
    if (!choice && !input.value) input.value = text;
    showError(`${words().refused} ${result.message || (response ? "HTTP " + response.status : "")}`);
    return false;
  }

  async function history() {
    const response = await fetch("/try/api/messages?session=" + encodeURIComponent(session));
    if (!response.ok) return;
    const data = await response.json();
    for (const message of data.messages) show(message);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/try/ws?session=${encodeURIComponent(session)}`);
    ws.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type === "reply") {
        show({
          id: data.id, direction: "out", text: data.audio ? "" : data.text, options: data.options,
          audio: data.audio, live: true,
        });
      }
    });
    ws.addEventListener("open", history);
    ws.addEventListener("close", () => setTimeout(connect, 2000));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (text.length > MAX_CHARS) { showError(words().long(text.length)); return; } // refused, never cut
    input.value = "";
    send(text);
  });
  // Voice notes: record in the browser (MediaRecorder, Opus), send the raw audio, like WhatsApp.
  const mic = document.getElementById("mic");
  let recorder = null;
  let chunks = [];
  async function toggleRecording() {
    if (recorder && recorder.state === "recording") { recorder.stop(); return; }
    if (!navigator.mediaDevices || !window.MediaRecorder) { mic.disabled = true; return; }
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const type = ["audio/ogg;codecs=opus", "audio/webm;codecs=opus", "audio/webm"].find((t) => MediaRecorder.isTypeSupported(t));
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    chunks = [];
    recorder.addEventListener("dataavailable", (event) => chunks.push(event.data));
    recorder.addEventListener("stop", async () => {
      stream.getTracks().forEach((track) => track.stop());
      mic.classList.remove("recording");
      const blob = new Blob(chunks, { type: recorder.mimeType });
      await sendVoice(blob);
    });
    recorder.start();
    mic.classList.add("recording");
  }
  async function sendVoice(blob) {
    const params = new URLSearchParams({ session, client_id: newId(), lang: langSelect.value || "" });
    const response = await fetch("/try/api/voice?" + params, {
      method: "POST", headers: { "Content-Type": blob.type.split(";")[0] }, body: blob,
    });
    const result = await response.json();
    if (response.ok) {
      show({ id: result.message_id, direction: "in", audio: `/try/api/audio/${result.message_id}?session=${session}` });
    } else showError(`${words().refused} ${result.message || response.status}`);
  }
  mic.addEventListener("click", () => { toggleRecording().catch((err) => showError(`${words().refused} ${err}`)); });

  document.getElementById("reset").addEventListener("click", () => {
    localStorage.removeItem("hotelbox.session");
    location.reload();
  });
  connect();
})();
