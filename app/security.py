"""Security: the user model and screens, password rules, secret key, headers and CSP."""

from __future__ import annotations

import logging
import os
import re
import secrets

from flask import Flask, current_app, g, request
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import UserDBModelView
from flask_babel import lazy_gettext as _
from wtforms.validators import ValidationError

from app.crud import IndonesianValuesMixin
from app.models import Pengguna
from app.roles import KECAMATAN_ROLES, OPERATOR_ROLE

log = logging.getLogger(__name__)

PASSWORD_RULE = re.compile(r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{10,}$")


def password_complexity(password: str) -> None:
    """At least 10 characters with a lower-case letter, a capital and a digit."""
    if not PASSWORD_RULE.match(password or ""):
        raise PasswordComplexityValidationError(
            "Kata sandi minimal 10 karakter dan memuat huruf kecil, huruf besar, dan angka."
        )


def user_scope_fields_valid(form, field) -> None:
    """An operator needs a PSKS in their kecamatan; a kecamatan monitor needs a kecamatan."""
    roles = {role.name for role in (form.roles.data or [])}
    kecamatan, psks = form.kecamatan.data, form.psks.data
    if OPERATOR_ROLE in roles:
        if psks is None:
            raise ValidationError("Operator PSKS harus memilih PSKS-nya.")
        if kecamatan is not None and kecamatan.id != psks.kecamatan_id:
            raise ValidationError("PSKS ini tidak berada di kecamatan yang dipilih.")
    if roles & KECAMATAN_ROLES and kecamatan is None:
        raise ValidationError("Pemantau Kecamatan harus memilih kecamatannya.")


class PenggunaView(IndonesianValuesMixin, UserDBModelView):
    """FAB's user screens with the kecamatan and PSKS that scope each user."""

    list_columns = ["first_name", "last_name", "username", "email", "kecamatan", "psks", "active", "roles"]
    show_fieldsets = [
        (
            _("User info"),
            {"fields": ["username", "active", "roles", "kecamatan", "psks", "login_count"]},
        ),
        (_("Personal Info"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
        (
            _("Audit Info"),
            {
                "fields": ["last_login", "fail_login_count", "created_on", "created_by", "changed_on", "changed_by"],
                "expanded": False,
            },
        ),
    ]
    add_columns = [
        "first_name",
        "last_name",
        "username",
        "active",
        "email",
        "roles",
        "kecamatan",
        "psks",
        "password",
        "conf_password",
    ]
    edit_columns = ["first_name", "last_name", "username", "active", "email", "roles", "kecamatan", "psks"]
    search_columns = ["first_name", "last_name", "username", "email", "active", "roles", "kecamatan", "psks"]
    label_columns = {**UserDBModelView.label_columns, "kecamatan": "Kecamatan", "psks": "PSKS"}
    description_columns = {
        "kecamatan": "Wajib untuk Pemantau Kecamatan; untuk Operator PSKS diisi kecamatan PSKS-nya.",
        "psks": "Wajib untuk Operator PSKS.",
    }
    # On "roles": the empty kecamatan/PSKS fields stop their own validators (Optional).
    validators_columns = {
        **UserDBModelView.validators_columns,
        "roles": [*UserDBModelView.validators_columns["roles"], user_scope_fields_valid],
    }


class PundiSecurityApi(SecurityApi):
    """FAB's security API without the JSON login: the panel signs in through its form only."""

    login = None
    refresh = None


class PundiSecurityManager(SecurityManager):
    user_model = Pengguna
    userdbmodelview = PenggunaView
    userstatschartview = None  # FAB's chart loads Google Charts from the internet
    security_api = PundiSecurityApi

    def _has_view_access(self, user, permission_name: str, view_name: str) -> bool:
        """FAB asks the database once per check (30 times for a menu); ask once per request."""
        roles = self.get_user_roles(user)
        if any(role.name in self.builtin_roles for role in roles):
            return super()._has_view_access(user, permission_name, view_name)
        key = (getattr(user, "id", None), tuple(sorted(role.id for role in roles)))
        cached = g.get("_pundi_permissions")
        if cached is None or cached[0] != key:
            granted = {
                (pv.permission.name, pv.view_menu.name) for role in roles for pv in role.permissions if pv.permission
            }
            cached = (key, granted)
            g._pundi_permissions = cached
        return (permission_name, view_name) in cached[1]


def load_secret_key(app: Flask) -> None:
    """SECRET_KEY from the environment, else from instance/, generated on first run."""
    if app.config.get("SECRET_KEY"):
        return
    instance = app.config["PUNDI_INSTANCE_DIR"]
    os.makedirs(instance, exist_ok=True)
    path = os.path.join(instance, "secret_key")
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        log.warning("SECRET_KEY tidak diatur: kunci baru dibuat dan disimpan di %s", path)
    with open(path, encoding="ascii") as handle:
        app.config["SECRET_KEY"] = handle.read().strip()


def _nonce() -> str:
    if "_csp_nonce" not in g:
        g._csp_nonce = secrets.token_urlsafe(18)
    return g._csp_nonce


def _security_headers(response):
    csp = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{_nonce()}'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers.setdefault("Content-Security-Policy", csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure or current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_security(app: Flask) -> None:
    """Password rule, CSP nonces for FAB's templates, and security headers."""
    app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", password_complexity)
    app.jinja_env.globals["csp_nonce"] = _nonce
    app.after_request(_security_headers)
