/*
 * Session timeout warning (WCAG 2.2.1 Timing Adjustable), after the HMRC/DWP
 * "timeout warning" pattern. Imported by js/epep.js; no inline scripts.
 *
 * The markup is templates/includes/session_timeout.html: a closed <dialog>
 * (hidden without JavaScript) with data attributes:
 *   data-status-url      GET: JSON {signed_in, seconds_left, extendable, ...};
 *                        polling it does not count as activity
 *   data-sign-in-url     where to go once the session has ended
 *   data-seconds-left    seconds left when the page was rendered
 *   data-warning-seconds open the dialog this long before the end
 *   data-extendable      "false" when the absolute limit (12 hours after sign-in)
 *                        is the nearer one: "Stay signed in" cannot help then
 *
 * The server decides: this script only keeps a local deadline, refreshes it
 * from the status endpoint (every minute, when the tab becomes visible again,
 * and before opening or acting on the warning), and opens the dialog
 * {warning} seconds before the end. When time runs out it asks the server,
 * which signs the person out (and says why on the sign-in page), then goes to
 * the sign-in page.
 */

const POLL_SECONDS = 60;
const POLL_SECONDS_WHILE_OPEN = 30;
// Screen readers hear the countdown at most this often.
const ANNOUNCE_EVERY_SECONDS = 30;

function describe(seconds) {
  const total = Math.max(0, Math.ceil(seconds));
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

class SessionTimeout {
  constructor(dialog) {
    this.dialog = dialog;
    this.statusUrl = dialog.dataset.statusUrl;
    this.signInUrl = dialog.dataset.signInUrl;
    this.warning = Number(dialog.dataset.warningSeconds) || 120;
    this.countdown = dialog.querySelector("[data-session-timeout-countdown]");
    this.announcement = dialog.querySelector("[data-session-timeout-announcement]");
    this.extendForm = dialog.querySelector("form[data-session-timeout-extend]");
    this.closeButton = dialog.querySelector("[data-session-timeout-close]");
    this.returnFocusTo = null;
    this.dismissed = false;
    this.leaving = false;
    this.busy = false;
    this.lastAnnounced = null;
    this.update({
      seconds_left: Number(dialog.dataset.secondsLeft),
      extendable: dialog.dataset.extendable !== "false",
    });
    this.lastPoll = Date.now();
  }

  start() {
    this.extendForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.staySignedIn();
    });
    this.closeButton.addEventListener("click", () => {
      this.dismissed = true;
      this.close();
    });
    // Escape closes a modal <dialog>: treat it as "Stay signed in" (the person
    // is clearly there), or as "Continue" when the session cannot be extended.
    this.dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      if (this.extendable) {
        this.staySignedIn();
      } else {
        this.dismissed = true;
        this.close();
      }
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.refresh();
    });
    this.timer = window.setInterval(() => this.tick(), 1000);
  }

  secondsLeft() {
    return (this.deadline - Date.now()) / 1000;
  }

  update(status) {
    this.deadline = Date.now() + status.seconds_left * 1000;
    this.extendable = status.extendable !== false;
    for (const element of this.dialog.querySelectorAll("[data-session-timeout-when]")) {
      const wanted = element.dataset.sessionTimeoutWhen === "extendable";
      element.hidden = wanted !== this.extendable;
    }
  }

  async tick() {
    if (this.busy || this.leaving) return;
    const left = this.secondsLeft();
    if (left <= 0) {
      await this.expire();
    } else if (left <= this.warning && !this.dialog.open && !this.dismissed) {
      // Check with the server first: another tab may have kept the session alive.
      if (await this.refresh()) {
        if (this.secondsLeft() <= this.warning && !this.dialog.open) this.open();
      }
    } else {
      const every = this.dialog.open ? POLL_SECONDS_WHILE_OPEN : POLL_SECONDS;
      if (Date.now() - this.lastPoll >= every * 1000) await this.refresh();
    }
    if (this.dialog.open) this.render();
  }

  // Ask the server how long is left. Returns false once the session has ended
  // (and then leaves for the sign-in page).
  async refresh() {
    if (this.busy) return true;
    this.busy = true;
    try {
      const response = await fetch(this.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      this.lastPoll = Date.now();
      return this.handle(response);
    } catch {
      // Offline for a moment: keep the local deadline.
      return true;
    } finally {
      this.busy = false;
    }
  }

  async handle(response) {
    // Signed out already (elsewhere, or just now by the server): the status URL
    // answers 401, or redirects to the sign-in page.
    if (response.status === 401 || response.redirected) {
      this.leave();
      return false;
    }
    if (!response.ok) return true;
    const status = await response.json();
    if (!status.signed_in) {
      this.leave();
      return false;
    }
    this.update(status);
    if (this.secondsLeft() > this.warning) {
      this.dismissed = false;
      if (this.dialog.open) this.close();
    }
    return true;
  }

  async expire() {
    // The server has the last word: it signs out (and says why) once the time is up.
    if (await this.refresh()) {
      if (this.secondsLeft() <= 0) this.deadline = Date.now() + 1000;
    }
  }

  async staySignedIn() {
    // The person's own choice: never dropped because a poll is in flight (a poll
    // answering late cannot reopen the dialog: opening always asks the server).
    if (this.leaving) return;
    this.busy = true;
    try {
      const response = await fetch(this.extendForm.action, {
        method: "POST",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: new FormData(this.extendForm),
        credentials: "same-origin",
      });
      this.busy = false;
      this.lastPoll = Date.now();
      if (response.status === 403) {
        // The CSRF token went stale (signed in again in another tab): post the
        // form the ordinary way, which comes back to this page.
        this.extendForm.submit();
        return;
      }
      if (await this.handle(response)) this.close();
    } catch {
      this.busy = false;
      this.extendForm.submit();
    }
  }

  open() {
    this.returnFocusTo = document.activeElement;
    this.lastAnnounced = null;
    this.render();
    this.dialog.showModal();
    // Focus the dialog itself, so its title and description are read first.
    this.dialog.focus();
  }

  close() {
    if (!this.dialog.open) return;
    this.dialog.close();
    const target = this.returnFocusTo;
    this.returnFocusTo = null;
    if (target && target !== document.body && document.contains(target)) {
      target.focus();
    }
  }

  render() {
    const left = Math.max(0, this.secondsLeft());
    this.countdown.textContent = describe(left);
    // Announce on opening, then every ANNOUNCE_EVERY_SECONDS, on the rounded value.
    const step = Math.ceil(left / ANNOUNCE_EVERY_SECONDS) * ANNOUNCE_EVERY_SECONDS;
    const bucket = this.lastAnnounced === null ? Math.ceil(left) : step;
    if (this.lastAnnounced === null || bucket < this.lastAnnounced) {
      this.lastAnnounced = bucket;
      this.announcement.textContent = `For your security, we will sign you out in ${describe(bucket)}.`;
    }
  }

  leave() {
    if (this.leaving) return;
    this.leaving = true;
    window.clearInterval(this.timer);
    const url = new URL(this.signInUrl, window.location.href);
    url.searchParams.set("next", window.location.pathname + window.location.search);
    window.location.assign(url.href);
  }
}

export function startSessionTimeout(root = document) {
  const dialog = root.querySelector("dialog[data-session-timeout]");
  if (!dialog || typeof dialog.showModal !== "function") return null;
  const timeout = new SessionTimeout(dialog);
  timeout.start();
  return timeout;
}

startSessionTimeout();
