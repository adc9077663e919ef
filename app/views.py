"""The screens and APIs of PUNDI SOSIAL: declarations over ``app.crud``'s base classes."""

from __future__ import annotations

import os

from flask import abort, current_app, flash, request, send_file
from flask_appbuilder import IndexView, expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import BooleanField, FileField, SelectField
from wtforms.validators import ValidationError

from app import stats
from app.audit import mask_changes_json
from app.crud import PundiModelView, ScopedApi, ScopedModelView
from app.models import (
    Desa,
    DokumenPsks,
    Donatur,
    JenisPpks,
    JenisPsks,
    Kecamatan,
    Ppks,
    Psks,
    RiwayatPerubahan,
    SumberDana,
)
from app.nik import mask_nik
from app.registry import (
    DOKUMEN_CHOICES,
    DONOR_CHOICES,
    FORM_CHOICES,
    SEX_CHOICES,
    STATUS_CHOICES,
    ppks_warnings,
)
from app.uploads import ALLOWED_LABEL, store_upload, stored_path, upload_error

AUDIT_LABELS = {
    "created_by": "Dibuat oleh",
    "created_on": "Dibuat pada",
    "changed_by": "Diubah oleh",
    "changed_on": "Diubah pada",
}
REGION_LABELS = {"kecamatan": "Kecamatan", "desa": "Desa/Kelurahan", "kode": "Kode", "nama": "Nama"}


def _select(label: str, choices: list[tuple[str, str]]) -> SelectField:
    return SelectField(label, choices=choices, widget=Select2Widget())


def _label_of(choices: list[tuple[str, str]]):
    """Formatter showing a stored choice by its label."""
    labels = dict(choices)
    return lambda value: labels.get(value, value) or "—"


def can_see_nik() -> bool:
    return current_app.appbuilder.sm.has_access("can_lihat", "NikPpks")


def nik_for_viewer(nik):
    """The NIK in full for roles that need it, masked for everyone else."""
    return nik if can_see_nik() else mask_nik(nik)


def _titles(cls, noun: str):
    cls.list_title = f"Daftar {noun}"
    cls.show_title = f"Detail {noun}"
    cls.add_title = f"Tambah {noun}"
    cls.edit_title = f"Ubah {noun}"
    return cls


# --- Reference data -----------------------------------------------------------


class KecamatanView(PundiModelView):
    datamodel = SQLAInterface(Kecamatan)
    class_permission_name = "Kecamatan"
    list_columns = ["kode", "nama"]
    add_columns = edit_columns = show_columns = ["kode", "nama"]
    label_columns = REGION_LABELS
    base_order = ("kode", "asc")


class DesaView(PundiModelView):
    datamodel = SQLAInterface(Desa)
    class_permission_name = "Desa"
    list_columns = ["kode", "nama", "jenis", "kecamatan"]
    add_columns = edit_columns = show_columns = ["kode", "nama", "jenis", "kecamatan"]
    search_columns = ["nama", "kecamatan", "jenis"]
    label_columns = {**REGION_LABELS, "jenis": "Desa/Kelurahan"}
    add_form_extra_fields = edit_form_extra_fields = {
        "jenis": _select("Desa/Kelurahan", [("desa", "Desa"), ("kelurahan", "Kelurahan")])
    }
    base_order = ("kode", "asc")


