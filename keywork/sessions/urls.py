from django.urls import path

from keywork.sessions import views

urlpatterns = [
    path("clients/<str:local_id>/sessions/new/", views.record_session, name="record_session"),
]
