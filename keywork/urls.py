from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from keywork.access import signin
from keywork.access import views as access_views

admin.site.site_header = "keywork administration"
admin.site.site_title = "keywork"

urlpatterns = [
    path("accounts/login/", signin.SignIn.as_view(), name="login"),
    path("accounts/login/second-step/", signin.second_factor, name="second_factor"),
    path("accounts/two-factor/", signin.two_factor, name="two_factor"),
    path("accounts/two-factor/set-up/", signin.set_up_second_factor, name="set_up_second_factor"),
    path("accounts/two-factor/recovery-codes/", signin.recovery_codes, name="recovery_codes"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        access_views.ChangeOwnPassword.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # The admin signs in through keywork's own sign-in (audited, locked out, second factor).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("", include("keywork.clients.urls")),  # before the record: clients/new/ is a page
    path("", include("keywork.overview.urls")),
    path("", include("keywork.sessions.urls")),
    path("", include("keywork.assessments.urls")),
    path("", include("keywork.careplans.urls")),
    path("", include("keywork.interventions.urls")),
    path("", include("keywork.prescribing.urls")),
    path("", include("keywork.referrals.urls")),
    path("", include("keywork.outcomes.urls")),
    path("", include("keywork.maps.urls")),
    path("", include("keywork.recovery.urls")),
    path("", include("keywork.checkups.urls")),
    path("", include("keywork.measures.urls")),
]
