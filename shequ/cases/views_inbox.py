"""The staff inbox: messages about cases, unread first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shequ.accounts.models import staff_user
from shequ.cases.selectors import inbox, unread_count
from shequ.cases.services_notify import notification_read
from shequ.lib.codes import display_code


@login_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    page = Paginator(inbox(user), 25).get_page(request.GET.get("page"))
    rows = [
        {"note": n, "code": display_code(n.case.tracking_code) if n.case else ""}
        for n in page.object_list
    ]
    return render(
        request, "cases/inbox.html", {"page": page, "rows": rows, "unread": unread_count(user)}
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    """Mark one message read (`id`) or all of them (`all`); a bare POST changes nothing."""
    user = staff_user(request)
    raw = request.POST.get("id", "")
    if raw.isdigit():
        notification_read(user=user, ids=[int(raw)])
    elif request.POST.get("all"):
        notification_read(user=user)
    return redirect("cases:inbox")
