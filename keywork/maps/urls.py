from django.urls import path

from keywork.maps import views

BASE = "clients/<str:local_id>/maps/"

urlpatterns = [
    path(BASE, views.maps, name="maps"),
    path(BASE + "new/", views.start, name="start_map"),
    path(BASE + "<int:pk>/", views.one_map, name="map"),
    path(BASE + "<int:pk>/change/", views.change, name="change_map"),
]
