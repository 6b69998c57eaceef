/*
 * PEP sections save as people type (htmx does the saving: see the hx-* attributes on
 * form.epep-autosave in portal/peps/detail.html — debounced, one save in flight, the
 * latest queued). This module only keeps the visible status honest:
 *   - "Unsaved changes" as soon as someone types;
 *   - "Saving…" while a save is in flight;
 *   - when a save cannot reach the server, the text stays in the box and the status says
 *     it was NOT saved, and the save is tried again when the connection comes back.
 * Without JavaScript each section has its own Save button.
 */

function statusFor(form) {
  return form.querySelector(".epep-saved-status");
}

function setStatus(form, text, isError) {
  const status = statusFor(form);
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("epep-saved-status--error", Boolean(isError));
}

const pending = new Set();

function autosaveForm(event) {
  const form = event.target.closest && event.target.closest("form.epep-autosave");
  return form || null;
}

document.addEventListener("input", (event) => {
  const form = autosaveForm(event);
  if (form) {
    form.dataset.dirty = "true";
    setStatus(form, "Unsaved changes");
  }
});

document.addEventListener("htmx:beforeRequest", (event) => {
  const form = autosaveForm(event);
  if (form) setStatus(form, "Saving…");
});

document.addEventListener("htmx:afterRequest", (event) => {
  const form = autosaveForm(event);
  if (form && event.detail.successful) {
    delete form.dataset.dirty;
    pending.delete(form);
  }
});

function notSaved(event, message) {
  const form = autosaveForm(event);
  if (!form) return;
  pending.add(form);
  setStatus(form, message, true);
}

document.addEventListener("htmx:sendError", (event) =>
  notSaved(event, "Not saved: we cannot reach ePEP. Your text is still here. We will try again when you are back online, or press Save."),
);
document.addEventListener("htmx:timeout", (event) =>
  notSaved(event, "Not saved: ePEP took too long to answer. Your text is still here. Press Save to try again."),
);
document.addEventListener("htmx:responseError", (event) =>
  notSaved(event, "Not saved: something went wrong on our side. Your text is still here. Press Save to try again."),
);

window.addEventListener("online", () => {
  for (const form of pending) {
    window.htmx.trigger(form, "submit");
  }
});

window.addEventListener("beforeunload", (event) => {
  if (document.querySelector("form.epep-autosave[data-dirty='true']")) {
    event.preventDefault();
  }
});
