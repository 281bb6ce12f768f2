from django.urls import path

from keywork.clients import views

urlpatterns = [
    path("", views.home, name="home"),
    path("clients/<str:local_id>/", views.client_record, name="client"),
]