class JenisPpksView(PundiModelView):
    datamodel = SQLAInterface(JenisPpks)
    class_permission_name = "JenisPpks"
    list_columns = ["kode", "nama", "singkatan", "kriteria_masalah", "kategori"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {
        "kode": "Kode",
        "nama": "Nama",
        "singkatan": "Singkatan",
        "kriteria_masalah": "Kriteria masalah (PP 39/2012)",
        "kategori": "Masalah sosial",
    }
    description_columns = {"kategori": "Label yang ditetapkan Dinas: konvensional atau kontemporer."}
    add_form_extra_fields = edit_form_extra_fields = {
        "kategori": _select(
            "Masalah sosial",
            [("", "—"), ("konvensional", "Konvensional"), ("kontemporer", "Kontemporer")],
        )
    }
    base_order = ("kode", "asc")


class JenisPsksView(PundiModelView):
    datamodel = SQLAInterface(JenisPsks)
    class_permission_name = "JenisPsks"
    list_columns = ["kode", "nama", "bentuk", "dasar"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"kode": "Kode", "nama": "Nama", "bentuk": "Bentuk", "dasar": "Dasar hukum"}
    add_form_extra_fields = edit_form_extra_fields = {"bentuk": _select("Bentuk", FORM_CHOICES)}


class SumberDanaView(PundiModelView):
    datamodel = SQLAInterface(SumberDana)
    class_permission_name = "SumberDana"
    list_columns = ["kode", "nama", "golongan", "keterangan"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"kode": "Kode", "nama": "Nama", "golongan": "Golongan", "keterangan": "Keterangan"}
    add_form_extra_fields = edit_form_extra_fields = {
        "golongan": _select(
            "Golongan",
            [
                ("masyarakat", "Masyarakat"),
                ("pemerintah_daerah", "Pemerintah daerah (APBD Kabupaten)"),
                ("pemerintah_lain", "Pemerintah lain (APBD Provinsi, APBN)"),
            ],
        )
    }


# --- Registries -------------------------------------------------------------------


PSKS_LABELS = {
    "nama": "Nama PSKS",
    "jenis": "Jenis PSKS",
    "bentuk": "Bentuk",
    "kecamatan": "Kecamatan",
    "desa": "Desa/Kelurahan",
    "alamat": "Alamat",
    "telepon": "Telepon",
    "ketua": "Ketua/Penanggung jawab",
    "nomor_badan_hukum": "Nomor badan hukum",
    "tanggal_badan_hukum": "Tanggal badan hukum",
    "tanggal_berdiri": "Tanggal berdiri",
    "aktif": "Aktif",
    **AUDIT_LABELS,
}
PSKS_FIELDS = [
    "nama",
    "jenis",
    "bentuk",
    "kecamatan",
    "desa",
    "alamat",
    "telepon",
    "ketua",
    "nomor_badan_hukum",
    "tanggal_badan_hukum",
    "tanggal_berdiri",
    "aktif",
]


PPKS_FIELDS = [
    "nama",
    "nik",
    "no_kk",
    "jenis_kelamin",
    "tanggal_lahir",
    "alamat",
    "desa",
    "jenis",
    "status",
    "catatan",
]


def _upload_valid(field) -> None:
    message = upload_error(request.files.get(field.name))
    if message:
        raise ValidationError(message)


class DokumenPsksView(ScopedModelView):
    datamodel = SQLAInterface(DokumenPsks)
    class_permission_name = "DokumenPsks"
    list_columns = ["psks", "jenis", "nama_berkas", "ukuran", "created_on"]
    show_columns = [
        "psks",
        "kecamatan",
        "jenis",
        "keterangan",
        "nama_berkas",
        "tipe",
        "ukuran",
        "created_by",
        "created_on",
    ]
    add_columns = ["psks", "jenis", "keterangan", "unggah"]
    edit_columns = ["jenis", "keterangan"]
    search_columns = ["psks", "jenis", "nama_berkas"]
    label_columns = {
        "psks": "PSKS",
        "kecamatan": "Kecamatan",
        "jenis": "Jenis dokumen",
        "keterangan": "Keterangan",
        "nama_berkas": "Nama berkas",
        "tipe": "Tipe",
        "ukuran": "Ukuran (byte)",
        "unggah": "Berkas",
        **AUDIT_LABELS,
    }
    description_columns = {"unggah": f"{ALLOWED_LABEL}, paling besar 5 MB."}
    formatters_columns = {"jenis": _label_of(DOKUMEN_CHOICES)}
    add_form_extra_fields = {
        "jenis": _select("Jenis dokumen", DOKUMEN_CHOICES),
        "unggah": FileField("Berkas", validators=[lambda _form, field: _upload_valid(field)]),
    }
    edit_form_extra_fields = {"jenis": _select("Jenis dokumen", DOKUMEN_CHOICES)}
    base_order = ("created_on", "desc")
    show_template = "pundi/show_dokumen.html"

    def pre_add(self, item):
        super().pre_add(item)
        stored = store_upload(request.files["unggah"])
        item.berkas, item.nama_berkas = stored.stored_name, stored.original_name
        item.tipe, item.ukuran = stored.mime, stored.size

    @expose("/berkas/<int:pk>")
    @has_access
    def berkas(self, pk):
        """Download one document, only inside the user's scope."""
        item = self._scoped_item(pk)
        try:
            path = stored_path(item.berkas)
        except FileNotFoundError:
            abort(404)
        if not os.path.exists(path):
            abort(404)
        return send_file(path, mimetype=item.tipe, as_attachment=True, download_name=item.nama_berkas)


class PsksView(ScopedModelView):
    datamodel = SQLAInterface(Psks)
    class_permission_name = "Psks"
    list_columns = ["nama", "jenis", "kecamatan", "desa", "ketua", "telepon", "aktif"]
    show_columns = PSKS_FIELDS + list(AUDIT_LABELS)
    add_columns = edit_columns = PSKS_FIELDS
    search_columns = ["nama", "jenis", "kecamatan", "desa", "ketua", "aktif"]
    order_columns = ["nama", "jenis", "kecamatan", "desa", "aktif"]
    label_columns = PSKS_LABELS
    description_columns = {
        "nomor_badan_hukum": "Untuk LKS/yayasan/perkumpulan: nomor pengesahan badan hukum.",
        "desa": "Harus berada di kecamatan yang dipilih.",
    }
    formatters_columns = {"bentuk": _label_of(FORM_CHOICES)}
    add_form_extra_fields = edit_form_extra_fields = {
        "bentuk": _select("Bentuk", FORM_CHOICES),
        "aktif": BooleanField("Aktif", default=True),
    }
    related_views = [DokumenPsksView]
    base_order = ("nama", "asc")


class PpksView(ScopedModelView):
    datamodel = SQLAInterface(Ppks)
    class_permission_name = "Ppks"
    list_columns = ["nama", "nik", "jenis_kelamin", "desa", "kecamatan", "jenis", "status"]
    show_columns = PPKS_FIELDS + ["kecamatan", *AUDIT_LABELS]
    add_columns = edit_columns = PPKS_FIELDS
    search_columns = ["nama", "desa", "kecamatan", "jenis", "status", "jenis_kelamin"]
    order_columns = ["nama", "desa", "kecamatan", "status"]
    label_columns = {
        "nama": "Nama",
        "nik": "NIK",
        "no_kk": "Nomor KK",
        "jenis_kelamin": "Jenis kelamin",
        "tanggal_lahir": "Tanggal lahir",
        "alamat": "Alamat",
        "desa": "Desa/Kelurahan",
        "kecamatan": "Kecamatan",
        "jenis": "Jenis PPKS",
        "status": "Status",
        "catatan": "Catatan",
        **AUDIT_LABELS,
    }
    description_columns = {
        "nik": "16 angka. Boleh dikosongkan bila PPKS tidak memiliki KTP/KK.",
        "jenis": "Satu atau lebih dari 26 jenis PPKS (Permensos 8/2012).",
    }
    formatters_columns = {
        "nik": nik_for_viewer,
        "jenis_kelamin": _label_of(SEX_CHOICES),
        "status": _label_of(STATUS_CHOICES),
    }
    add_form_extra_fields = edit_form_extra_fields = {
        "jenis_kelamin": _select("Jenis kelamin", SEX_CHOICES),
        "status": _select("Status", STATUS_CHOICES),
    }
    history_masks = {"nik": mask_nik}
    base_order = ("nama", "asc")

    def post_add(self, item):
        for warning in ppks_warnings(item):
            flash(warning, "warning")

    post_update = post_add

    def history_visible(self, entries):
        return entries if can_see_nik() else super().history_visible(entries)


class DonaturView(ScopedModelView):
    datamodel = SQLAInterface(Donatur)
    class_permission_name = "Donatur"
    list_columns = ["nama", "jenis", "anonim", "kontak", "kecamatan"]
    show_columns = ["nama", "jenis", "anonim", "kontak", "kecamatan", *AUDIT_LABELS]
    add_columns = edit_columns = ["jenis", "nama", "anonim", "kontak", "kecamatan"]
    search_columns = ["nama", "jenis", "anonim", "kecamatan"]
    label_columns = {
        "nama": "Nama donatur",
        "jenis": "Jenis donatur",
        "anonim": "Anonim",
        "kontak": "Kontak",
        "kecamatan": "Kecamatan",
        **AUDIT_LABELS,
    }
    description_columns = {"anonim": 'Donatur yang tidak ingin disebut namanya dicatat sebagai "Hamba Allah".'}
    formatters_columns = {"jenis": _label_of(DONOR_CHOICES)}
    add_form_extra_fields = edit_form_extra_fields = {
        "jenis": _select("Jenis donatur", DONOR_CHOICES),
        "anonim": BooleanField("Anonim", default=False),
    }
    base_order = ("nama", "asc")


class RiwayatPerubahanView(PundiModelView):
    datamodel = SQLAInterface(RiwayatPerubahan)
    class_permission_name = "RiwayatPerubahan"
    list_columns = ["waktu", "username", "aksi", "tabel", "baris_id", "perubahan"]
    show_columns = list_columns
    search_columns = ["tabel", "baris_id", "username", "aksi", "waktu"]
    label_columns = {
        "waktu": "Waktu",
        "username": "Oleh",
        "aksi": "Aksi",
        "tabel": "Tabel",
        "baris_id": "ID baris",
        "perubahan": "Perubahan",
    }
    formatters_columns = {
        "perubahan": lambda value: value if can_see_nik() else mask_changes_json(value, {"nik": mask_nik})
    }
    base_permissions = ["can_read"]
    base_order = ("waktu", "desc")


for _view, _noun in (
    (KecamatanView, "Kecamatan"),
    (DesaView, "Desa/Kelurahan"),
    (JenisPpksView, "Jenis PPKS"),
    (JenisPsksView, "Jenis PSKS"),
    (SumberDanaView, "Sumber Dana"),
    (PsksView, "PSKS"),
    (PpksView, "PPKS"),
    (DonaturView, "Donatur"),
    (DokumenPsksView, "Dokumen PSKS"),
    (RiwayatPerubahanView, "Riwayat Perubahan"),
):
    _titles(_view, _noun)


# --- APIs ---------------------------------------------------------------------------


class PsksApi(ScopedApi):
    resource_name = "psks"
    datamodel = SQLAInterface(Psks)
    class_permission_name = "Psks"
    list_columns = show_columns = [
        "id",
        "nama",
        "jenis.nama",
        "bentuk",
        "kecamatan.nama",
        "desa.nama",
        "alamat",
        "telepon",
        "ketua",
        "aktif",
    ]
    add_columns = edit_columns = PSKS_FIELDS
    search_columns = ["nama", "kecamatan", "aktif"]


class PpksApi(ScopedApi):
    resource_name = "ppks"
    datamodel = SQLAInterface(Ppks)
    class_permission_name = "Ppks"
    list_columns = show_columns = [
        "id",
        "nama",
        "nik",
        "jenis_kelamin",
        "tanggal_lahir",
        "desa.nama",
        "kecamatan.nama",
        "status",
    ]
    add_columns = edit_columns = PPKS_FIELDS
    search_columns = ["nama", "kecamatan", "status"]
    order_columns = ["nama", "status", "tanggal_lahir"]

    def pre_get(self, data):
        if not can_see_nik():
            data["result"]["nik"] = mask_nik(data["result"].get("nik"))

    def pre_get_list(self, data):
        if not can_see_nik():
            for row in data["result"]:
                row["nik"] = mask_nik(row.get("nik"))


class DonaturApi(ScopedApi):
    resource_name = "donatur"
    datamodel = SQLAInterface(Donatur)
    class_permission_name = "Donatur"
    list_columns = show_columns = ["id", "nama", "jenis", "anonim", "kontak", "kecamatan.nama"]
    add_columns = edit_columns = DonaturView.add_columns
    search_columns = ["nama", "jenis", "kecamatan"]


class RingkasanView(IndexView):
    """Home page: the registries counted per kecamatan, within the user's scope."""

    index_template = "pundi/index.html"

    @expose("/")
    def index(self):
        return self.render_template(self.index_template, appbuilder=self.appbuilder, ringkasan=stats.summary())
