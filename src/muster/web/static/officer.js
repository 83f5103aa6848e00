// The officer's screening screen: a document reader in keyboard mode types each line of the
// zone and Enter; the zone is screened as soon as it is complete (2×44, 2×36 or 3×30), with
// no click. Escape clears the screen for the next traveler.
"use strict";
(() => {
  const LINES_FOR = { 44: 2, 36: 2, 30: 3 };

  function fill(message, values) {
    return message.replace(/%\((\w+)\)s/g, (_m, name) => String(values[name] ?? ""));
  }

  function zoneLines(text) {
    return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  }

  // Where the zone stands: how many lines it needs (from its first line's length), whether
  // it is complete, and a line whose length no zone has.
  function zoneState(lines) {
    if (lines.length === 0) return { needed: 0, complete: false, odd: null };
    const width = lines[0].length;
    const needed = LINES_FOR[width] || 2;
    const odd = lines.findIndex((l) => LINES_FOR[l.length] === undefined || l.length !== width);
    return { needed, complete: lines.length >= needed, odd: odd < 0 ? null : odd, width };
  }

  function focusMarked(root) {
    const target = (root || document).querySelector("[data-autofocus]");
    if (target) target.focus();
  }

  function onZoneKey(event) {
    const area = event.target;
    if (!(area instanceof HTMLTextAreaElement) || area.id !== "document") return;
    if (event.key !== "Enter" || event.shiftKey || event.altKey || event.ctrlKey || event.isComposing) return;
    const lines = zoneLines(area.value);
    const state = zoneState(lines);
    const status = document.getElementById("zone-status");
    if (lines.length === 0) {
      event.preventDefault();
      return;
    }
    if (state.complete) {
      event.preventDefault();
      area.form.requestSubmit();
      return;
    }
    if (status) {
      if (state.odd !== null) {
        status.textContent = fill(area.dataset.msgLength, { line: state.odd + 1, count: lines[state.odd].length });
      } else {
        const format = state.width === 30 ? area.dataset.msgCard : area.dataset.msgPassport;
        status.textContent = fill(area.dataset.msgProgress, { line: lines.length, lines: state.needed, format });
      }
    }
  }

  // The next traveler: empty fields, no decision, the cursor in the document field.
  function nextTraveler() {
    const work = document.getElementById("work");
    if (!work) return;
    work.querySelectorAll("textarea, input:not([type=hidden])").forEach((el) => { el.value = ""; });
    work.querySelectorAll("[data-carried]").forEach((el) => el.remove());
    work.querySelectorAll(".field-error").forEach((el) => el.remove());
    work.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    const status = document.getElementById("zone-status");
    if (status) status.textContent = "";
    const decision = document.getElementById("decision");
    const waiting = document.getElementById("waiting-template");
    if (decision && waiting) {
      decision.replaceChildren(waiting.content.cloneNode(true));
    }
    document.getElementById("document").focus();
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.getElementById("work")) {
      event.preventDefault();
      nextTraveler();
      return;
    }
    onZoneKey(event);
  });

  // A refusal (a document that fails its checks, a field to correct) is a page to show too.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if (status >= 400 && status < 600 && event.detail.target && event.detail.target.id === "work") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target && event.target.id === "work") focusMarked(event.target);
  });
  document.addEventListener("htmx:afterSwap", () => {
    const work = document.getElementById("work");
    if (work) focusMarked(work);
  });
})();
