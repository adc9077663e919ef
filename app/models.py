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
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
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


MONEY = Numeric(15, 2)
QUANTITY = Numeric(12, 2)


class HargaBarang(AuditMixin, Model):
    """Reference price of a common good from a date on; proposes the value of goods received."""

    __tablename__ = "harga_barang"
    __table_args__ = (UniqueConstraint("nama_barang", "satuan", "berlaku_mulai"),)

    id = Column(Integer, primary_key=True)
    nama_barang = Column(String(100), nullable=False)
    satuan = Column(String(20), nullable=False)
    harga = Column(MONEY, nullable=False)
    berlaku_mulai = Column(Date, nullable=False)

    def __repr__(self) -> str:
        return f"{self.nama_barang} ({self.satuan})"


class LedgerMixin(AuditMixin):
    """Columns every money record shares: what moved, its value, and its void (batal) state."""

    jenis = Column(String(6), nullable=False)  # "uang" or "barang"
    jumlah_uang = Column(MONEY, nullable=True)
    nama_barang = Column(String(100), nullable=True)
    kuantitas = Column(QUANTITY, nullable=True)
    satuan = Column(String(20), nullable=True)
    nilai = Column(MONEY, nullable=False, default=0)  # filled by app.ledger.prepare
    catatan = Column(Text, nullable=True)
    foto = Column(String(64), nullable=True)
    nama_foto = Column(String(255), nullable=True)
    batal = Column(Boolean, nullable=False, default=False)
    alasan_batal = Column(String(255), nullable=True)
    dibatalkan_oleh = Column(String(128), nullable=True)
    dibatalkan_pada = Column(DateTime, nullable=True)


class Pengumpulan(LedgerMixin, Model):
    """Money or goods a PSKS received from the community."""

    __tablename__ = "pengumpulan"
    __scope__ = {"kecamatan": "kecamatan_id", "psks": "psks_id"}
    __table_args__ = (
        UniqueConstraint("psks_id", "nomor_kwitansi", name="uq_pengumpulan_kwitansi"),
        Index("ix_pengumpulan_kecamatan_tanggal", "kecamatan_id", "tanggal_terima"),
        Index("ix_pengumpulan_psks_tanggal", "psks_id", "tanggal_terima"),
        Index("ix_pengumpulan_tanggal", "tanggal_terima"),
    )

    id = Column(Integer, primary_key=True)
    psks_id = Column(Integer, ForeignKey("psks.id"), nullable=False)
    psks = relationship(Psks, lazy="joined")
    tanggal_terima = Column(Date, nullable=False)
    sumber_dana_id = Column(Integer, ForeignKey("sumber_dana.id"), nullable=False)
    sumber_dana = relationship(SumberDana, lazy="joined")
    donatur_id = Column(Integer, ForeignKey("donatur.id"), nullable=True)
    donatur = relationship(Donatur, lazy="joined")
    nomor_kwitansi = Column(String(50), nullable=False)
    nomor_izin_pub = Column(String(60), nullable=True)
    kecamatan_id = Column(Integer, ForeignKey("kecamatan.id"), nullable=False)
    kecamatan = relationship(Kecamatan, lazy="joined")
    desa_id = Column(Integer, ForeignKey("desa.id"), nullable=True)
    desa = relationship(Desa, lazy="joined")
    harga_barang_id = Column(Integer, ForeignKey("harga_barang.id"), nullable=True)
    harga_barang = relationship(HargaBarang)
    alasan_nilai = Column(String(255), nullable=True)

    def __repr__(self) -> str:
        return f"Kwitansi {self.nomor_kwitansi}"


