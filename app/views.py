"""The screens and APIs of PUNDI SOSIAL: declarations over ``app.crud``'s base classes."""

from __future__ import annotations

import io
import os
import secrets

from flask import Response, abort, current_app, flash, jsonify, redirect, request, send_file, session, url_for
from flask_appbuilder import BaseView, IndexView, expose, has_access
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterNotEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from wtforms import BooleanField, FileField, SelectField
from wtforms.validators import ValidationError

from app import impor, stats
from app.audit import mask_changes_json
from app.bast import render_bast
from app.crud import LargeTableInterface, PundiModelView, ScopedApi, ScopedModelView
from app.fields import AngkaField, SearchSelectField
from app.formatting import format_rupiah
from app.ledger import (
    JENIS_BANTUAN_CHOICES,
    JENIS_CHOICES,
    InsufficientStock,
    aid_history,
    balances,
    current_username,
    duplicate_aid,
    duplicate_aid_for,
    void,
)
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
    SumberDana,
    TutupBuku,
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
from app.scope import scoped_query
from app.uploads import ALLOWED_LABEL, store_upload, stored_path, upload_dir, upload_error

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


def ppks_label(ppks: Ppks) -> str:
    """How a PPKS is named in pickers: name, village and masked NIK (pickers never show a full NIK)."""
    return f"{ppks.nama} — {ppks.desa} ({mask_nik(ppks.nik) or 'tanpa NIK'})"


def _ppks_picker(label: str, multiple: bool = False) -> SearchSelectField:
    return SearchSelectField(
        label,
        model=Ppks,
        query=lambda: scoped_query(Ppks),
        search_url=lambda: url_for("PilihanView.ppks"),
        label_of=ppks_label,
        multiple=multiple,
        description="Ketik sebagian nama, atau NIK lengkap.",
    )


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


def _upload_valid(field, optional: bool = False) -> None:
    upload = request.files.get(field.name)
    if optional and (upload is None or not upload.filename):
        return
    message = upload_error(upload)
    if message:
        raise ValidationError(message)


def _attach_upload(item, upload, stored_attr: str, name_attr: str):
    """Store a checked upload and record its stored and original names on the row."""
    stored = store_upload(upload)
    setattr(item, stored_attr, stored.stored_name)
    setattr(item, name_attr, stored.original_name)
    return stored


def _send_stored(item, stored_attr: str, name_attr: str):
    """Send a stored upload of a row already checked to be in scope."""
    stored = getattr(item, stored_attr)
    if not stored:
        abort(404)
    try:
        path = stored_path(stored)
    except FileNotFoundError:
        abort(404)
    if not os.path.exists(path):
        abort(404)
    return send_file(path, as_attachment=True, download_name=getattr(item, name_attr) or stored)


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
        stored = _attach_upload(item, request.files["unggah"], "berkas", "nama_berkas")
        item.tipe, item.ukuran = stored.mime, stored.size

    @expose("/berkas/<int:pk>")
    @has_access
    def berkas(self, pk):
        """Download one document, only inside the user's scope."""
        return _send_stored(self._scoped_item(pk), "berkas", "nama_berkas")


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
    show_template = "pundi/show_psks.html"

    def show_extra(self, item) -> dict:
        return {"saldo": balances(self.datamodel.session, item.id)}


class PpksView(ScopedModelView):
    datamodel = LargeTableInterface(Ppks)
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

    show_template = "pundi/show_ppks.html"

    def show_extra(self, item) -> dict:
        history = aid_history(self.datamodel.session, item.id)
        return {"bantuan": history, "bantuan_ganda": duplicate_aid(history)}


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


# --- Ledger ---------------------------------------------------------------------------

