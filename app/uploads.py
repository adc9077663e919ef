"""Uploaded files: checked by content, stored under a random name outside ``static/``."""

from __future__ import annotations

import os
import re
import secrets
import unicodedata
from dataclasses import dataclass

from flask import current_app
from werkzeug.datastructures import FileStorage

# Allowed types, recognised by their first bytes, never by the client's name or header.
SIGNATURES = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
)
ALLOWED_LABEL = "PDF, PNG atau JPG"


@dataclass
class StoredFile:
    """A saved upload: its stored name, cleaned original name, type and size."""

    stored_name: str
    original_name: str
    mime: str
    size: int


def upload_dir() -> str:
    folder = current_app.config["PUNDI_UPLOAD_DIR"]
    os.makedirs(folder, exist_ok=True)
    return folder


def clean_filename(name: str | None) -> str:
    """A display name with no path, no control characters, at most 120 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    base = base.strip(" .")
    return base[:120] or "berkas"


def _detect(head: bytes) -> tuple[str, str] | None:
    for magic, ext, mime in SIGNATURES:
        if head.startswith(magic):
            return ext, mime
    return None


def _size(storage: FileStorage) -> int:
    stream = storage.stream
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def upload_error(storage: FileStorage | None) -> str | None:
    """An Indonesian message when the upload is missing, too large or of a wrong type."""
    if storage is None or not getattr(storage, "filename", None):
        return "Pilih berkas yang akan diunggah."
    limit = current_app.config["PUNDI_UPLOAD_MAX_BYTES"]
    size = _size(storage)
    if size == 0:
        return "Berkas kosong."
    if size > limit:
        return f"Berkas terlalu besar: {size / 1048576:.1f} MB, paling besar {limit / 1048576:.0f} MB."
    head = storage.stream.read(16)
    storage.stream.seek(0)
    if _detect(head) is None:
        return f"Jenis berkas tidak diizinkan. Unggah {ALLOWED_LABEL}."
    return None


def store_upload(storage: FileStorage) -> StoredFile:
    """Save a checked upload under a random name inside the upload folder."""
    head = storage.stream.read(16)
    storage.stream.seek(0)
    ext, mime = _detect(head)
    stored_name = f"{secrets.token_hex(16)}.{ext}"
    path = os.path.join(upload_dir(), stored_name)
    storage.save(path)
    return StoredFile(stored_name, clean_filename(storage.filename), mime, os.path.getsize(path))


def stored_path(stored_name: str) -> str:
    """Absolute path of a stored file; refuses any name that would leave the folder."""
    folder = os.path.realpath(upload_dir())
    path = os.path.realpath(os.path.join(folder, stored_name))
    if os.path.dirname(path) != folder:
        raise FileNotFoundError(stored_name)
    return path
