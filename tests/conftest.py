"""The test app, its database, a known little world, and one logged-in client per role.

The database is a temporary SQLite file unless PUNDI_TEST_DATABASE_URL names another
(e.g. ``mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4``); it is emptied and
migrated to head once per run, and the world is rebuilt before every test.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from app import create_app
from app.cli import ensure_admin, initialise
from app.models import (
    BantuanPemerintah,
    Desa,
    DokumenPsks,
    Donatur,
    HargaBarang,
    JenisPpks,
    JenisPsks,
    Kecamatan,
    Pengumpulan,
    Penyaluran,
    Ppks,
    Psks,
    RiwayatPerubahan,
    Stok,
    SumberDana,
    TutupBuku,
)
from config import engine_options

PASSWORD = "Rahasia#Uji2026"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("PUNDI_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "pundi-test.db")


def empty_database(url: str) -> None:
    """Drop every table and sequence, so the run starts from an empty database."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "mysql":
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=0")
            for name, _kind in conn.exec_driver_sql("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'").fetchall():
                conn.exec_driver_sql(f"DROP TABLE `{name}`")
            for name, _kind in conn.exec_driver_sql("SHOW FULL TABLES WHERE Table_type = 'SEQUENCE'").fetchall():
                conn.exec_driver_sql(f"DROP SEQUENCE `{name}`")
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS=1")
        else:
            meta = sa.MetaData()
            meta.reflect(conn)
            meta.drop_all(conn)
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _database_url(tmp_path_factory)
    empty_database(url)
    return url


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production: a test holding the ``db``
    fixture's context open would otherwise share ``g`` (and the signed-in user) between requests."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    application = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": engine_options(database_url),
            "PUNDI_INSTANCE_DIR": str(instance),
            "PUNDI_UPLOAD_DIR": str(instance / "uploads"),
            "SECRET_KEY": "kunci-uji",
            "PUNDI_ADMIN_PASSWORD": PASSWORD,
            "TESTING": True,
        }
    )
    application.test_client_class = FreshContextClient
    with application.app_context():
        initialise()
        ensure_admin()
    return application


@dataclass
class Fixture:
    """Ids of the known world: rows by label, users by username."""

    rows: dict
    users: dict
    kecamatan: dict


LABELS = ("taliwang-a", "taliwang-b", "maluk", "seteluk")
LABEL_KECAMATAN = {"taliwang-a": "Taliwang", "taliwang-b": "Taliwang", "maluk": "Maluk", "seteluk": "Seteluk"}
USERS = {
    "admin": ("Admin", None, None),
    "dinas": ("Admin Dinas", None, None),
    "kadis": ("Kepala Dinas", None, None),
    "trc": ("TRC", None, None),
    "op.taliwang": ("Operator PSKS", "Taliwang", "taliwang-a"),
    "op.maluk": ("Operator PSKS", "Maluk", "maluk"),
    "pemantau.seteluk": ("Pemantau Kecamatan", "Seteluk", None),
    "tanpa.wilayah": ("Pemantau Kecamatan", None, None),
}
NIK_SERIAL = {"taliwang-a": 1, "taliwang-b": 2, "maluk": 3, "seteluk": 4}


def nik_for(label: str) -> str:
    kec_code = {"Taliwang": "02", "Maluk": "08", "Seteluk": "03"}[LABEL_KECAMATAN[label]]
    return f"5207{kec_code}150885{NIK_SERIAL[label]:04d}"