LEDGER_LABELS = {
    "psks": "PSKS",
    "kecamatan": "Kecamatan",
    "kecamatan.kode": "Kode kecamatan",
    "kecamatan.nama": "Kecamatan",
    "desa": "Desa/Kelurahan",
    "desa.kode": "Kode desa",
    "desa.nama": "Desa/Kelurahan",
    "psks.nama": "PSKS",
    "jenis": "Uang/barang",
    "jumlah_uang": "Jumlah uang (Rp)",
    "nama_barang": "Nama barang",
    "kuantitas": "Jumlah barang",
    "satuan": "Satuan",
    "nilai": "Nilai (Rp)",
    "catatan": "Catatan",
    "unggah_foto": "Foto bukti",
    "nama_foto": "Foto bukti",
    "batal": "Batal",
    "alasan_batal": "Alasan batal",
    "dibatalkan_oleh": "Dibatalkan oleh",
    "dibatalkan_pada": "Dibatalkan pada",
    **AUDIT_LABELS,
}
AMOUNT_FIELDS = {
    "jenis": _select("Uang/barang", JENIS_CHOICES),
    "jumlah_uang": AngkaField("Jumlah uang (Rp)", description="Contoh: 1.250.000"),
    "kuantitas": AngkaField("Jumlah barang", description="Contoh: 25 atau 1,5"),
    "nilai": AngkaField("Nilai (Rp)", description="Untuk barang: kosongkan untuk memakai harga acuan."),
    "unggah_foto": FileField(
        "Foto bukti",
        description=f"{ALLOWED_LABEL}, paling besar 5 MB.",
        validators=[lambda _f, f: _upload_valid(f, True)],
    ),
}
LEDGER_FORMATTERS = {
    "jenis": _label_of(JENIS_CHOICES),
    "jumlah_uang": format_rupiah,
    "nilai": format_rupiah,
    "jenis_bantuan": _label_of(JENIS_BANTUAN_CHOICES),
}
VOID_COLUMNS = ["batal", "alasan_batal", "dibatalkan_oleh", "dibatalkan_pada"]
AMOUNT_COLUMNS = ["jenis", "jumlah_uang", "nama_barang", "kuantitas", "satuan", "nilai"]


class LedgerView(ScopedModelView):
    """A money record: never deleted, voided with a reason; photo proof; Excel export."""

    base_permissions = ["can_read", "can_add", "can_edit"]
    muldelete = delete = None  # money records are voided, never deleted
    show_template = "pundi/show_ledger.html"
    money_columns = ["jumlah_uang", "nilai"]

    def pre_add(self, item):
        super().pre_add(item)
        self._store_photo(item)

    def pre_update(self, item):
        super().pre_update(item)
        self._store_photo(item)

    def _store_photo(self, item):
        upload = request.files.get("unggah_foto")
        if upload is not None and upload.filename:
            _attach_upload(item, upload, "foto", "nama_foto")

    @expose("/foto/<int:pk>")
    @has_access
    def foto(self, pk):
        """The photo proof of one entry, only inside the user's scope."""
        return _send_stored(self._scoped_item(pk), "foto", "nama_foto")

    @expose("/batal/<int:pk>", methods=["GET", "POST"])
    @has_access
    def batal(self, pk):
        """Void an entry with a reason (a confirmation page; the entry stays, marked void)."""
        item = self._scoped_item(pk)
        error = None
        if request.method == "POST":
            try:
                void(item, request.form.get("alasan", ""), current_username())
                self.datamodel.session.commit()
            except (ValueError, InsufficientStock) as exc:
                self.datamodel.session.rollback()
                error = str(exc)
            else:
                flash("Data dibatalkan. Koreksi dengan mencatat data baru.", "success")
                return redirect(url_for(".show", pk=pk))
        return self.render_template(
            "pundi/batal.html", item=item, title=f"Batalkan {item}", error=error, alasan=request.form.get("alasan", "")
        )

    def show_extra(self, item) -> dict:
        return {"bisa_ubah": self.appbuilder.sm.has_access("can_edit", self.class_permission_name)}


