// Front desk login: JSON to /desk/api/login; the session cookie is HttpOnly (script never sees it).
"use strict";
(function () {
  const form = document.getElementById("login");
  const error = document.getElementById("error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const body = { name: document.getElementById("name").value, password: document.getElementById("password").value };
    const response = await fetch("/desk/api/login", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    if (response.ok) { location.href = "/desk"; return; }
    const result = await response.json().catch(() => ({}));
    error.textContent = result.message || ("HTTP " + response.status);
  });
})();
