/*
 * ePEP page script: an ES module, loaded once by templates/base.html.
 * There are no inline scripts anywhere; the Content-Security-Policy has no
 * 'unsafe-inline' (and no 'unsafe-eval').
 *
 * How the base template loads it (order matters: htmx first, then this):
 *
 *   {% load static django_htmx %}
 *   <head>
 *     <meta name="csrf-token" content="{{ csrf_token }}">
 *     <link rel="stylesheet" href="{% static 'vendor/govuk-frontend/epep.min.css' %}">
 *     {% htmx_script minified=True %}
 *     <script type="module" src="{% static 'js/epep.js' %}"></script>
 *   </head>
 *   <body class="govuk-template__body">
 *
 * {% htmx_script %} writes <script src=".../django_htmx/htmx-2.min.js" defer>
 * (htmx 2 is its default; never pass version=4). Deferred scripts and module
 * scripts run in document order once the page is parsed, so htmx is defined
 * by the time this module runs, and htmx itself waits for DOMContentLoaded
 * (which comes after this module) before it reads its config.
 *
 * This module does two things:
 *   1. starts GOV.UK Frontend;
 *   2. configures htmx: sends Django's CSRF token with every htmx request,
 *      and sets the htmx options that a strict CSP needs.
 */

// Relative, so it follows STATIC_URL (it resolves to
// /static/vendor/govuk-frontend/govuk-frontend.min.js with the default one).
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";
// The session timeout warning (templates/includes/session_timeout.html).
import "./session-timeout.js";
import "./pep-autosave.js";

// 1. GOV.UK Frontend.
// GOV.UK Frontend 6 initialises nothing unless <body> has the class
// "govuk-frontend-supported". GOV.UK's page template adds it with an inline
// <script>; a browser that runs this module supports ES modules, which is
// exactly the test that inline script makes, so we add the class here.
// (The CSS in 6.x no longer uses "js-enabled"; it is not needed.)
document.body.classList.add("govuk-frontend-supported");
initAll();

// 2. htmx.
// Django reads the token from the X-CSRFToken header (CSRF_HEADER_NAME).
// The token is read at request time, so a page whose <meta> is replaced
// (for example after login rotates the token) sends the current one.
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});

if (window.htmx) {
  // htmx would inject an inline <style> for .htmx-indicator, which the CSP
  // blocks; the same rules are in epep.min.css instead.
  window.htmx.config.includeIndicatorStyles = false;
  // No eval: hx-on, "js:" values and trigger filters need 'unsafe-eval'.
  window.htmx.config.allowEval = false;
  // Do not run <script> elements found in swapped-in HTML.
  window.htmx.config.allowScriptTags = false;
}
