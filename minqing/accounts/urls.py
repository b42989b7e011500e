from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/2fa/", views.enrol, name="enrol"),
    path("account/2fa/recovery/", views.recovery_codes, name="recovery_codes"),
    path("account/tokens/", views.token_new, name="token_new"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("login/verify/", views.verify, name="verify"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("security/", views.security_page, name="security"),
    path("security/users/<int:pk>/reset/", views.security_reset, name="security_reset"),
    path("security/users/<int:pk>/2fa/remove/", views.security_otp_remove, name="security_otp_remove"),
]
