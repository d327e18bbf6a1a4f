"""URLs of 一户一册、一人一表 and of the places, included into the people namespace."""

from django.urls import path

from shequ.people import views_places, views_register

urlpatterns = [
    path("households/new/", views_register.household_register, name="household-register"),
    path(
        "households/<int:household_id>/", views_register.household_detail, name="household-detail"
    ),
    path(
        "households/<int:household_id>/members/new/",
        views_register.household_member_add,
        name="household-member-add",
    ),
    path("<int:person_id>/edit/", views_register.person_edit, name="person-edit"),
    path("<int:person_id>/move/", views_register.person_move, name="person-move"),
    path("<int:person_id>/visits/new/", views_register.visit_record, name="visit-record"),
    path("visits/<int:visit_id>/edit/", views_register.visit_edit, name="visit-edit"),
    path("<int:person_id>/tags/new/", views_register.tag_add, name="tag-add"),
    path("tags/<int:tag_id>/end/", views_register.tag_end, name="tag-end"),
    path("buildings/", views_places.building_list, name="building-list"),
    path("buildings/new/", views_places.building_create, name="building-create"),
    path("buildings/<int:building_id>/", views_places.building_detail, name="building-detail"),
    path("buildings/<int:building_id>/edit/", views_places.building_edit, name="building-edit"),
    path(
        "buildings/<int:building_id>/dwellings/new/",
        views_places.dwelling_create,
        name="dwelling-create",
    ),
    path("dwellings/options/", views_places.dwelling_options, name="dwelling-options"),
    path("dwellings/<int:dwelling_id>/", views_places.dwelling_detail, name="dwelling-detail"),
    path("dwellings/<int:dwelling_id>/edit/", views_places.dwelling_edit, name="dwelling-edit"),
    path(
        "dwellings/<int:dwelling_id>/tenancies/new/",
        views_places.tenancy_create_view,
        name="tenancy-create",
    ),
]
