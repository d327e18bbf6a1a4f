"""URLs that are public on purpose: no login, or a guard of their own.

The generated stranger test (tests/test_stranger.py) visits every other URL as a user of a
sibling grid and expects "not found" or "forbidden". A new URL that the test cannot exercise
fails it until it is listed here, with the reason.
"""

# Route prefixes (as in the URL map) that anyone may open.
PUBLIC_ROUTES: dict[str, str] = {
    "accounts/login/": "the staff login form",
    "portal/": "the resident portal: residents only ever see their own account",
    "workdays/public/": "the public holiday calendar",
    "i18n/": "the language switch",
    "api/v1/openapi.json": "the API description",
    "api/v1/docs": "the API documentation page",
}

# The Django admin guards itself: anyone but a district administrator is sent to its login.
ADMIN_PREFIX = "admin/"
