"""PUNDI SOSIAL: the application factory."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, render_template
from flask_appbuilder import AppBuilder, Model
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys unless told otherwise on every connection."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build one application: config, database, security, language, screens, commands."""
    app = Flask(__name__, instance_path=None)
    app.config.from_object("config")
    app.config.update(overrides or {})
    os.makedirs(app.config["PUNDI_INSTANCE_DIR"], exist_ok=True)
    from app.security import init_security, load_secret_key

    load_secret_key(app)
    init_security(app)
    db = SQLAlchemy(app, metadata=Model.metadata)
    Migrate(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    CSRFProtect(app)
    with app.app_context():
        init_appbuilder(app, db)
    init_i18n_and_errors(app)
    init_commands(app)
    return app


def init_appbuilder(app: Flask, db: SQLAlchemy) -> AppBuilder:
    """AppBuilder with our security manager and index, then every screen and API."""
    from app import audit  # noqa: F401  (registers the audit listener)
    from app.security import PundiSecurityManager
    from app.views import RingkasanView

    appbuilder = AppBuilder(
        app,
        db.session,
        security_manager_class=PundiSecurityManager,
        indexview=RingkasanView,
        base_template="pundi/base.html",
    )
    init_views(appbuilder)
    if app.config["PUNDI_SYNC_ON_START"] and _schema_ready(db):
        from app.roles import sync_roles

        sync_roles(appbuilder)
    return appbuilder


def _schema_ready(db: SQLAlchemy) -> bool:
    """Whether the database is migrated to the newest revision (else `pundi init` must run)."""
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    script = ScriptDirectory(MIGRATIONS_DIR)
    return current is not None and current == script.get_current_head()


def init_views(appbuilder: AppBuilder) -> None:
    """Menus, screens and APIs."""
    from app import views

    for view, name, category, icon in (
        (views.PsksView, "PSKS", "Registri", "fa-users"),
        (views.PpksView, "PPKS", "Registri", "fa-user"),
        (views.DonaturView, "Donatur", "Registri", "fa-hand-holding-heart"),
        (views.DokumenPsksView, "Dokumen PSKS", "Registri", "fa-file"),
        (views.PengumpulanView, "Pengumpulan", "Buku Kas", "fa-hand-holding-heart"),
        (views.PenyaluranView, "Penyaluran", "Buku Kas", "fa-people-carry"),
        (views.BantuanPemerintahView, "Bantuan Pemerintah", "Buku Kas", "fa-landmark"),
        (views.TutupBukuView, "Tutup Buku", "Buku Kas", "fa-lock"),
        (views.KecamatanView, "Kecamatan", "Referensi", "fa-map"),
        (views.DesaView, "Desa/Kelurahan", "Referensi", "fa-map-marker"),
        (views.JenisPpksView, "Jenis PPKS", "Referensi", "fa-tags"),
        (views.JenisPsksView, "Jenis PSKS", "Referensi", "fa-tags"),
        (views.SumberDanaView, "Sumber Dana", "Referensi", "fa-coins"),
        (views.HargaBarangView, "Harga Acuan Barang", "Referensi", "fa-tags"),
        (views.RiwayatPerubahanView, "Riwayat Perubahan", "Security", "fa-history"),
    ):
        # Menu names get a prefix: FAB keys menu_access by name, and a name equal to a
        # view's permission name (even in another case, on MariaDB) would clash with it.
        appbuilder.add_view(view, f"Menu {name}", label=name, icon=icon, category=category)
    appbuilder.add_view(
        views.ImporPengumpulanView,
        "Menu Impor Pengumpulan",
        label="Impor Pengumpulan (Excel)",
        icon="fa-file-import",
        category="Buku Kas",
    )
    appbuilder.add_view_no_menu(views.PilihanView)
    for api in (
        views.PsksApi,
        views.PpksApi,
        views.DonaturApi,
        views.PengumpulanApi,
        views.PenyaluranApi,
        views.BantuanPemerintahApi,
    ):
        appbuilder.add_api(api)


def init_i18n_and_errors(app: Flask) -> None:
    """Indonesian everywhere, including the error pages."""
    from app.i18n import init_i18n

    init_i18n(app)

    def error_page(code: int, message: str):
        def handler(_error):
            return render_template("pundi/error.html", code=code, message=message), code

        return handler

    app.register_error_handler(
        CSRFError, error_page(400, "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.")
    )
    app.register_error_handler(403, error_page(403, "Anda tidak memiliki akses ke halaman ini."))
    app.register_error_handler(404, error_page(404, "Halaman atau data tidak ditemukan."))
    app.register_error_handler(405, error_page(405, "Cara permintaan ini tidak diizinkan."))
    app.register_error_handler(413, error_page(413, "Berkas terlalu besar untuk diunggah."))
    app.register_error_handler(429, error_page(429, "Terlalu banyak percobaan. Tunggu satu menit lalu coba lagi."))
    app.register_error_handler(500, error_page(500, "Terjadi kesalahan pada server. Kejadian ini sudah dicatat."))


def init_commands(app: Flask) -> None:
    from app.cli import pundi

    app.cli.add_command(pundi)
