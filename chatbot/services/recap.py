"""The recap workbook, the status picture and the e-SPIP package of a period."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from chatbot.domain.calendar import Period
from chatbot.domain.errors import NotYourRole, UnknownPeriod
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission
from chatbot.domain.workflow import (
    PROVINCIAL_CARD_ITEM,
    PROVINCIAL_CARD_NAME,
    UNIT_CARD_ITEM,
    UNIT_CARD_NAME,
)
from chatbot.export.package import PackageEntry, write_package
from chatbot.services.ports import FileStore, UnitOfWorkFactory
from chatbot.services.scorecard import Scorecard, ScorecardService
from chatbot.services.status import PeriodStatus, StatusService

CARD_FOLDER = "Kartu Kendali"


@dataclass(frozen=True, slots=True)
class Package:
    path: Path
    entries: list[PackageEntry]


class RecapService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        status: StatusService,
        files: FileStore,
        timezone: ZoneInfo,
        scorecard: ScorecardService | None = None,
    ) -> None:
        self.scorecard = scorecard
        self.uow_factory = uow_factory
        self.status = status
        self.files = files
        self.timezone = timezone

    @staticmethod
    def check(person: Person | None) -> None:
        if person is not None and not person.may(Permission.EXPORT_RECAP):
            raise NotYourRole(Permission.EXPORT_RECAP.value)

    def _names(self) -> dict[int, str]:
        with self.uow_factory() as uow:
            return {p.id: p.name for p in uow.people.all()}

    def workbook_name(self, period: Period) -> str:
        return f"Rekap-Kartu-Kendali-SPIP-{period.code}.xlsx"

    def workbook(self, period: Period, person: Person | None = None) -> bytes:
        self.check(person)
        from chatbot.export.workbook import write_workbook  # openpyxl: loaded when first used

        status = self.status.period_status(period)
        card = self.scorecard.year(period.year) if self.scorecard else None
        data = write_workbook(status, self._names(), self.timezone, card=card)
        assert data is not None
        return data

    def scorecard_workbook(self, card: Scorecard) -> bytes:
        from chatbot.export.rapor import scorecard_workbook

        return scorecard_workbook(card, self.timezone)

    def scorecard_picture(self, card: Scorecard) -> bytes:
        from chatbot.export.rapor import scorecard_png

        return scorecard_png(card, self.timezone)

    def picture(self, status: PeriodStatus) -> bytes:
        from chatbot.export.picture import heatmap_png  # matplotlib: loaded when first used

        return heatmap_png(status, self.timezone)

    def package(self, period: Period, out: Path, person: Person | None = None) -> Package:
        self.check(person)
        workbook = self.workbook(period)
        with self.uow_factory() as uow:
            if uow.periods.get(period) is None:
                raise UnknownPeriod(period.code)
            units = {u.code: u for u in uow.units.all()}
            catalogue = uow.catalogue.load(period)
            files = uow.items.approved_files(period)
        folders = {  # item code -> (card type, the item's folder: its number and name)
            i.code: (
                card.name if (card := catalogue.card_type(i.card_type)) else i.card_type,
                f"{i.code} {i.name}",
            )
            for i in catalogue.items
        }
        folders[UNIT_CARD_ITEM] = (CARD_FOLDER, UNIT_CARD_NAME)
        folders[PROVINCIAL_CARD_ITEM] = (CARD_FOLDER, PROVINCIAL_CARD_NAME)
        entries = write_package(
            out, files, units, folders, self.files.open, self.workbook_name(period), workbook
        )
        return Package(out, entries)