class PengumpulanView(LedgerView):
    datamodel = LargeTableInterface(Pengumpulan)
    class_permission_name = "Pengumpulan"
    list_columns = ["tanggal_terima", "nomor_kwitansi", "psks", "sumber_dana", "donatur", "jenis", "nilai", "batal"]
    show_columns = [
        "tanggal_terima",
        "nomor_kwitansi",
        "psks",
        "sumber_dana",
        "donatur",
        *AMOUNT_COLUMNS,
        "harga_barang",
        "alasan_nilai",
        "nomor_izin_pub",
        "kecamatan",
        "desa",
        "nama_foto",
        "catatan",
        *VOID_COLUMNS,
        *AUDIT_LABELS,
    ]
    add_columns = edit_columns = [
        "psks",
        "tanggal_terima",
        "sumber_dana",
        "donatur",
        "nomor_kwitansi",
        *AMOUNT_COLUMNS,
        "alasan_nilai",
        "nomor_izin_pub",
        "desa",
        "unggah_foto",
        "catatan",
    ]
    export_columns = [
        "tanggal_terima",
        "nomor_kwitansi",
        "psks.nama",
        "sumber_dana",
        "donatur",
        *AMOUNT_COLUMNS,
        "kecamatan.kode",
        "kecamatan.nama",
        "desa.kode",
        "desa.nama",
        "batal",
    ]
    # Big tables (PSKS, PPKS) are not offered as search dropdowns: their options would fill the page.
    search_columns = ["tanggal_terima", "nomor_kwitansi", "kecamatan", "sumber_dana", "jenis", "batal"]
    order_columns = ["tanggal_terima", "nomor_kwitansi", "nilai"]
    label_columns = {
        **LEDGER_LABELS,
        "tanggal_terima": "Tanggal diterima",
        "nomor_kwitansi": "Nomor kwitansi",
        "sumber_dana": "Sumber",
        "donatur": "Donatur",
        "harga_barang": "Harga acuan",
        "alasan_nilai": "Alasan nilai berbeda",
        "nomor_izin_pub": "Nomor izin PUB",
    }
    description_columns = {
        "desa": "Tempat pengumpulan; kosongkan bila di desa/kelurahan PSKS. Kecamatan mengikuti desa ini.",
        "nomor_izin_pub": "Bila pengumpulan ini memakai izin PUB.",
        "alasan_nilai": "Wajib bila nilai barang berbeda dari harga acuan.",
    }
    formatters_columns = LEDGER_FORMATTERS
    add_form_extra_fields = edit_form_extra_fields = AMOUNT_FIELDS
    add_form_query_rel_fields = edit_form_query_rel_fields = {"sumber_dana": [["golongan", FilterEqual, "masyarakat"]]}
    base_order = ("tanggal_terima", "desc")


class PenyaluranView(LedgerView):
    datamodel = LargeTableInterface(Penyaluran)
    class_permission_name = "Penyaluran"
    list_columns = ["tanggal", "psks", "ppks", "penerima_kelompok", "jenis_bantuan", "jenis", "nilai", "batal"]
    show_columns = [
        "tanggal",
        "psks",
        "ppks",
        "penerima_kelompok",
        "jumlah_penerima",
        "jenis_bantuan",
        "tujuan",
        *AMOUNT_COLUMNS,
        "petugas",
        "kecamatan",
        "nama_foto",
        "nama_bast",
        "catatan",
        *VOID_COLUMNS,
        *AUDIT_LABELS,
    ]
    add_columns = edit_columns = [
        "psks",
        "tanggal",
        "ppks",
        "penerima_kelompok",
        "jumlah_penerima",
        "jenis_bantuan",
        "tujuan",
        "jenis",
        "jumlah_uang",
        "nama_barang",
        "kuantitas",
        "satuan",
        "petugas",
        "unggah_foto",
        "catatan",
    ]
    export_columns = [
        "tanggal",
        "psks.nama",
        "ppks",
        "penerima_kelompok",
        "jumlah_penerima",
        "jenis_bantuan",
        "tujuan",
        *AMOUNT_COLUMNS,
        "kecamatan.kode",
        "kecamatan.nama",
        "batal",
    ]
    search_columns = ["tanggal", "kecamatan", "jenis_bantuan", "jenis", "batal"]
    order_columns = ["tanggal", "nilai"]
    label_columns = {
        **LEDGER_LABELS,
        "tanggal": "Tanggal penyaluran",
        "ppks": "PPKS penerima",
        "penerima_kelompok": "Atau kelompok/kegiatan penerima",
        "jumlah_penerima": "Jumlah orang penerima",
        "jenis_bantuan": "Jenis bantuan",
        "tujuan": "Tujuan",
        "petugas": "Petugas yang menyerahkan",
        "nama_bast": "BAST bertanda tangan",
    }
    description_columns = {
        "nama_barang": "Dari stok PSKS: nama dan satuan seperti saat diterima.",
        "penerima_kelompok": "Isi bila penerimanya kelompok atau kegiatan, bukan satu PPKS.",
    }
    formatters_columns = LEDGER_FORMATTERS
    add_form_extra_fields = edit_form_extra_fields = {
        **{k: v for k, v in AMOUNT_FIELDS.items() if k != "nilai"},
        "jenis_bantuan": _select("Jenis bantuan", JENIS_BANTUAN_CHOICES),
        "ppks": _ppks_picker("PPKS penerima"),
    }
    base_order = ("tanggal", "desc")
    show_template = "pundi/show_penyaluran.html"

    def post_add(self, item):
        for warning in duplicate_aid_for(self.datamodel.session, item):
            flash(f"Perhatian, bantuan ganda: {warning}", "warning")

    @expose("/bast/<int:pk>")
    @has_access
    def bast(self, pk):
        """The handover record (BAST) of one distribution as PDF."""
        item = self._scoped_item(pk)
        pdf = render_bast(item)
        return Response(
            pdf,
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="BAST-{item.id}.pdf"'},
        )

    @expose("/unggah_bast/<int:pk>", methods=["GET", "POST"])
    @has_access
    def unggah_bast(self, pk):
        """Upload the signed BAST back onto its distribution."""
        item = self._scoped_item(pk)
        error = None
        if request.method == "POST":
            upload = request.files.get("berkas")
            error = upload_error(upload)
            if not error:
                _attach_upload(item, upload, "bast", "nama_bast")
                self.datamodel.session.commit()
                flash("BAST bertanda tangan tersimpan.", "success")
                return redirect(url_for(".show", pk=pk))
        return self.render_template(
            "pundi/unggah_bast.html", item=item, title="Unggah BAST bertanda tangan", error=error
        )

    @expose("/bast_ttd/<int:pk>")
    @has_access
    def bast_ttd(self, pk):
        """The signed BAST, only inside the user's scope."""
        return _send_stored(self._scoped_item(pk), "bast", "nama_bast")


