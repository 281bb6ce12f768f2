from django.urls import path

from keywork.sessions import views

urlpatterns = [
    path("clients/<str:local_id>/sessions/new/", views.record_session, name="record_session"),
    path("clients/<str:local_id>/sessions/<int:pk>/amend/", views.amend_notes, name="amend_notes"),
    path(
        "clients/<str:local_id>/sessions/<int:pk>/in-error/",
        views.entered_in_error,
        name="entered_in_error",
    ),
]
