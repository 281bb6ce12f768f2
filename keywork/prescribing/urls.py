from django.urls import path

from keywork.prescribing import views

BASE = "clients/<str:local_id>/prescribing/"

urlpatterns = [
    path(BASE, views.prescribing, name="prescribing"),
    path(BASE + "new/", views.start, name="start_prescription"),
    path(BASE + "<int:pk>/dose/", views.change_dose, name="change_dose"),
    path(BASE + "<int:pk>/end/", views.end, name="end_prescription"),
    path(BASE + "<int:pk>/in-error/", views.in_error, name="prescription_in_error"),
]
