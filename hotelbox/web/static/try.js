// The "try it" page: a guest's chat with the bot, over the same pipeline as WhatsApp.
// Text is always inserted with textContent, never parsed as HTML: guest and bot text is data.
"use strict";
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("send");
  const input = document.getElementById("text");
  const langSelect = document.getElementById("lang");
  const seen = new Set();
  let session = localStorage.getItem("hotelbox.session");
  if (!session) { session = newId(); localStorage.setItem("hotelbox.session", session); }

  function newId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function show(message) {
    if (message.id && seen.has(message.id)) return;
    if (message.id) seen.add(message.id);
    const item = document.createElement("li");
    item.className = message.direction;
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
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  async function send(text, choice) {
    const body = { session, client_id: newId(), text, choice: choice || null, lang: langSelect.value || null };
    const response = await fetch("/try/api/messages", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const result = await response.json();
    if (response.ok) show({ id: result.message_id, direction: "in", text });
    else show({ direction: "out", text: "⚠ " + (result.message || response.status) });
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
    } else show({ direction: "out", text: "⚠ " + (result.message || response.status) });
  }
  mic.addEventListener("click", () => { toggleRecording().catch((err) => show({ direction: "out", text: "⚠ " + err })); });

  document.getElementById("reset").addEventListener("click", () => {
    localStorage.removeItem("hotelbox.session");
    location.reload();
  });
  connect();
})();
