"""The ``flask --app run pundi`` commands: ``init`` and ``demo``."""

from __future__ import annotations

import secrets

import click
from flask import current_app, g
from flask.cli import AppGroup
from flask_migrate import upgrade

from app import MIGRATIONS_DIR
from app.reference import load_reference_data
from app.roles import ADMIN_ROLE, sync_roles

pundi = AppGroup("pundi", help="Perintah PUNDI SOSIAL.")


def ensure_admin() -> tuple[bool, str | None]:
    """Create the ``admin`` account when no user exists; returns (created, generated password)."""
    sm = current_app.appbuilder.sm
    if sm.count_users():
        return False, None
    password = current_app.config.get("PUNDI_ADMIN_PASSWORD")
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(9) + "A1a"
    user = sm.add_user("admin", "Admin", "PUNDI SOSIAL", "admin@dinsos.ksb.local", sm.find_role(ADMIN_ROLE), password)
    if not user:
        raise click.ClickException("Akun admin gagal dibuat; lihat log.")
    return True, generated


def initialise() -> None:
    """Schema to head, reference data, roles and permissions; idempotent."""
    upgrade(directory=MIGRATIONS_DIR)
    session = current_app.appbuilder.session
    counts = load_reference_data(session)
    sync_roles(current_app.appbuilder)
    click.echo(
        "Data referensi: {kecamatan} kecamatan, {desa} desa/kelurahan, {jenis_ppks} jenis PPKS, "
        "{jenis_psks} jenis PSKS, {sumber_dana} sumber dana.".format(**counts)
    )


@pundi.command("init")
def init_command() -> None:
    """Siapkan basis data, data referensi, peran, dan akun admin."""
    initialise()
    created, generated = ensure_admin()
    if created and generated:
        click.echo(f"Akun admin dibuat. Nama pengguna: admin  Kata sandi: {generated}")
        click.echo("Simpan kata sandi ini sekarang; ia tidak ditampilkan lagi.")
    elif created:
        click.echo("Akun admin dibuat dengan kata sandi dari PUNDI_ADMIN_PASSWORD.")
    else:
        click.echo("Akun pengguna sudah ada; akun admin tidak dibuat ulang.")


@pundi.command("demo")
def demo_command() -> None:
    """Isi data contoh dan satu pengguna contoh per peran."""
    from app.demo import load_demo

    g.user = current_app.appbuilder.sm.find_user(username="admin") or current_app.appbuilder.sm.get_first_user()
    summary = load_demo(current_app.appbuilder, current_app.config["PUNDI_DEMO_PASSWORD"])
    click.echo(summary)
