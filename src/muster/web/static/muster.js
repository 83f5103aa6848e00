// Muster's own behaviour on top of htmx: nothing inline (the pages' Content-Security-Policy
// allows only this server's scripts).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const first = document.querySelector("[data-autofocus]");
  if (first) first.focus();
});
