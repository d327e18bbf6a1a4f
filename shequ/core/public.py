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
    "hall/catalog/public/": "the public service catalog and its printable notices",
    "hall/lookup/": "status lookup by tracking code and the last 4 digits of the phone",
    "hall/queue/kiosk/": "the queue-ticket kiosk of a hall",
    "hall/queue/screen/": "the calling screen of a hall",
    "api/v1/hall/lookup": "status lookup and rating through the API (code + phone digits)",
    "open311/v2/": "Open311 GeoReport v2: public reads without personal data; POST needs a key",
    "incidents/report/sw.js": "the reporting page's service worker: code and file names, no data",
    "incidents/report/manifest.webmanifest": "the reporting app's manifest (fetched without login)",
    "hotline/opinions/": "residents' opinions: the form, and a resident's own opinions only",
}

# Reference data shared by the whole district: every staff user may read these objects (GET
# answers 200), but only their managers may change them (writes answer 403 or 404).
SHARED_ROUTES: dict[str, str] = {
    "hall/catalog/": "the service catalog is the same in every community of the district",
    "api/v1/hall/items": "the service catalog through the API",
    "incidents/categories/": "the incident category table is the same in every grid",
    "api/v1/incidents/categories": "the incident category table through the API",
}

# The Django admin guards itself: anyone but a district administrator is sent to its login.
ADMIN_PREFIX = "admin/"
