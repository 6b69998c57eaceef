/*
 * Two-step sign-in pages: progressive enhancement only. Loaded as an external classic
 * script (the Content-Security-Policy allows no inline script) by
 * templates/mfa/webauthn/snippets/scripts.html, after allauth's own WebAuthn scripts
 * (static mfa/js/webauthn-json.js, mfa/js/webauthn.js, account/js/onload.js, which read
 * their settings from <script type="application/json"> blocks and so need no inline
 * code), and by templates/mfa/totp/activate_form.html.
 *
 * 1. Security keys and passkeys need JavaScript and a browser with WebAuthn. Their
 *    buttons are in elements marked data-epep-webauthn, hidden in the HTML; this shows
 *    them when the browser can use them, or shows data-epep-webauthn-unsupported instead.
 *    Without JavaScript a <noscript> note explains (mfa/webauthn/snippets/unavailable.html).
 * 2. allauth's WebAuthn script reports a failure (cancelled, timed out, unknown key) as an
 *    "allauth.error" event and otherwise only logs it: this shows a GOV.UK error message
 *    in the data-epep-webauthn-error live region instead.
 * 3. "Copy key" buttons (data-epep-copy="id of the element to copy"): without JavaScript
 *    the key is still selectable text.
 */
(function () {
  "use strict";

  function ready(callback) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", callback);
    } else {
      callback();
    }
  }

  function webauthnSupported() {
    return Boolean(
      window.PublicKeyCredential && navigator.credentials && navigator.credentials.get
    );
  }

  function showWebauthn() {
    const supported = webauthnSupported();
    document.querySelectorAll("[data-epep-webauthn]").forEach(function (element) {
      element.hidden = !supported;
    });
    document.querySelectorAll("[data-epep-webauthn-unsupported]").forEach(function (element) {
      element.hidden = supported;
    });
  }

  function errorText(exception) {
    const name = exception && exception.name;
    if (name === "NotAllowedError" || name === "AbortError") {
      return "Your security key or passkey was not used: you cancelled, or it took too long. Try again.";
    }
    if (name === "InvalidStateError") {
      return "This security key or passkey is already added to your account.";
    }
    return "Your security key or passkey could not be used. Try again, or use your authenticator app.";
  }

  function showWebauthnErrors() {
    document.addEventListener("allauth.error", function (event) {
      const region = document.querySelector("[data-epep-webauthn-error]");
      if (!region) {
        return;
      }
      // Handled here: allauth would otherwise only log it to the console.
      event.preventDefault();
      const message = document.createElement("p");
      message.className = "govuk-error-message";
      const prefix = document.createElement("span");
      prefix.className = "govuk-visually-hidden";
      prefix.textContent = "Error:";
      message.append(prefix, " ", errorText(event.detail && event.detail.exception));
      region.replaceChildren(message);
    });
  }

  function copyButtons() {
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      return;
    }
    document.querySelectorAll("[data-epep-copy]").forEach(function (wrapper) {
      const source = document.getElementById(wrapper.dataset.epepCopy);
      const button = wrapper.querySelector("button");
      const status = wrapper.querySelector("[data-epep-copy-status]");
      if (!source || !button) {
        return;
      }
      wrapper.hidden = false;
      button.addEventListener("click", function () {
        const text = source.textContent.replace(/\s+/g, "");
        navigator.clipboard.writeText(text).then(
          function () {
            if (status) status.textContent = "Key copied.";
          },
          function () {
            if (status) status.textContent = "The key could not be copied. Select it and copy it instead.";
          }
        );
      });
    });
  }

  ready(function () {
    showWebauthn();
    copyButtons();
  });
  showWebauthnErrors();
})();
