"""People who use the bot: a person belongs to one unit and holds one or more roles."""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.domain.channels import Channel, Reach, route
from chatbot.domain.roles import Permission, Role, can
from chatbot.domain.units import Unit
from chatbot.domain.workflow import Actor


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    unit: Unit
    roles: frozenset[Role]
    telegram_user_id: int | None = None
    telegram_chat_id: int | None = None
    whatsapp_id: str | None = None
    active: bool = True
    # the bot refused on a channel (blocked, account gone); cleared when they write there again
    telegram_blocked: bool = False
    whatsapp_blocked: bool = False
    notify_via: Channel | None = None

    @property
    def reach(self) -> Reach:
        return Reach(
            telegram=self.telegram_chat_id is not None,
            whatsapp=self.whatsapp_id is not None,
            telegram_blocked=self.telegram_blocked,
            whatsapp_blocked=self.whatsapp_blocked,
            preferred=self.notify_via,
        )

    @property
    def blocked(self) -> bool:
        """No channel reaches the person: nothing is sent until they write again."""
        return route(self.reach) is None

    def may(self, permission: Permission) -> bool:
        return can(self.roles, permission)

    def actor(self) -> Actor:
        return Actor(person_id=self.id, unit_code=self.unit.code, roles=self.roles)
