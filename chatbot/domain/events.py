"""Events: what happened, by whom, when. Written to the append-only audit log."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class EventKind(StrEnum):
    UNDANGAN_DIBUAT = "undangan_dibuat"
    ANGGOTA_BERGABUNG = "anggota_bergabung"
    AKUN_DITAUTKAN = "akun_ditautkan"
    DATA_DIMUAT = "data_dimuat"
    PERIODE_DIBUKA = "periode_dibuka"
    ITEM_DIKIRIM = "item_dikirim"
    ITEM_DITARIK = "item_ditarik"
    ITEM_DISETUJUI = "item_disetujui"
    ITEM_DIKEMBALIKAN = "item_dikembalikan"
    KARTU_DRAFT_DIUNGGAH = "kartu_draft_diunggah"
    KARTU_DISETUJUI_PEJABAT = "kartu_disetujui_pejabat"
    KARTU_TAHAP_SELESAI = "kartu_tahap_selesai"
    KARTU_DIKEMBALIKAN = "kartu_dikembalikan"
    KARTU_TTD_DIUNGGAH = "kartu_ttd_diunggah"
    KARTU_ESPIP_DIUNGGAH = "kartu_espip_diunggah"
    KARTU_DATA_DIKIRIM = "kartu_data_dikirim"
    PERIODE_DISERAHKAN = "periode_diserahkan"
    DELEGASI_DIBUAT = "delegasi_dibuat"
    TEMPLAT_DIDAFTARKAN = "templat_didaftarkan"  # a blank form, to tell unfilled evidence
    # people who come and go (subject "orang:<id>"): access ended or given back, a transfer,
    # a successor; detail names what was handed over to whom
    ANGGOTA_DINONAKTIFKAN = "anggota_dinonaktifkan"
    ANGGOTA_DIAKTIFKAN = "anggota_diaktifkan"
    ANGGOTA_DIPINDAHKAN = "anggota_dipindahkan"
    ANGGOTA_DIGANTIKAN = "anggota_digantikan"
    ANGGOTA_MENGGANTIKAN = "anggota_menggantikan"  # the successor's side of a replacement


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    at: datetime
    actor_id: int | None
    period: str | None = None
    unit_code: str | None = None
    subject: str | None = None
    version: int | None = None
    detail: Mapping[str, str] = field(default_factory=dict)
