"""Audit trail: who created and changed each record, and each field's old → new value."""

from __future__ import annotations

import json

from app.models import Psks, RiwayatPerubahan
from tests.conftest import text_of


def test_form_edit_records_old_and_new_values(world, as_user, db, app):
    row = db.get(Psks, world.rows["Psks"]["seteluk"])
    form = {
        "nama": "PSKS Seteluk Baru",
        "jenis": row.jenis_id,
        "bentuk": "lembaga",
        "kecamatan": row.kecamatan_id,
        "desa": row.desa_id,
        "ketua": "Ketua Baru",
        "tanggal_berdiri": "2010-01-01",
        "aktif": "y",
    }
    assert as_user("dinas").post(f"/psksview/edit/{row.id}", form).status_code == 302
    db.expire_all()
    entry = db.query(RiwayatPerubahan).filter_by(tabel="psks", baris_id=str(row.id), aksi="ubah").one()
    changes = json.loads(entry.perubahan)
    assert entry.username == "dinas"
    assert changes["nama"] == {"lama": "PSKS seteluk", "baru": "PSKS Seteluk Baru"}
    assert changes["ketua"] == {"lama": "Ketua seteluk", "baru": "Ketua Baru"}
    assert set(changes) == {"nama", "ketua"}
    changed = db.get(Psks, row.id)
    assert changed.changed_by.username == "dinas" and changed.created_by.username == "admin"
    page = text_of(as_user("kadis").get(f"/psksview/show/{row.id}").get_data(as_text=True))
    assert "Riwayat perubahan" in page
    assert "Nama PSKS : PSKS seteluk → PSKS Seteluk Baru" in page and "WITA" in page


def test_creation_and_deletion_are_recorded(world, as_user, db):
    client = as_user("dinas")
    created = client.api("POST", "/api/v1/donatur/", {"nama": "Toko Baru", "jenis": "dunia_usaha", "kecamatan": 1})
    row_id = created.get_json()["id"]
    assert client.api("DELETE", f"/api/v1/donatur/{row_id}").status_code == 200
    actions = [
        (e.aksi, json.loads(e.perubahan).get("nama"))
        for e in db.query(RiwayatPerubahan)
        .filter_by(tabel="donatur", baris_id=str(row_id))
        .order_by(RiwayatPerubahan.id)
    ]
    assert actions == [("tambah", {"lama": None, "baru": "Toko Baru"}), ("hapus", {"lama": "Toko Baru", "baru": None})]


def test_role_and_permission_changes_are_audited(world, as_user, db, app):
    sm = app.appbuilder.sm
    role = sm.find_role("Kepala Dinas")
    extra = sm.find_permission_view_menu("can_delete", "Donatur")
    role.permissions.append(extra)
    user = sm.find_user(username="trc")
    user.roles = [sm.find_role("TRC"), sm.find_role("Kepala Dinas")]
    db.commit()
    role_entry = db.query(RiwayatPerubahan).filter_by(tabel="ab_role", baris_id=str(role.id)).one()
    permissions = json.loads(role_entry.perubahan)["permissions"]
    assert "can delete on Donatur" in permissions["baru"] and "can delete on Donatur" not in permissions["lama"]
    user_entry = db.query(RiwayatPerubahan).filter_by(tabel="ab_user", baris_id=str(user.id)).one()
    assert json.loads(user_entry.perubahan)["roles"] == {"lama": ["TRC"], "baru": ["Kepala Dinas", "TRC"]}


def test_password_change_is_audited_without_the_hash(world, db, app):
    sm = app.appbuilder.sm
    user = sm.find_user(username="kadis")
    sm.reset_password(user.id, "Baru#Sekali2026")
    entry = db.query(RiwayatPerubahan).filter_by(tabel="ab_user", baris_id=str(user.id)).one()
    assert json.loads(entry.perubahan) == {"password": {"lama": "••••", "baru": "•••• (diubah)"}}