class BantuanPemerintahView(LedgerView):
    datamodel = LargeTableInterface(BantuanPemerintah)
    class_permission_name = "BantuanPemerintah"
    list_columns = ["tanggal_cair", "sumber_dana", "nama_program", "kecamatan", "jenis_bantuan", "nilai", "batal"]
    show_columns = [
        "tanggal_cair",
        "sumber_dana",
        "nama_program",
        "nomor_referensi",
        "kecamatan",
        "jenis_bantuan",
        *AMOUNT_COLUMNS,
        "penerima",
        "nama_foto",
        "catatan",
        *VOID_COLUMNS,
        *AUDIT_LABELS,
    ]
    add_columns = edit_columns = [
        "sumber_dana",
        "nama_program",
        "tanggal_cair",
        "nomor_referensi",
        "kecamatan",
        "jenis_bantuan",
        *AMOUNT_COLUMNS,
        "penerima",
        "unggah_foto",
        "catatan",
    ]
    export_columns = [
        "tanggal_cair",
        "sumber_dana",
        "nama_program",
        "nomor_referensi",
        "jenis_bantuan",
        *AMOUNT_COLUMNS,
        "kecamatan.kode",
        "kecamatan.nama",
        "batal",
    ]
    search_columns = ["tanggal_cair", "sumber_dana", "nama_program", "kecamatan", "jenis_bantuan", "batal"]
    order_columns = ["tanggal_cair", "nilai", "nama_program"]
    label_columns = {
        **LEDGER_LABELS,
        "tanggal_cair": "Tanggal pencairan",
        "sumber_dana": "Sumber dana",
        "nama_program": "Nama program",
        "nomor_referensi": "Nomor SP2D/surat",
        "jenis_bantuan": "Jenis bantuan",
        "penerima": "PPKS penerima",
    }
    formatters_columns = LEDGER_FORMATTERS
    add_form_extra_fields = edit_form_extra_fields = {
        **AMOUNT_FIELDS,
        "jenis_bantuan": _select("Jenis bantuan", JENIS_BANTUAN_CHOICES),
        "penerima": _ppks_picker("PPKS penerima", multiple=True),
    }
    add_form_query_rel_fields = edit_form_query_rel_fields = {
        "sumber_dana": [["golongan", FilterNotEqual, "masyarakat"]]
    }
    base_order = ("tanggal_cair", "desc")

    def post_add(self, item):
        for warning in duplicate_aid_for(self.datamodel.session, item):
            flash(f"Perhatian, bantuan ganda: {warning}", "warning")


