from django.urls import include, path

from shequ.people import views, views_register, views_search

app_name = "people"
urlpatterns = [
    path("", views_search.person_list, name="person-list"),
    path("export/", views_search.person_list_export, name="person-list-export"),
    path("<int:person_id>/", views_register.person_detail, name="person-detail"),
    path("<int:person_id>/reveal/", views.person_reveal, name="person-reveal"),
    path("", include("shequ.people.urls_register")),
    path("", include("shequ.people.urls_figures")),
    path("", include("shequ.people.urls_import")),
]