class Penyaluran(LedgerMixin, Model):
    """Money or goods a PSKS handed from its own stock to a PPKS or a group."""

    __tablename__ = "penyaluran"
    __scope__ = {"kecamatan": "kecamatan_id", "psks": "psks_id"}
    __table_args__ = (
        Index("ix_penyaluran_kecamatan_tanggal", "kecamatan_id", "tanggal"),
        Index("ix_penyaluran_psks_tanggal", "psks_id", "tanggal"),
        Index("ix_penyaluran_ppks_tanggal", "ppks_id", "tanggal"),
        Index("ix_penyaluran_tanggal", "tanggal"),
    )

    id = Column(Integer, primary_key=True)
    psks_id = Column(Integer, ForeignKey("psks.id"), nullable=False)
    psks = relationship(Psks, lazy="joined")
    tanggal = Column(Date, nullable=False)
    ppks_id = Column(Integer, ForeignKey("ppks.id"), nullable=True)
    ppks = relationship(Ppks, lazy="joined")
    penerima_kelompok = Column(String(150), nullable=True)
    jumlah_penerima = Column(Integer, nullable=True)
    kecamatan_id = Column(Integer, ForeignKey("kecamatan.id"), nullable=False)
    kecamatan = relationship(Kecamatan, lazy="joined")
    jenis_bantuan = Column(String(20), nullable=False)
    tujuan = Column(String(255), nullable=False)
    petugas = Column(String(100), nullable=True)
    bast = Column(String(64), nullable=True)
    nama_bast = Column(String(255), nullable=True)

    def __repr__(self) -> str:
        return f"Penyaluran #{self.id}"


bantuan_penerima = Table(
    "bantuan_penerima",
    Model.metadata,
    Column("bantuan_id", Integer, ForeignKey("bantuan_pemerintah.id", ondelete="CASCADE"), primary_key=True),
    Column("ppks_id", Integer, ForeignKey("ppks.id"), primary_key=True),
    Index("ix_bantuan_penerima_ppks", "ppks_id"),
)


class BantuanPemerintah(LedgerMixin, Model):
    """Aid from government funds (APBD Kabupaten, APBD Provinsi, APBN), by date disbursed."""

    __tablename__ = "bantuan_pemerintah"
    __scope__ = {"kecamatan": "kecamatan_id"}
    __table_args__ = (
        Index("ix_bantuan_kecamatan_tanggal", "kecamatan_id", "tanggal_cair"),
        Index("ix_bantuan_tanggal", "tanggal_cair"),
    )

    id = Column(Integer, primary_key=True)
    sumber_dana_id = Column(Integer, ForeignKey("sumber_dana.id"), nullable=False)
    sumber_dana = relationship(SumberDana, lazy="joined")
    nama_program = Column(String(150), nullable=False)
    tanggal_cair = Column(Date, nullable=False)
    kecamatan_id = Column(Integer, ForeignKey("kecamatan.id"), nullable=False)
    kecamatan = relationship(Kecamatan, lazy="joined")
    jenis_bantuan = Column(String(20), nullable=False)
    nomor_referensi = Column(String(100), nullable=True)
    penerima = relationship(Ppks, secondary=bantuan_penerima)

    def __repr__(self) -> str:
        return self.nama_program


class Stok(Model):
    """Running balance of one PSKS: money (barang "", satuan "Rp") or one good in one unit.

    Kept in the same transaction as every ledger write; a conditional UPDATE refuses to take
    it below zero, so concurrent distributions cannot overdraw it (app.ledger)."""

    __tablename__ = "stok"
    __table_args__ = (UniqueConstraint("psks_id", "barang", "satuan", name="uq_stok_psks_barang"),)

    id = Column(Integer, primary_key=True)
    psks_id = Column(Integer, ForeignKey("psks.id"), nullable=False)
    barang = Column(String(100), nullable=False)
    satuan = Column(String(20), nullable=False)
    jumlah = Column(Numeric(18, 2), nullable=False, default=0)
    nilai = Column(Numeric(18, 2), nullable=False, default=0)


class TutupBuku(AuditMixin, Model):
    """A closing: ledger entries dated on or before ``sampai`` can no longer change."""

    __tablename__ = "tutup_buku"

    id = Column(Integer, primary_key=True)
    sampai = Column(Date, nullable=False, unique=True)
    keterangan = Column(String(255), nullable=True)

    def __repr__(self) -> str:
        return str(self.sampai)


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
