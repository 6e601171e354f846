// Front desk login: JSON to /desk/api/login; the session cookie is HttpOnly (script never sees it).
// The page speaks the browser's language (es, en or pt) until the user's own choice takes over.
"use strict";
(function () {
  const WORDS = {
    es: { user: "Usuario", password: "Contraseña", login: "Entrar", title: "hotelbox — recepción",
      bad_credentials: "Usuario o contraseña incorrectos.", too_many_attempts: "Demasiados intentos: espera un poco y vuelve a probar.",
      invalid_input: "Escribe el usuario y la contraseña.", _: "No se pudo entrar. Inténtalo de nuevo." },
    en: { user: "User", password: "Password", login: "Log in", title: "hotelbox — front desk",
      bad_credentials: "Wrong user name or password.", too_many_attempts: "Too many attempts: wait a little and try again.",
      invalid_input: "Write the user name and the password.", _: "Could not log in. Try again." },
    pt: { user: "Utilizador", password: "Palavra-passe", login: "Entrar", title: "hotelbox — receção",
      bad_credentials: "Utilizador ou palavra-passe errados.", too_many_attempts: "Demasiadas tentativas: espere um pouco e tente de novo.",
      invalid_input: "Escreva o utilizador e a palavra-passe.", _: "Não foi possível entrar. Tente de novo." },
  };
  const lang = ((navigator.languages || [navigator.language || "en"]).map((l) => l.slice(0, 2)).find((l) => l in WORDS)) || "en";
  const words = WORDS[lang];
  document.documentElement.lang = lang;
  document.title = words.title;
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = words[node.dataset.t];
  const form = document.getElementById("login");
  const error = document.getElementById("error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const body = { name: document.getElementById("name").value, password: document.getElementById("password").value };
    let response = null;
    try {
      response = await fetch("/desk/api/login", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
    } catch (err) { error.textContent = words._; return; }
    if (response.ok) { location.href = "/desk"; return; }
    const result = await response.json().catch(() => ({}));
    error.textContent = words[result.error] || words._;
  });
})();