class HargaBarangView(PundiModelView):
    datamodel = SQLAInterface(HargaBarang)
    class_permission_name = "HargaBarang"
    list_columns = ["nama_barang", "satuan", "harga", "berlaku_mulai"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["nama_barang", "satuan", "berlaku_mulai"]
    label_columns = {
        "nama_barang": "Nama barang",
        "satuan": "Satuan",
        "harga": "Harga per satuan (Rp)",
        "berlaku_mulai": "Berlaku mulai",
        **AUDIT_LABELS,
    }
    description_columns = {
        "berlaku_mulai": "Harga baru berlaku untuk penerimaan sejak tanggal ini; "
        "nilai yang sudah tercatat tidak berubah."
    }
    formatters_columns = {"harga": format_rupiah}
    add_form_extra_fields = edit_form_extra_fields = {"harga": AngkaField("Harga per satuan (Rp)")}
    base_order = ("nama_barang", "asc")


class TutupBukuView(PundiModelView):
    datamodel = SQLAInterface(TutupBuku)
    class_permission_name = "TutupBuku"
    base_permissions = ["can_read", "can_add"]
    list_columns = ["sampai", "keterangan", "created_by", "created_on"]
    add_columns = ["sampai", "keterangan"]
    show_columns = list_columns
    label_columns = {"sampai": "Tutup buku sampai tanggal", "keterangan": "Keterangan", **AUDIT_LABELS}
    description_columns = {
        "sampai": "Setelah disimpan, data pengumpulan, penyaluran dan bantuan bertanggal sampai hari ini "
        "tidak dapat ditambah, diubah atau dibatalkan."
    }
    base_order = ("sampai", "desc")


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
    (PengumpulanView, "Pengumpulan"),
    (PenyaluranView, "Penyaluran"),
    (BantuanPemerintahView, "Bantuan Pemerintah"),
    (HargaBarangView, "Harga Acuan Barang"),
    (TutupBukuView, "Tutup Buku"),
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


LEDGER_API_COLUMNS = [*AMOUNT_COLUMNS, "batal"]


class LedgerApi(ScopedApi):
    """The API of a money record: read, add and edit; never delete (void on the screen)."""

    exclude_route_methods = {"delete"}
    base_permissions = ["can_read", "can_add", "can_edit"]


class PengumpulanApi(LedgerApi):
    resource_name = "pengumpulan"
    datamodel = SQLAInterface(Pengumpulan)
    class_permission_name = "Pengumpulan"
    list_columns = show_columns = [
        "id",
        "tanggal_terima",
        "nomor_kwitansi",
        "psks.nama",
        "sumber_dana.kode",
        "donatur.nama",
        "kecamatan.nama",
        *LEDGER_API_COLUMNS,
    ]
    add_columns = edit_columns = [c for c in PengumpulanView.add_columns if c != "unggah_foto"]
    search_columns = ["tanggal_terima", "nomor_kwitansi", "psks", "kecamatan", "batal"]


class PenyaluranApi(LedgerApi):
    resource_name = "penyaluran"
    datamodel = SQLAInterface(Penyaluran)
    class_permission_name = "Penyaluran"
    list_columns = show_columns = [
        "id",
        "tanggal",
        "psks.nama",
        "ppks.nama",
        "penerima_kelompok",
        "jumlah_penerima",
        "jenis_bantuan",
        "tujuan",
        "kecamatan.nama",
        *LEDGER_API_COLUMNS,
    ]
    add_columns = edit_columns = [c for c in PenyaluranView.add_columns if c != "unggah_foto"]
    search_columns = ["tanggal", "psks", "ppks", "kecamatan", "batal"]


class BantuanPemerintahApi(LedgerApi):
    resource_name = "bantuan_pemerintah"
    datamodel = SQLAInterface(BantuanPemerintah)
    class_permission_name = "BantuanPemerintah"
    list_columns = show_columns = [
        "id",
        "tanggal_cair",
        "sumber_dana.kode",
        "nama_program",
        "nomor_referensi",
        "jenis_bantuan",
        "kecamatan.nama",
        *LEDGER_API_COLUMNS,
    ]
    add_columns = edit_columns = [c for c in BantuanPemerintahView.add_columns if c not in ("unggah_foto", "penerima")]
    search_columns = ["tanggal_cair", "sumber_dana", "kecamatan", "batal"]


class ImporPengumpulanView(BaseView):
    """Collections from an Excel sheet: template, preview with reasons, all-or-nothing save."""

    route_base = "/impor-pengumpulan"
    default_view = "index"
    class_permission_name = "Pengumpulan"
    method_permission_name = {"index": "add", "template_xlsx": "add", "pratinjau": "add", "simpan": "add"}
    # The same set as the collection screen: FAB prunes a resource's permissions to each view's set.
    base_permissions = ["can_read", "can_add", "can_edit"]

    def _psks_choices(self):
        return scoped_query(Psks).order_by(Psks.nama).all()

    def _psks(self, pk):
        psks = scoped_query(Psks).filter(Psks.id == pk).first() if str(pk).isdigit() else None
        if psks is None:
            abort(404)
        return psks

    @staticmethod
    def _pending_path(token: str) -> str:
        return os.path.join(upload_dir(), f"impor-{token}.xlsx")

    def _discard_pending(self) -> None:
        """Forget an earlier preview that was never saved, and its file."""
        pending = session.pop("impor", None)
        if pending and os.path.exists(self._pending_path(pending["token"])):
            os.remove(self._pending_path(pending["token"]))

    @expose("/")
    @has_access
    def index(self):
        return self.render_template("pundi/impor.html", psks_list=self._psks_choices(), hasil=None)

    @expose("/template")
    @has_access
    def template_xlsx(self):
        return Response(
            impor.template(),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="template-pengumpulan.xlsx"'},
        )

    @expose("/pratinjau", methods=["POST"])
    @has_access
    def pratinjau(self):
        psks = self._psks(request.form.get("psks"))
        upload = request.files.get("berkas")
        if upload is None or not upload.filename:
            flash("Pilih berkas Excel yang akan diimpor.", "danger")
            return redirect(url_for(".index"))
        data = upload.read()
        self._discard_pending()
        token = secrets.token_hex(16)
        with open(self._pending_path(token), "wb") as handle:
            handle.write(data)
        session["impor"] = {"token": token, "psks": psks.id}
        hasil = impor.preview(current_app.appbuilder.session, psks, io.BytesIO(data))
        current_app.appbuilder.session.rollback()
        return self.render_template("pundi/impor.html", psks_list=self._psks_choices(), hasil=hasil, psks=psks)

    @expose("/simpan", methods=["POST"])
    @has_access
    def simpan(self):
        pending = session.pop("impor", None)
        path = pending and self._pending_path(pending["token"])
        if not pending or not os.path.exists(path):
            flash("Tidak ada impor yang menunggu. Unggah berkasnya lagi.", "danger")
            return redirect(url_for(".index"))
        psks = self._psks(pending["psks"])
        try:
            with open(path, "rb") as handle:
                written = impor.commit(current_app.appbuilder.session, psks, handle)
        except (impor.ImportRefused, InsufficientStock) as exc:
            flash(str(exc), "danger")
            return redirect(url_for(".index"))
        finally:
            os.remove(path)
        flash(f"{written} penerimaan tersimpan untuk {psks.nama}.", "success")
        return redirect(url_for("PengumpulanView.list"))


class PilihanView(BaseView):
    """Answers what a user types into a big picker, within the user's scope (JSON)."""

    route_base = "/pilihan"
    class_permission_name = "Ppks"
    method_permission_name = {"ppks": "read"}
    # The same set as the PPKS screen: FAB prunes a resource's permissions to each view's set.
    base_permissions = ["can_read", "can_add", "can_edit", "can_delete"]
    limit = 20

    @expose("/ppks")
    @has_access
    def ppks(self):
        text = (request.args.get("q") or "").strip()[:100]
        query = scoped_query(Ppks)
        if text.isdigit() and len(text) == 16:
            query = query.filter(Ppks.nik == text)
        elif len(text) >= 2:
            escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.filter(Ppks.nama.ilike(f"%{escaped}%", escape="\\"))
        else:
            return jsonify(results=[])
        rows = query.order_by(Ppks.nama).limit(self.limit).all()
        return jsonify(results=[{"id": row.id, "text": ppks_label(row)} for row in rows])


class RingkasanView(IndexView):
    """Home page: the registries counted per kecamatan, within the user's scope."""

    index_template = "pundi/index.html"

    @expose("/")
    def index(self):
        return self.render_template(self.index_template, appbuilder=self.appbuilder, ringkasan=stats.summary())
