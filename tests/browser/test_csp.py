"""The strict Content-Security-Policy breaks nothing: the portal (GOV.UK Frontend, htmx)
and the Django admin (its JavaScript: inlines, calendar, filters) run in Chromium without
a single violation."""

import pytest

from epep.tenancy.roles import Role

from .test_session_timeout import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collected in the page (a listener added through the DevTools protocol, which the page's
# CSP does not govern), alongside the console messages signed_in_page collects.
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def violations(page) -> list[str]:
    return page.csp_violations + page.evaluate("window.__cspViolations")


def test_portal_pages_have_no_csp_violations(browser, live_server, world):
    page = signed_in_page(browser, live_server, world.a.users[Role.VS_HEAD])
    page.add_init_script(LISTEN)
    page.goto(f"{live_server.url}/virtual-school/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert page.evaluate("typeof window.htmx") == "object"
    assert violations(page) == []
    page.get_by_role("link", name=world.a.child.display_name).click()
    page.wait_for_load_state("networkidle")
    assert violations(page) == []

    # And the policy bites: an inline script (as injected HTML would bring) does not run.
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = true'; document.head.append(s); }"""
    )
    page.wait_for_function("window.__cspViolations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert violations(page)[-1].startswith("script-src")
    page.context.close()


def test_the_admin_works_under_the_csp(browser, live_server, world):
    officer = world.a.users[Role.VS_OFFICER]
    page = signed_in_page(browser, live_server, officer)
    page.add_init_script(LISTEN)

    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("heading", name="Virtual School quality assurance").wait_for()
    assert violations(page) == []

    page.goto(f"{live_server.url}/admin/children/child/")
    page.wait_for_load_state("networkidle")
    # The filter sidebar and the actions bar are driven by the admin's JavaScript.
    assert page.locator("#changelist-filter").is_visible()
    assert violations(page) == []

    page.goto(f"{live_server.url}/admin/children/child/{world.a.child.pk}/change/")
    page.wait_for_load_state("networkidle")
    rows = page.locator("#enrolments-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#enrolments-group .add-row a").click()
    assert rows.count() == before + 1
    # The calendar shortcut beside a date field.
    new_row = rows.last
    new_row.locator(".datetimeshortcuts a", has_text="Today").first.click()
    assert new_row.locator("input.vDateField").first.input_value() != ""
    # The calendar pop-up, built by the admin's JavaScript.
    new_row.locator("button[id^='calendarlink']").first.click()
    page.locator(".calendarbox[open]").wait_for(state="visible", timeout=5000)
    assert violations(page) == []
    page.context.close()
