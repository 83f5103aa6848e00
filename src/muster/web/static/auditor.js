// The ledger page: "Verify now" followed step by step. The server answers the form with one
// JSON object a line (a step: its stage, percent and count; then the end: its HTML), on the
// one connection that asked, so the page follows its own verification whichever server
// process runs it. Without this script the form is sent as it is and the page comes back
// with the result at the end.
"use strict";

function followVerification(form) {
  const box = document.getElementById("verify-progress");
  const bar = document.getElementById("verify-bar");
  const stageText = document.getElementById("verify-stage");
  const items = [...document.querySelectorAll("#verify-stages li")];
  const result = document.getElementById("verify-result");
  const button = form.querySelector("button[type=submit]");
  const words = box.dataset;

  function mark(item, state, count) {
    item.dataset.state = state;
    item.querySelector(".state").textContent = words[state];
    if (count !== undefined) item.querySelector(".count").textContent = count;
  }

  function show(step) {
    bar.value = step.percent;
    bar.textContent = step.percent + " %";
    if (step.stage !== undefined) {
      items.forEach((item, i) => {
        if (i < step.stage) mark(item, "done");
        else if (i === step.stage) mark(item, "current", step.count);
        else mark(item, "pending");
      });
      stageText.textContent = step.count ? step.label + " — " + step.count : step.label;
    }
    if (step.html !== undefined) {
      if (step.complete) items.forEach((item) => mark(item, "done"));
      stageText.textContent = "";
      result.innerHTML = step.html; // this server's own rendering, escaped there
      const outcome = document.getElementById("verify-outcome");
      if (outcome) outcome.focus();
    }
  }

  async function run() {
    button.disabled = true;
    result.replaceChildren();
    box.hidden = false;
    items.forEach((item) => mark(item, "pending", ""));
    show({ percent: 0 });
    let ended = false;
    try {
      const answer = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/x-ndjson" },
        credentials: "same-origin",
      });
      const type = answer.headers.get("content-type") || "";
      if (!answer.ok || !answer.body || !type.startsWith("application/x-ndjson")) {
        throw new Error("not a verification's stream");
      }
      const reader = answer.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, end).trim();
          buffer = buffer.slice(end + 1);
          if (!line) continue;
          const step = JSON.parse(line);
          show(step);
          if (step.html !== undefined) ended = true;
        }
      }
    } catch (err) {
      ended = false;
    } finally {
      button.disabled = false;
    }
    if (!ended) {
      const failed = document.createElement("p");
      failed.className = "problem";
      failed.setAttribute("role", "alert");
      failed.textContent = words.failed;
      result.replaceChildren(failed);
    }
  }

  form.addEventListener("submit", (event) => {
    if (!window.fetch || !window.ReadableStream || !window.TextDecoder) return; // plain form
    event.preventDefault();
    run();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("verify-form");
  if (form) followVerification(form);
});
