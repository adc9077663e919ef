"""Demo records across all 8 kecamatan and one demo user per role; idempotent."""

from __future__ import annotations

import datetime as dt
import random

import click
from werkzeug.security import generate_password_hash

from app.models import Desa, Donatur, JenisPpks, JenisPsks, Kecamatan, Ppks, Psks

DEMO_USERS = (
    ("admin", "Admin", None, None),
    ("dinas", "Admin Dinas", None, None),
    ("kadis", "Kepala Dinas", None, None),
    ("trc", "TRC", None, None),
    ("op.taliwang", "Operator PSKS", "Taliwang", "LKS Peduli Sesama Taliwang"),
    ("op.maluk", "Operator PSKS", "Maluk", "WKSBM Maluk Bersatu"),
    ("pemantau.seteluk", "Pemantau Kecamatan", "Seteluk", None),
)
PSKS_TEMPLATES = (
    ("LKS Peduli Sesama {kec}", "LKS", "lembaga"),
    ("WKSBM {kec} Bersatu", "WKSBM", "lembaga"),
    ("Karang Taruna {kec}", "KARTAR", "lembaga"),
    ("TKSK Kecamatan {kec}", "TKSK", "perorangan"),
)
FIRST_NAMES_M = ("Ahmad", "Lalu", "Muhammad", "Sahabuddin", "Hasan", "Ilham", "Zainal", "Junaidi")
FIRST_NAMES_F = ("Siti", "Nurhayati", "Baiq", "Aminah", "Rahmawati", "Fatimah", "Sri", "Halimah")
LAST_NAMES = ("Hidayat", "Saputra", "Rahman", "Sumbawa", "Kurniawan", "Wahyuni", "Ismail", "Hamzah")
DONORS = (
    ("Hamba Allah", "perorangan", True),
    ("Majelis Taklim Nurul Iman {kec}", "kelompok", False),
    ("Toko Sembako Berkah {kec}", "dunia_usaha", False),
)


def _nik(kec_index: int, born: dt.date, female: bool, serial: int) -> str:
    day = born.day + (40 if female else 0)
    return f"5207{kec_index:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def _demo_users(sm, password: str) -> int:
    created = 0
    for username, role_name, kec_name, psks_name in DEMO_USERS:
        role = sm.find_role(role_name)
        kecamatan = sm.session.query(Kecamatan).filter_by(nama=kec_name).one_or_none() if kec_name else None
        psks = sm.session.query(Psks).filter_by(nama=psks_name).one_or_none() if psks_name else None
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(
                username,
                username.split(".")[0].title(),
                kec_name or "Dinsos KSB",
                f"{username}@dinsos.ksb.local",
                role,
                password,
            )
            created += 1
        user.roles = [role]
        user.kecamatan = kecamatan or (psks.kecamatan if psks else None)
        user.psks = psks
        user.password = generate_password_hash(password)
    sm.session.commit()
    return created


def _demo_registries(session) -> dict[str, int]:
    rng = random.Random(2026)
    jenis_psks = {j.kode: j for j in session.query(JenisPsks)}
    jenis_ppks = session.query(JenisPpks).order_by(JenisPpks.kode).all()
    added = {"psks": 0, "ppks": 0, "donatur": 0}
    for index, kecamatan in enumerate(session.query(Kecamatan).order_by(Kecamatan.kode), start=1):
        desa = session.query(Desa).filter_by(kecamatan_id=kecamatan.id).order_by(Desa.kode).all()
        for name, kode, bentuk in PSKS_TEMPLATES:
            nama = name.format(kec=kecamatan.nama)
            if session.query(Psks).filter_by(nama=nama).first():
                continue
            session.add(
                Psks(
                    nama=nama,
                    jenis=jenis_psks[kode],
                    bentuk=bentuk,
                    kecamatan=kecamatan,
                    desa=desa[0],
                    alamat=f"Jl. Pendidikan, {desa[0].nama}",
                    telepon=f"0812{rng.randrange(10**7, 10**8)}",
                    ketua=f"{rng.choice(FIRST_NAMES_M)} {rng.choice(LAST_NAMES)}",
                    tanggal_berdiri=dt.date(rng.randrange(2005, 2022), rng.randrange(1, 13), rng.randrange(1, 28)),
                    aktif=True,
                )
            )
            added["psks"] += 1
        for serial in range(1, 7):
            person = random.Random(f"{kecamatan.kode}-{serial}")
            female = serial % 2 == 0
            born = dt.date(person.randrange(1945, 2015), person.randrange(1, 13), person.randrange(1, 28))
            nik = _nik(index, born, female, serial)
            if session.query(Ppks).filter_by(nik=nik).first():
                continue
            first = person.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
            village = person.choice(desa)
            session.add(
                Ppks(
                    nama=f"{first} {person.choice(LAST_NAMES)}",
                    nik=nik,
                    jenis_kelamin="P" if female else "L",
                    tanggal_lahir=born,
                    alamat=f"RT 0{serial}/RW 02, {village.nama}",
                    desa=village,
                    kecamatan=kecamatan,
                    jenis=person.sample(jenis_ppks, 1),
                    status="aktif",
                )
            )
            added["ppks"] += 1
        for name, jenis, anonim in DONORS:
            nama = name.format(kec=kecamatan.nama)
            if session.query(Donatur).filter_by(nama=nama, kecamatan_id=kecamatan.id).first():
                continue
            session.add(Donatur(nama=nama, jenis=jenis, anonim=anonim, kecamatan=kecamatan))
            added["donatur"] += 1
    session.commit()
    return added


def load_demo(appbuilder, password: str) -> str:
    """Fill demo registries and users; returns a one-line summary in Indonesian."""
    if not appbuilder.sm.find_role("Operator PSKS"):
        raise click.ClickException("Jalankan `flask --app run pundi init` terlebih dahulu.")
    added = _demo_registries(appbuilder.session)
    users = _demo_users(appbuilder.sm, password)
    return (
        f"Data contoh: +{added['psks']} PSKS, +{added['ppks']} PPKS, +{added['donatur']} donatur, "
        f"+{users} pengguna. Pengguna contoh: {', '.join(u[0] for u in DEMO_USERS)} "
        "(kata sandi dari PUNDI_DEMO_PASSWORD)."
    )
