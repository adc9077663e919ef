"""Schema by migrations, reference data, and the pundi init / demo commands."""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask_appbuilder import Model

from app import create_app
from app.cli import MIGRATIONS_DIR
from app.ledger import recomputed_balances
from app.models import (
    BantuanPemerintah,
    Desa,
    Donatur,
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
)
from app.reference import load_reference_data


def _head() -> str:
    config = Config(os.path.join(MIGRATIONS_DIR, "alembic.ini"))
    config.set_main_option("script_location", MIGRATIONS_DIR)
    return ScriptDirectory.from_config(config).get_current_head()


def test_suite_database_was_migrated_from_empty_to_head(app, db):
    """The run starts from an empty database (conftest drops everything) and upgrades it."""
    version = db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    assert version == _head()
    tables = set(sa.inspect(db.get_bind()).get_table_names())
    assert set(Model.metadata.tables) <= tables


def test_fresh_sqlite_upgrades_and_downgrades(tmp_path):
    url = "sqlite:///" + str(tmp_path / "baru.db")
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": url, "PUNDI_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x"})
    runner = fresh.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "-d", MIGRATIONS_DIR]).exit_code == 0
    engine = sa.create_engine(url)
    assert set(Model.metadata.tables) <= set(sa.inspect(engine).get_table_names())
    assert runner.invoke(args=["db", "downgrade", "base", "-d", MIGRATIONS_DIR]).exit_code == 0
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()


def test_reference_data_counts_and_idempotence(app, db):
    counts = load_reference_data(db)
    assert counts == {"kecamatan": 8, "desa": 65, "jenis_ppks": 26, "jenis_psks": 15, "sumber_dana": 8}
    audit_before = db.query(RiwayatPerubahan).count()
    assert load_reference_data(db) == counts
    assert db.query(RiwayatPerubahan).count() == audit_before
    taliwang = db.query(Kecamatan).filter_by(kode="52.07.02").one()
    assert taliwang.nama == "Taliwang"
    assert db.query(Desa).filter_by(kecamatan_id=taliwang.id, jenis="kelurahan").count() == 7
    assert db.query(JenisPpks).filter_by(kode="24").one().nama == "Fakir Miskin"
    assert db.query(JenisPsks).filter_by(kode="TRC").one().bentuk == "lembaga"
    assert db.query(SumberDana).filter_by(kode="APBD_KAB").one().golongan == "pemerintah_daerah"


def test_init_command_is_idempotent(app, world):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["pundi", "init"])
    second = runner.invoke(args=["pundi", "init"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "8 kecamatan, 65 desa/kelurahan, 26 jenis PPKS" in second.output
    assert "akun admin tidak dibuat ulang" in second.output


def test_roles_are_synced_exactly_as_declared(app, db):
    sm = app.appbuilder.sm
    kadis = sm.find_role("Kepala Dinas")
    kadis.permissions.append(sm.find_permission_view_menu("can_delete", "Psks"))
    db.commit()
    assert app.test_cli_runner().invoke(args=["pundi", "init"]).exit_code == 0
    db.expire_all()
    names = {(pv.permission.name, pv.view_menu.name) for pv in sm.find_role("Kepala Dinas").permissions}
    assert ("can_read", "Psks") in names and ("can_delete", "Psks") not in names
    assert ("can_lihat", "NikPpks") not in names
    trc = {(pv.permission.name, pv.view_menu.name) for pv in sm.find_role("TRC").permissions}
    assert ("can_lihat", "NikPpks") in trc
    assert {r.name for r in sm.get_all_roles()} >= {
        "Admin",
        "Admin Dinas",
        "Kepala Dinas",
        "TRC",
        "Operator PSKS",
        "Pemantau Kecamatan",
        "Publik",
    }


def test_demo_fills_all_kecamatan_and_one_user_per_role(app, world, db, as_user):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["pundi", "demo"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["pundi", "demo"])
    assert "+0 PSKS, +0 PPKS, +0 donatur, +0 harga acuan, +0 pengumpulan, +0 penyaluran" in again.output
    assert "+0 bantuan pemerintah, +0 pengguna" in again.output
    assert "+120 bantuan pemerintah" in result.output
    db.expire_all()
    for model in (Psks, Ppks, Donatur, Pengumpulan, Penyaluran, BantuanPemerintah):
        covered = {row.kecamatan_id for row in db.query(model)}
        assert len(covered) == 8, model
    years = {row.tanggal_terima.year for row in db.query(Pengumpulan)}
    assert years >= {2022, 2023, 2024, 2025, 2026}
    for psks in db.query(Psks).filter(Psks.nama.like("LKS Peduli%")):
        assert {key: value for key, value in recomputed_balances(db, psks.id).items()} == {
            (row.barang, row.satuan): row.jumlah for row in db.query(Stok).filter_by(psks_id=psks.id) if row.jumlah
        }
    sm = app.appbuilder.sm
    expected = {
        "admin": "Admin",
        "dinas": "Admin Dinas",
        "kadis": "Kepala Dinas",
        "trc": "TRC",
        "op.taliwang": "Operator PSKS",
        "op.maluk": "Operator PSKS",
        "pemantau.seteluk": "Pemantau Kecamatan",
    }
    for username, role in expected.items():
        user = sm.find_user(username=username)
        assert [r.name for r in user.roles] == [role]
        assert sm.auth_user_db(username, app.config["PUNDI_DEMO_PASSWORD"]) is not None
    assert sm.find_user(username="op.taliwang").psks.kecamatan.nama == "Taliwang"
    assert sm.find_user(username="op.maluk").psks.kecamatan.nama == "Maluk"
    assert sm.find_user(username="pemantau.seteluk").kecamatan.nama == "Seteluk"