def _reset_world(app) -> Fixture:
    session = app.appbuilder.session
    sm = app.appbuilder.sm
    session.rollback()
    for user in session.query(sm.user_model):
        user.psks = None
    session.flush()
    for table in ("ppks_jenis", "bantuan_penerima"):
        session.execute(sa.text(f"DELETE FROM {table}"))
    for model in (
        BantuanPemerintah,
        Penyaluran,
        Pengumpulan,
        Stok,
        HargaBarang,
        TutupBuku,
        DokumenPsks,
        Ppks,
        Donatur,
        Psks,
        RiwayatPerubahan,
    ):
        session.query(model).delete()
    session.commit()

    admin = sm.find_user(username="admin")
    g.user = admin
    kecamatan = {k.nama: k for k in session.query(Kecamatan)}
    first_desa = {
        name: session.query(Desa).filter_by(kecamatan_id=kec.id).order_by(Desa.kode).first()
        for name, kec in kecamatan.items()
    }
    lks = session.query(JenisPsks).filter_by(kode="LKS").one()
    fakir = session.query(JenisPpks).filter_by(kode="24").one()
    rows = {
        "Psks": {},
        "Ppks": {},
        "Donatur": {},
        "DokumenPsks": {},
        "Pengumpulan": {},
        "Penyaluran": {},
        "BantuanPemerintah": {},
    }
    perorangan = session.query(SumberDana).filter_by(kode="PERORANGAN").one()
    apbd = session.query(SumberDana).filter_by(kode="APBD_KAB").one()
    for label in LABELS:
        kec = kecamatan[LABEL_KECAMATAN[label]]
        psks = Psks(
            nama=f"PSKS {label}",
            jenis=lks,
            bentuk="lembaga",
            kecamatan=kec,
            desa=first_desa[kec.nama],
            ketua=f"Ketua {label}",
            tanggal_berdiri=dt.date(2010, 1, 1),
            aktif=True,
        )
        ppks = Ppks(
            nama=f"PPKS {label}",
            nik=nik_for(label),
            jenis_kelamin="L",
            tanggal_lahir=dt.date(1985, 8, 15),
            desa=first_desa[kec.nama],
            kecamatan=kec,
            jenis=[fakir],
            status="aktif",
        )
        donatur = Donatur(nama=f"Donatur {label}", jenis="perorangan", anonim=False, kecamatan=kec)
        stored = f"{secrets.token_hex(16)}.png"
        folder = app.config["PUNDI_UPLOAD_DIR"]
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, stored), "wb") as handle:
            handle.write(PNG)
        dokumen = DokumenPsks(
            psks=psks,
            kecamatan=kec,
            jenis="akta",
            nama_berkas=f"Dokumen {label}.png",
            berkas=stored,
            tipe="image/png",
            ukuran=len(PNG),
        )
        collected = Pengumpulan(
            psks=psks,
            tanggal_terima=dt.date(2026, 3, 1),
            sumber_dana=perorangan,
            donatur=donatur,
            nomor_kwitansi=f"K-{label}",
            kecamatan=kec,
            jenis="uang",
            jumlah_uang=Decimal("1000000"),
            nilai=Decimal("1000000"),
        )
        given = Penyaluran(
            psks=psks,
            tanggal=dt.date(2026, 3, 5),
            ppks=ppks,
            kecamatan=kec,
            jenis_bantuan="uang_tunai",
            tujuan=f"Bantuan {label}",
            jenis="uang",
            jumlah_uang=Decimal("100000"),
            nilai=Decimal("100000"),
        )
        government = BantuanPemerintah(
            sumber_dana=apbd,
            nama_program=f"Program {label}",
            tanggal_cair=dt.date(2026, 2, 1),
            kecamatan=kec,
            jenis_bantuan="sembako",
            jenis="uang",
            jumlah_uang=Decimal("500000"),
            nilai=Decimal("500000"),
            penerima=[ppks],
        )
        session.add_all([psks, ppks, donatur, dokumen, collected])
        session.flush()
        session.add_all([given, government])
        session.flush()
        rows["Psks"][label] = psks.id
        rows["Ppks"][label] = ppks.id
        rows["Donatur"][label] = donatur.id
        rows["DokumenPsks"][label] = dokumen.id
        rows["Pengumpulan"][label] = collected.id
        rows["Penyaluran"][label] = given.id
        rows["BantuanPemerintah"][label] = government.id
    users = {}
    for username, (role_name, kec_name, psks_label) in USERS.items():
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(username, username, "Uji", f"{username}@uji.local", sm.find_role(role_name), PASSWORD)
        user.roles = [sm.find_role(role_name)]
        user.kecamatan = kecamatan[kec_name] if kec_name else None
        user.psks = session.get(Psks, rows["Psks"][psks_label]) if psks_label else None
        user.active = True
        users[username] = user.id
    session.query(RiwayatPerubahan).delete()
    session.commit()
    g.pop("user", None)
    return Fixture(rows=rows, users=users, kecamatan={name: k.id for name, k in kecamatan.items()})


@pytest.fixture
def world(app):
    with app.app_context():
        fixture = _reset_world(app)
    app.appbuilder.sm.limiter.reset()
    yield fixture
    with app.app_context():
        app.appbuilder.session.rollback()
        app.appbuilder.session.remove()


class RoleClient:
    """A test client signed in as one user, carrying a valid CSRF token."""

    def __init__(self, app, user_id: int | None):
        self.app = app
        self.client = app.test_client()
        raw = secrets.token_hex(20)
        with self.client.session_transaction() as session:
            if user_id is not None:
                session["_user_id"] = str(user_id)
                session["_fresh"] = True
            session["csrf_token"] = raw
        self.csrf = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(raw)

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf)
        return self.client.post(url, data=data, **kwargs)

    def api(self, method, url, json=None):
        return self.client.open(url, method=method, json=json, headers={"X-CSRFToken": self.csrf})


@pytest.fixture
def as_user(app, world):
    """``as_user("op.taliwang")`` gives a client signed in as that user."""

    def make(username: str | None) -> RoleClient:
        return RoleClient(app, world.users[username] if username else None)

    return make


@pytest.fixture
def db(app):
    """The session, in an app context whose user is ``admin`` (audit columns need one)."""
    with app.app_context():
        g.user = app.appbuilder.sm.find_user(username="admin")
        yield app.appbuilder.session


def text_of(html: str) -> str:
    """Visible text of a page: tags, scripts and styles removed, spaces collapsed."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


def png_file(name: str = "foto.png", size: int = 0):
    return (io.BytesIO(PNG + b"\x00" * size), name)
