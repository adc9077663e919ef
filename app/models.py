"""Declarative models of PUNDI SOSIAL: columns, relationships, constraints.

Each scoped table carries ``kecamatan_id`` itself (FAB drops filters through to-many
paths) and declares how it is scoped in ``__scope__``; ``app.scope`` reads that.
``__kecamatan_from__`` names the relationship a row's kecamatan is copied from.
"""

from flask_appbuilder import Model
from flask_appbuilder.models.mixins import AuditMixin
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import relationship


class Kecamatan(Model):
    __tablename__ = "kecamatan"
    __scope__ = {"kecamatan": "id"}

    id = Column(Integer, primary_key=True)
    kode = Column(String(8), unique=True, nullable=False)
    nama = Column(String(64), unique=True, nullable=False)

    def __repr__(self) -> str:
        return self.nama


class Desa(Model):
    __tablename__ = "desa"
    __scope__ = {"kecamatan": "kecamatan_id"}

    id = Column(Integer, primary_key=True)
    kode = Column(String(13), unique=True, nullable=False)
    nama = Column(String(64), nullable=False)
    jenis = Column(String(10), nullable=False)
    kecamatan_id = Column(Integer, ForeignKey("kecamatan.id"), nullable=False, index=True)
    kecamatan = relationship(Kecamatan)

    def __repr__(self) -> str:
        return self.nama


class JenisPpks(Model):
    __tablename__ = "jenis_ppks"

    id = Column(Integer, primary_key=True)
    kode = Column(String(2), unique=True, nullable=False)
    nama = Column(String(120), unique=True, nullable=False)
    singkatan = Column(String(10), nullable=False)
    kriteria_masalah = Column(String(80), nullable=False)
    kategori = Column(String(12), nullable=True)

    def __repr__(self) -> str:
        return self.nama


class JenisPsks(Model):
    __tablename__ = "jenis_psks"

    id = Column(Integer, primary_key=True)
    kode = Column(String(16), unique=True, nullable=False)
    nama = Column(String(120), unique=True, nullable=False)
    bentuk = Column(String(12), nullable=False)
    dasar = Column(String(80), nullable=False)

    def __repr__(self) -> str:
        return self.nama


class SumberDana(Model):
    __tablename__ = "sumber_dana"

    id = Column(Integer, primary_key=True)
    kode = Column(String(16), unique=True, nullable=False)
    nama = Column(String(120), unique=True, nullable=False)
    golongan = Column(String(20), nullable=False)
    keterangan = Column(String(200), nullable=True)

    def __repr__(self) -> str:
        return self.nama


class Psks(AuditMixin, Model):
    __tablename__ = "psks"
    __scope__ = {"kecamatan": "kecamatan_id", "psks": "id"}

    id = Column(Integer, primary_key=True)
    nama = Column(String(150), nullable=False, index=True)
    jenis_id = Column(Integer, ForeignKey("jenis_psks.id"), nullable=False)
    jenis = relationship(JenisPsks)
    bentuk = Column(String(12), nullable=False)
    kecamatan_id = Column(Integer, ForeignKey("kecamatan.id"), nullable=False, index=True)
    kecamatan = relationship(Kecamatan)
    desa_id = Column(Integer, ForeignKey("desa.id"), nullable=True)
    desa = relationship(Desa)
    alamat = Column(String(255), nullable=True)
    telepon = Column(String(20), nullable=True)
    ketua = Column(String(100), nullable=True)
    nomor_badan_hukum = Column(String(100), nullable=True)
    tanggal_badan_hukum = Column(Date, nullable=True)
    tanggal_berdiri = Column(Date, nullable=True)
    aktif = Column(Boolean, nullable=False, default=True)

    def __repr__(self) -> str:
        return self.nama


ppks_jenis = Table(
    "ppks_jenis",
    Model.metadata,
    Column("ppks_id", Integer, ForeignKey("ppks.id", ondelete="CASCADE"), primary_key=True),
    Column("jenis_ppks_id", Integer, ForeignKey("jenis_ppks.id"), primary_key=True),
)


