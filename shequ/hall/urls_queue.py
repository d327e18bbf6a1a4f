"""Queue tickets: the kiosk and the calling screen are public; the window pages are staff's."""

from django.urls import URLPattern, path

from shequ.hall import views_queue

urlpatterns: list[URLPattern] = [
    path("", views_queue.window_list, name="queue-windows"),
    path("window/<int:window_id>/", views_queue.window_detail, name="queue-window"),
    path("window/<int:window_id>/next/", views_queue.window_call_next, name="queue-call-next"),
    path("window/<int:window_id>/skip/", views_queue.window_skip, name="queue-skip"),
    path("kiosk/<int:region_id>/", views_queue.kiosk_ticket, name="kiosk-ticket"),
    path(
        "kiosk/<int:region_id>/ticket/<int:ticket_id>/",
        views_queue.kiosk_ticket_show,
        name="kiosk-ticket-show",
    ),
    path("screen/<int:region_id>/", views_queue.screen, name="screen"),
]
