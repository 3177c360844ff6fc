"""Settings from the environment (and ``.env``), validated at start with clear errors."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from chatbot.domain.calendar import CalendarRules
from chatbot.domain.duties import Duties
from chatbot.domain.errors import InvalidData
from chatbot.domain.files import MB, FilePolicy
from chatbot.domain.roles import Role
from chatbot.domain.workflow import DEFAULT_CHAIN, Stage, parse_chain

TOKEN_RE = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
DATA = Path(__file__).parent / "data"


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _default_chain() -> list[dict[str, Any]]:
    return [{"kind": s.kind.value, "roles": [r.value for r in s.roles]} for s in DEFAULT_CHAIN]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    telegram_bot_username: str | None = None
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    # webhook mode: the secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (kept out of
    # the command line, where every user of the server could read it in `ps`)
    telegram_webhook_secret: SecretStr | None = None
    # the WhatsApp channel (Cloud API); `spip-bot run-whatsapp` refuses to start without them
    whatsapp_phone_id: str | None = None
    whatsapp_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    # another address for graph.facebook.com (a proxy, or the tests' fake)
    whatsapp_graph_url: str | None = None
    # Cloud API limits: documents up to 100 MB; 80 messages/s per number (Meta may raise it)
    whatsapp_max_media_mb: int = Field(default=100, ge=1, le=100)
    whatsapp_send_rate: float = Field(default=80, gt=0, le=1000)
    # the utility template for notifications outside WhatsApp's 24-hour window
    whatsapp_template_name: str = "spip_pemberitahuan"
    whatsapp_template_language: str = "id"
    database_url: str | None = None
    spip_data_dir: Path = Path("data")
    spip_timezone: str = "Asia/Jakarta"
    spip_org_file: Path = DATA / "org.toml"
    spip_checklist_file: Path = DATA / "checklist.toml"
    spip_report_lag_months: int = Field(default=1, ge=0, le=1)
    spip_deadline_submission_day: int = Field(default=10, ge=1, le=28)
    spip_deadline_review_day: int = Field(default=15, ge=1, le=28)
    spip_deadline_handover_day: int = Field(default=20, ge=1, le=28)
    spip_move_deadlines_to_working_day: bool = False
    spip_extra_days_off: Annotated[list[date], NoDecode] = Field(default_factory=list)
    spip_chain: Annotated[list[dict[str, Any]], NoDecode] = Field(default_factory=_default_chain)
    # an invite lasts this many working days (a code made on Friday 09:00 lasts to the next
    # Friday 09:00, not to Monday)
    spip_invite_ttl_working_days: int = Field(default=5, ge=1, le=60)
    spip_outbox_interval_seconds: float = Field(default=2.0, gt=0, le=3600)
    # messages per second, overall; 0 turns the limiter off (measuring only: Telegram still
    # answers 429 above its limits, and the outbox then waits those out)
    spip_send_rate: float = Field(default=30, ge=0, le=30)
    spip_allowed_file_types: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: [
            "pdf",
            "jpg",
            "png",
            "heic",
            "heif",
            "doc",
            "docx",
            "xls",
            "xlsx",
            "zip",
        ]
    )
    spip_max_file_mb: int = Field(default=20, ge=1, le=2000)
    spip_conversation_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    spip_review_notify: Literal["each", "digest"] = "each"
    spip_digest_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # a decision's notice to the submitter waits this long for the next decisions to join it
    spip_decision_gather_seconds: int = Field(default=120, ge=0, le=3600)
    spip_period_open_time: time = time(7, 55)
    # how often the scheduler asks whether the period opens or the warnings are due
    spip_schedule_tick_seconds: float = Field(default=20, gt=0, le=600)
    spip_reminder_time: time = time(8, 0)
    spip_office_hours_end: time = time(16, 0)
    spip_escalation_roles: Annotated[list[Role], NoDecode] = Field(
        default_factory=lambda: [Role.KABAG_HSDM]
    )
    # separation of duties: nobody decides their own delivery, nobody gives two of one card
    # version's paraf and signatures; the second reviewer decides a delivery whose submitter
    # is the only reviewer ("" for none: it waits for another reviewer)
    spip_separate_duties: bool = True
    spip_second_reviewer: Role | None = Role.KABAG_HSDM
    spip_log_level: str = "INFO"
    # the health check (`spip-bot doctor`, the health URL, the admins' alerts): the evidence
    # disk's free space below this is a problem; so is a message unsent for this long
    spip_min_free_mb: int = Field(default=1024, ge=1, le=1024 * 1024)
    spip_outbox_late_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # heavy work (a PDF's first page or text, a workbook, a package) at most this many at once
    spip_workers: int = Field(default=2, ge=1, le=32)
    # GET /healthz of the Telegram process on a small server of its own (off when unset);
    # the WhatsApp process answers it on its webhook's port
    spip_health_port: int | None = Field(default=None, ge=1, le=65535)
    spip_health_listen: str = "0.0.0.0"
    # training only: the bot runs as if it were this instant (then time passes as usual);
    # refused on a database that was used with the real clock (README, "Training clock")
    spip_clock_start: datetime | None = None

    @field_validator("telegram_bot_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_RE.match(value.get_secret_value().strip()):
            raise ValueError(
                "bentuk token salah; salin token dari @BotFather (contoh 123456789:AAE...)"
            )
        return value

    @field_validator("telegram_bot_username")
    @classmethod
    def _username(cls, value: str | None) -> str | None:
        return value.lstrip("@").strip() or None if value else None

    @field_validator("spip_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            message = f"zona waktu tidak dikenal: {value!r} (contoh: Asia/Jakarta)"
            raise ValueError(message) from None
        return value

    @field_validator("spip_extra_days_off", mode="before")
    @classmethod
    def _days_off(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return [date.fromisoformat(p) for p in parts]
            except ValueError:
                raise ValueError(
                    "tanggal harus TTTT-BB-HH dipisah koma, contoh 2026-12-31,2027-01-02"
                ) from None
        return value

    @field_validator("spip_allowed_file_types", mode="before")
    @classmethod
    def _file_types(cls, value: object) -> object:
        if isinstance(value, str):
            value = [p for p in value.replace(";", ",").split(",")]
        if isinstance(value, list):
            cleaned = [str(v).strip().lower().lstrip(".") for v in value if str(v).strip()]
            if not cleaned:
                raise ValueError("minimal satu jenis berkas, contoh pdf,jpg,png")
            return ["jpg" if v == "jpeg" else v for v in cleaned]
        return value

    @field_validator("spip_escalation_roles", mode="before")
    @classmethod
    def _roles(cls, value: object) -> object:
        if isinstance(value, str):
            return [r.strip() for r in value.split(",") if r.strip()]
        return value

    @field_validator("spip_chain", mode="before")
    @classmethod
    def _chain_json(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"harus JSON: {exc.msg}") from None
        return value

    @field_validator("spip_chain")
    @classmethod
    def _chain(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        try:
            parse_chain(value)
        except InvalidData as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("spip_org_file", "spip_checklist_file")
    @classmethod
    def _file(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"berkas tidak ditemukan: {value}")
        return value

    @model_validator(mode="after")
    def _clock_start(self) -> Settings:
        if self.spip_clock_start is not None and self.spip_clock_start.tzinfo is None:
            self.spip_clock_start = self.spip_clock_start.replace(tzinfo=self.timezone)
        return self

    @model_validator(mode="after")
    def _calendar(self) -> Settings:
        try:
            self.calendar_rules()
        except InvalidData as exc:
            raise ValueError(str(exc)) from None
        return self

    # ------------------------------------------------------------------ derived values

    def calendar_rules(self) -> CalendarRules:
        return CalendarRules(
            report_lag_months=self.spip_report_lag_months,
            submission_deadline_day=self.spip_deadline_submission_day,
            review_deadline_day=self.spip_deadline_review_day,
            handover_deadline_day=self.spip_deadline_handover_day,
            move_deadlines_to_working_day=self.spip_move_deadlines_to_working_day,
        )

    def file_policy(self) -> FilePolicy:
        return FilePolicy(
            allowed_extensions=frozenset(self.spip_allowed_file_types),
            max_bytes=self.spip_max_file_mb * MB,
        )

    def chain(self) -> tuple[Stage, ...]:
        return parse_chain(self.spip_chain)

    def duties(self) -> Duties:
        return Duties(self.spip_separate_duties, self.spip_second_reviewer)

    @field_validator("spip_second_reviewer", mode="before")
    @classmethod
    def _second_reviewer(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("", "none", "tidak_ada"):
            return None
        return value.strip().lower() if isinstance(value, str) else value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.spip_timezone)

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.spip_data_dir / 'spip.db').resolve()}"

    @property
    def evidence_dir(self) -> Path:
        return self.spip_data_dir / "evidence"

    def require_token(self) -> str:
        if self.telegram_bot_token is None:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN belum diisi: buat bot di @BotFather, lalu setel "
                "TELEGRAM_BOT_TOKEN=<token> di lingkungan atau di berkas .env"
            )
        return self.telegram_bot_token.get_secret_value().strip()

    def require_whatsapp(self) -> tuple[str, str, str, str]:
        """(phone id, token, app secret, verify token) or one clear error naming what is
        missing: without the app secret, forged updates could not be told apart."""
        values = {
            "WHATSAPP_PHONE_ID": self.whatsapp_phone_id,
            "WHATSAPP_TOKEN": self.whatsapp_token,
            "WHATSAPP_APP_SECRET": self.whatsapp_app_secret,
            "WHATSAPP_VERIFY_TOKEN": self.whatsapp_verify_token,
        }
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise ConfigError(
                f"Kanal WhatsApp belum lengkap: {', '.join(missing)} belum diisi. Nilainya ada "
                "di Meta for Developers (WhatsApp > API Setup; App Settings > Basic untuk "
                "App Secret); lihat docs/whatsapp.md."
            )
        secret = [
            v.get_secret_value().strip() if isinstance(v, SecretStr) else str(v).strip()
            for v in values.values()
        ]
        return secret[0], secret[1], secret[2], secret[3]


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment; a ConfigError names each bad setting on one line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "SETELAN"
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{name}: {message}")
        raise ConfigError("Setelan tidak valid — " + "; ".join(lines)) from None
