// Roll import and order drafting: the upload's progress and size, the kind's own fields, and
// subjects picked from the roll with the keyboard. Nothing inline (the pages' CSP).
"use strict";
(() => {
  const show = (el, on) => { if (el) el.hidden = !on; };

  // ---- roll import
  const tooLarge = (form) => {
    const input = form.querySelector('input[type="file"]');
    const max = Number(form.dataset.maxBytes || 0);
    const file = input && input.files && input.files[0];
    return Boolean(max && file && file.size > max);
  };
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.id !== "import-form") return;
    show(form.querySelector("[data-failed]"), false);
    const over = tooLarge(form);
    show(form.querySelector("[data-too-large]"), over);
    if (over) {
      event.preventDefault();
      event.stopImmediatePropagation();
      form.querySelector('input[type="file"]').focus();
    }
  }, true);
  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || form.id !== "import-form") return;
    if (tooLarge(form)) { event.preventDefault(); return; }
    const bar = form.querySelector("#upload-progress");
    if (bar) { bar.value = 0; show(form.querySelector("[data-upload]"), true); }
    const result = document.getElementById("import-result");
    if (result) result.replaceChildren();
  });
  document.addEventListener("htmx:xhr:progress", (event) => {
    const form = event.target.closest ? event.target.closest("#import-form") : null;
    const bar = form && form.querySelector("#upload-progress");
    if (bar && event.detail.lengthComputable) {
      bar.value = Math.round((100 * event.detail.loaded) / event.detail.total);
    }
  });
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    const form = document.getElementById("import-form");
    if (status === 413 && form) {
      event.detail.shouldSwap = false;
      show(form.querySelector("[data-too-large]"), true);
      show(form.querySelector("[data-upload]"), false);
    } else if ([400, 404, 409].includes(status)) {
      event.detail.shouldSwap = true;  // the page's own words for the refusal
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    // the check's progress or result comes below the form: bring it into view, once
    if (event.detail.target && event.detail.target.id === "import-result") {
      event.detail.target.scrollIntoView({ block: "start" });
    }
  });
  document.addEventListener("htmx:sendError", () => {
    const form = document.getElementById("import-form");
    if (form) show(form.querySelector("[data-failed]"), true);
  });

  // ---- order drafting
  const kindFields = () => {
    const kind = document.getElementById("kind");
    if (!kind) return;
    const option = kind.selectedOptions[0];
    document.querySelectorAll("fieldset[data-kinds]").forEach((set) => {
      const on = set.dataset.kinds.split(" ").includes(kind.value);
      set.hidden = !on;
      set.disabled = !on;
    });
    const section = document.querySelector("[data-subjects-section]");
    show(section, !option || option.dataset.subjects !== "no");
  };
  const picked = () => document.getElementById("picked");
  const announce = (template, who) => {
    const where = document.querySelector("[data-announce]");
    if (where && template) where.textContent = template.replace("{who}", who);
  };
  const recount = () => {
    const count = document.querySelector("[data-picked-count]");
    if (count && picked()) count.textContent = String(picked().children.length);
  };
  const search = () => document.getElementById("subject-search");
  const backToSearch = () => { const s = search(); if (s) { s.focus(); s.select(); } };

  const addSubject = (button) => {
    const list = picked();
    if (!list) return;
    const ref = button.dataset.ref;
    const label = button.dataset.label + (button.dataset.status ? " · " + button.dataset.status : "");
    const known = [...list.querySelectorAll('input[name="subjects"]')].some((i) => i.value === ref);
    if (known) { announce(list.dataset.already, label); backToSearch(); return; }
    const item = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = label;
    const input = document.createElement("input");
    Object.assign(input, { type: "hidden", name: "subjects", value: ref });
    input.setAttribute("form", "draft-form");
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "remove-subject";
    remove.textContent = list.dataset.removeLabel;
    item.append(text, input, " ", remove);
    list.append(item);
    recount();
    announce(list.dataset.added, label);
    backToSearch();
  };

  document.addEventListener("click", (event) => {
    const add = event.target.closest && event.target.closest(".add-subject");
    if (add) { addSubject(add); return; }
    const remove = event.target.closest && event.target.closest(".remove-subject");
    if (remove) {
      const item = remove.closest("li");
      const list = picked();
      const who = item.querySelector("span").textContent;
      item.remove();
      recount();
      if (list) announce(list.dataset.removed, who);
      backToSearch();
    }
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (!(target instanceof HTMLElement)) return;
    const results = () => [...document.querySelectorAll("#subject-results .add-subject")];
    if (target.id === "subject-search") {
      if (event.key === "ArrowDown" && results().length) {
        event.preventDefault();
        results()[0].focus();
      }
      return;
    }
    if (target.classList.contains("add-subject")) {
      const all = results();
      const at = all.indexOf(target);
      if (event.key === "ArrowDown" && at < all.length - 1) { event.preventDefault(); all[at + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); (at > 0 ? all[at - 1] : search()).focus(); }
      if (event.key === "Escape") { event.preventDefault(); backToSearch(); }
    }
  });
  document.addEventListener("change", (event) => {
    if (event.target && event.target.id === "kind") kindFields();
  });
  document.addEventListener("DOMContentLoaded", kindFields);
})();
