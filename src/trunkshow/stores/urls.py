"""Staff pages: login, passwords, account and tokens, staff and invitations, settings, audit."""

from django.urls import path

from trunkshow.stores import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("no-access/", views.no_access, name="no_access"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("account/", views.account, name="account"),
    path("account/password/", views.account_password, name="account_password"),
    path("account/tokens/", views.token_create, name="token_create"),
    path("account/tokens/new/", views.token_created, name="token_created"),
    path("account/tokens/<int:id>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/store/", views.store_switch, name="store_switch"),
    path("staff/", views.staff, name="staff"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<int:id>/role/", views.staff_role, name="staff_role"),
    path("staff/<int:id>/active/", views.staff_active, name="staff_active"),
    path("staff/invitations/<int:id>/resend/", views.invitation_resend, name="invitation_resend"),
    path("staff/invitations/<int:id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("join/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("settings/", views.store_settings, name="store_settings"),
    path("audit/", views.audit, name="audit"),
]
