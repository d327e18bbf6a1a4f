from typing import Any

from django.http import HttpRequest

from shequ.core.navigation import nav_for
from shequ.regions import permissions as perms


def shell(request: HttpRequest) -> dict[str, Any]:
    """Navigation and role badges for the staff shell; nothing for anonymous pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    if namespace == "accounts" and match and match.url_name and "token" in match.url_name:
        namespace = "tokens"
    if namespace in ("hall", "hotline", "incidents") and match:
        # The hall's parts have their own entries: hall/intake/... -> "hall-intake".
        namespace += "-" + match.route.removeprefix(f"{namespace}/").split("/", 1)[0]
    from shequ.cases.selectors import unread_count

    context: dict[str, Any] = {"nav": nav_for(user, namespace), "inbox_unread": unread_count(user)}
    if perms.is_district_admin(user):
        from shequ.workdays.calendar import next_year_missing

        context["missing_holiday_year"] = next_year_missing()
    return context
