from django.urls import path

from keywork.sessions import views

urlpatterns = [
    path("clients/<str:local_id>/sessions/new/", views.record_session, name="record_session"),
    path("clients/<str:local_id>/sessions/<int:pk>/amend/", views.amend_notes, name="amend_notes"),
    path(
        "clients/<str:local_id>/appointments/new/",
        views.book_appointment,
        name="book_appointment",
    ),
    path(
        "clients/<str:local_id>/appointments/<int:pk>/move/",
        views.move_appointment,
        name="move_appointment",
    ),
    path(
        "clients/<str:local_id>/appointments/<int:pk>/cancel/",
        views.cancel_appointment,
        name="cancel_appointment",
    ),
    path(
        "clients/<str:local_id>/reintegration/new/",
        views.record_reintegration,
        name="record_reintegration",
    ),
    path("diary/", views.diary, name="diary"),
    path("groups/", views.groups, name="groups"),
    path("groups/new/", views.book_group, name="book_group"),
    path("groups/<int:pk>/", views.group, name="group"),
    path(
        "clients/<str:local_id>/sessions/<int:pk>/in-error/",
        views.entered_in_error,
        name="entered_in_error",
    ),
]
