"""The typed commands and menu buttons of the WhatsApp channel, through the same commands and
screens as Telegram (``chatbot.commands``, ``chatbot.screens``): a word (``status 2026-10``,
``undang 1501 satgas_kabkota Nama``) or a menu row runs the same thing as Telegram's command;
files (recap, package, picture) are sent as WhatsApp documents and images."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from pywa_async.client import WhatsApp

from chatbot import callbacks, commands, pengguna, screens, texts
from chatbot import wakil as wakil_flow
from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from chatbot.screens import Screen
from chatbot.services.bundle import Services
from whatsapp import render
from whatsapp.kirim import Kirim
from whatsapp.review import Review

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_LIMIT = 100 * 1024 * 1024  # a WhatsApp document

Command = Callable[[str, Person, list[str]], Awaitable[None]]


class Commands:
    def __init__(
        self,
        wa: WhatsApp,
        services: Services,
        kirim: Kirim,
        review: Review,
        telegram_bot: str | None = None,
    ) -> None:
        self.wa = wa
        self.services = services
        self.kirim = kirim
        self.review = review
        self.telegram_bot = telegram_bot
        self.words: dict[str, Command] = {
            "kirim": self.kirim_start,
            "status": self.status,
            "rapor": self.rapor,
            "rekap": self.rekap,
            "paket": self.paket,
            "antrian": self.antrian,
            "periksa": self.periksa,
            "notifikasi": self.notifikasi,
            "periode": self.periode,
            "jadwal": self.jadwal,
            "undang": self.undang,
            "wakil": self.wakil,
            "pengguna": self.pengguna,
            "bantuan": self.menu,
            "menu": self.menu,
            "help": self.menu,
            "halo": self.menu,
            "start": self.menu,
        }

    async def show(self, to: str, screen: Screen, page: int = 0) -> None:
        await render.show(self.wa, to, screen, page)

    async def say(self, to: str, text: str) -> None:
        await self.show(to, Screen(text))

    # ------------------------------------------------------------------ words

    async def kirim_start(self, to: str, person: Person, args: list[str]) -> None:
        await self.kirim.start(to, person)

    async def menu(self, to: str, person: Person, args: list[str], page: int = 0) -> None:
        """The help, with the person's commands as a list to tap."""
        shown = texts.whatsapp_menu(person)
        screen = screens.menu(person, texts.whatsapp_help(person), shown)
        await self.show(
            to, Screen(screen.text, screen.rows, screen.pick, pages=callbacks.MENU_PAGES), page
        )

    async def status(self, to: str, person: Person, args: list[str]) -> None:
        await self.show(to, commands.status(self.services, person, " ".join(args)))

    async def antrian(self, to: str, person: Person, args: list[str]) -> None:
        await self.review.queue(to, person)

    async def periksa(self, to: str, person: Person, args: list[str]) -> None:
        await self.review.desk_open(to, person)

    async def notifikasi(self, to: str, person: Person, args: list[str]) -> None:
        self.services.registration.notify_via(person, CHANNEL)
        await self.say(to, texts.NOTIFY_HERE[CHANNEL])

    async def periode(self, to: str, person: Person, args: list[str]) -> None:
        svc = self.services
        if args:
            await self.show(to, commands.open_period(svc, person, args[0]))
        else:
            await self.show(to, commands.periods(svc, person))

    async def jadwal(self, to: str, person: Person, args: list[str]) -> None:
        await self.show(to, commands.month_plan(self.services, person))

    async def undang(self, to: str, person: Person, args: list[str]) -> None:
        svc = self.services
        if len(args) < 2:
            await self.show(to, commands.invite_units(svc, person))
            return
        name = " ".join(args[2:]) or None
        await self.show(to, commands.invite(svc, person, args[0], args[1], name, self.telegram_bot))

    async def wakil(self, to: str, person: Person, args: list[str]) -> None:
        await self.show(to, wakil_flow.typed(self.services, person, args))

    async def pengguna(self, to: str, person: Person, args: list[str]) -> None:
        await self.show(to, pengguna.typed(self.services, person, args))

    async def _export_period(
        self, to: str, person: Person, args: list[str], preparing: str
    ) -> Period | None:
        """The period of a recap or a package, said to be in the making; None if refused."""
        period = commands.export_period(self.services, person, " ".join(args))
        if isinstance(period, str):
            await self.say(to, period)
            return None
        await self.say(to, preparing.format(period=texts.bulan(period)))
        return period

    async def rekap(self, to: str, person: Person, args: list[str]) -> None:
        svc = self.services
        period = await self._export_period(to, person, args, texts.PREPARING_RECAP)
        if period is None:
            return
        made = await svc.workers.run(commands.recap, svc, person, period)
        if isinstance(made, str):
            await self.say(to, made)
            return
        await self.wa.send_document(
            to=to, document=made.data, filename=made.name, caption=made.caption, mime_type=XLSX
        )

    async def paket(self, to: str, person: Person, args: list[str]) -> None:
        svc = self.services
        period = await self._export_period(to, person, args, texts.PREPARING_PACKAGE)
        if period is None:
            return
        with tempfile.TemporaryDirectory() as folder:
            made = await svc.workers.run(
                commands.package, svc, person, period, Path(folder), MEDIA_LIMIT
            )
            if isinstance(made, str):
                await self.say(to, made)
                return
            assert made.path is not None
            await self.wa.send_document(
                to=to,
                document=made.path.read_bytes(),
                filename=made.name,
                caption=made.caption,
                mime_type="application/zip",
            )

    # ------------------------------------------------------------------ buttons

    async def pressed(self, to: str, person: Person, data: str) -> bool:
        """A button of the menu, the status, the periods or the invites; False if not one."""
        svc = self.services
        if data.startswith(callbacks.MENU_PAGES + ":"):
            page = callbacks.parse_page(data)
            await self.menu(to, person, [], page or 0)
        elif data.startswith(callbacks.INVITE_PAGES + ":"):
            page = callbacks.parse_page(data)
            await self.show(to, commands.invite_units(svc, person), page or 0)
        elif data.startswith(callbacks.MENU + ":"):
            word = data.removeprefix(callbacks.MENU + ":")
            command = self.words.get(word)
            if command is None:
                await self.say(to, texts.WA_BUTTON_INVALID)
            else:
                await command(to, person, [])
        elif (choice := callbacks.parse_status(data)) is not None:
            await self._status_choice(to, person, choice)
        elif data.startswith(callbacks.OPEN_PERIOD + ":"):
            await self.show(to, commands.open_pressed(svc, person, data))
        elif data.startswith(callbacks.DELEGATE + ":"):
            screen, page = wakil_flow.pressed(svc, person, data)
            await self.show(to, screen, page)
        elif data.startswith(callbacks.PEOPLE + ":"):
            screen, page = pengguna.pressed(svc, person, data)
            await self.show(to, screen, page)
        elif (invite := callbacks.parse_invite(data)) is not None:
            unit_code, role = invite
            if role is None:
                await self.show(to, commands.invite_roles(svc, person, unit_code))
            else:
                screen = commands.invite(svc, person, unit_code, role, None, self.telegram_bot)
                await self.show(to, screen)
        else:
            return False
        return True

    async def _status_choice(self, to: str, person: Person, choice: callbacks.StatusChoice) -> None:
        svc = self.services
        if choice.what == "u":
            await self.show(to, commands.status(svc, person, choice.period.code, choice.unit))
        elif choice.what == "img":
            await self._picture(to, person, choice.period)
        elif choice.what == "pg":
            await self.show(to, commands.status(svc, person, choice.period.code), choice.page)
        else:
            await self.show(to, commands.status(svc, person, choice.period.code))

    async def rapor(self, to: str, person: Person, args: list[str]) -> None:
        screen, card = await self.services.workers.run(
            commands.rapor, self.services, person, " ".join(args)
        )
        await self.show(to, screen)
        if card is not None:
            png = await self.services.workers.run(self.services.recap.scorecard_picture, card)
            await self.wa.send_image(
                to=to, image=png, caption=texts.rapor_caption(card), mime_type="image/png"
            )

    async def _picture(self, to: str, person: Person, period: Period) -> None:
        status = commands.status_for_picture(self.services, person, period)
        if isinstance(status, str):
            await self.say(to, status)
            return
        png = await self.services.workers.run(self.services.recap.picture, status)
        await self.wa.send_image(
            to=to, image=png, caption=texts.picture_caption(period), mime_type="image/png"
        )