class Ppks(AuditMixin, Model):
    __tablename__ = "ppks"
    __scope__ = {"kecamatan": "kecamatan_id"}
    __kecamatan_from__ = "desa"

    id = Column(Integer, primary_key=True)
    nama = Column(String(150), nullable=False, index=True)
    nik = Column(String(16), unique=True, nullable=True)
    no_kk = Column(String(16), nullable=True)
    jenis_kelamin = Column(String(1), nullable=False)
    tanggal_lahir = Column(Date, nullable=True)
    alamat = Column(String(255), nullable=True)
    desa_id = Column(Integer, ForeignKey("desa.id"), nullable=False)
    desa = relationship(Desa)
    kecamatan_id = Column(Integer, ForeignKey("kecamatan.id"), nullable=False, index=True)
    kecamatan = relationship(Kecamatan)
    jenis = relationship(JenisPpks, secondary=ppks_jenis)
    status = Column(String(20), nullable=False, default="aktif")
    catatan = Column(Text, nullable=True)

    def __repr__(self) -> str:
        return self.nama


class Donatur(AuditMixin, Model):
    __tablename__ = "donatur"
    __scope__ = {"kecamatan": "kecamatan_id"}

    id = Column(Integer, primary_key=True)
    jenis = Column(String(20), nullable=False)
    nama = Column(String(150), nullable=False, index=True)
    anonim = Column(Boolean, nullable=False, default=False)
    kontak = Column(String(100), nullable=True)
    kecamatan_id = Column(Integer, ForeignKey("kecamatan.id"), nullable=False, index=True)
    kecamatan = relationship(Kecamatan)

    def __repr__(self) -> str:
        return self.nama


class DokumenPsks(AuditMixin, Model):
    __tablename__ = "dokumen_psks"
    __scope__ = {"kecamatan": "kecamatan_id", "psks": "psks_id"}
    __kecamatan_from__ = "psks"

    id = Column(Integer, primary_key=True)
    psks_id = Column(Integer, ForeignKey("psks.id"), nullable=False, index=True)
    psks = relationship(Psks)
    kecamatan_id = Column(Integer, ForeignKey("kecamatan.id"), nullable=False, index=True)
    kecamatan = relationship(Kecamatan)
    jenis = Column(String(30), nullable=False)
    keterangan = Column(String(255), nullable=True)
    nama_berkas = Column(String(255), nullable=False)
    berkas = Column(String(64), nullable=False, unique=True)
    tipe = Column(String(50), nullable=False)
    ukuran = Column(Integer, nullable=False)

    def __repr__(self) -> str:
        return self.nama_berkas


class Pengguna(User):
    """FAB's user with the kecamatan and PSKS that scope what they see."""

    __tablename__ = "ab_user"

    kecamatan_id = Column(Integer, ForeignKey("kecamatan.id"), nullable=True)
    kecamatan = relationship(Kecamatan)
    psks_id = Column(Integer, ForeignKey("psks.id", use_alter=True, name="fk_ab_user_psks_id"), nullable=True)
    psks = relationship(Psks, foreign_keys=[psks_id])


class RiwayatPerubahan(Model):
    """One audited change: who changed which row, when, and each field's old → new value."""

    __tablename__ = "riwayat_perubahan"
    __table_args__ = (Index("ix_riwayat_tabel_baris", "tabel", "baris_id"),)

    id = Column(Integer, primary_key=True)
    tabel = Column(String(64), nullable=False)
    baris_id = Column(String(64), nullable=False)
    aksi = Column(String(10), nullable=False)
    waktu = Column(DateTime, nullable=False)
    user_id = Column(Integer, nullable=True)
    username = Column(String(128), nullable=True)
    perubahan = Column(Text, nullable=False)

    def __repr__(self) -> str:
        return f"{self.tabel}#{self.baris_id} {self.aksi}"
