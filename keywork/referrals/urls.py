from django.urls import path

from keywork.referrals import views

BASE = "clients/<str:local_id>/referrals/"

urlpatterns = [
    path(BASE, views.referrals, name="referrals"),
    path(BASE + "new/", views.make, name="make_referral"),
    path(BASE + "<int:pk>/status/", views.move, name="move_referral"),
    path(BASE + "<int:pk>/in-error/", views.in_error, name="referral_in_error"),
]
