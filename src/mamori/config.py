"""Runtime settings, read from the environment (prefix ``MAMORI_``) and an optional ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_policy_dir() -> Path:
    """The bundled default policy: inside the wheel, or at the repository root in a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "policies" / "aoki"
    return packaged if packaged.is_dir() else here.parents[1] / "policies" / "aoki"


DEFAULT_POLICY_DIR = _default_policy_dir()


class Settings(BaseSettings):
    """Every knob of a Mamori process; build one with :func:`get_settings` or directly in tests."""

    model_config = SettingsConfigDict(env_prefix="MAMORI_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///mamori.db"
    secret_key: SecretStr = Field(
        default=SecretStr("dev-only-secret-change-me-0123456789abcdef"),
        description="Key for blind indexes (and the development encryption key). Set it in production.",
    )
    encryption_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Comma-separated 'id:base64key' AES-256 keys; the first encrypts, all decrypt.",
    )
    mail_backend: Literal["console", "smtp", "null"] = "console"
    mail_from: str = "privacy@example.jp"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    default_policy_dir: Path = DEFAULT_POLICY_DIR
    files_dir: Path = Field(
        default=Path("mamori-files"),
        description="Where encrypted files (request documents, response letters) are kept.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    worker_embedded: bool = Field(
        default=True,
        description="Run the background worker inside the server process (the embedded default).",
    )
    worker_concurrency: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Threads of the embedded worker (jobs run at once); 0: sized to the machine.",
    )
    fulfillment_lease_seconds: float = Field(
        default=600.0,
        gt=0,
        description="Seconds a fulfillment run stays with the executor that took it; then another may.",
    )
    public_base_url: str = Field(
        default="",
        description=(
            "The address people reach Mamori at (e.g. https://privacy.example.jp). Every link in a mail"
            " or letter is built from it, never from a request's Host header. Empty: http://HOST:PORT"
            " (development only; 'mamori doctor' refuses it)."
        ),
    )
    trusted_proxies: str = Field(
        default="",
        description=(
            "Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is believed."
            " Empty: none, not even loopback."
        ),
    )
    audit_key: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Key kept outside the database for the keyed audit chain (HMAC)."
            " Empty: derived from the secret key (development only)."
        ),
    )
    demo: bool = Field(
        default=False,
        description="Public pages carry a banner saying this is a demonstration (set by `mamori demo`).",
    )
    allow_dev_keys: bool = Field(
        default=False,
        description="Let serve and worker start on the development keys (demo and local development only).",
    )
    rate_limit_per_address: int = Field(
        default=10, ge=1, description="Public form posts accepted per client address and window."
    )
    rate_limit_address_seconds: int = Field(
        default=600, ge=1, description="Length of the per-address window, in seconds."
    )
    rate_limit_per_recipient: int = Field(
        default=3, ge=1, description="Public form posts that would mail one e-mail address, per window."
    )
    rate_limit_recipient_seconds: int = Field(
        default=3600, ge=1, description="Length of the per-recipient window, in seconds."
    )

    console_idle_seconds: int = Field(
        default=1800,
        ge=1,
        description="A console session unused this long ends (30 minutes); the person signs in again.",
    )
    console_max_seconds: int = Field(
        default=12 * 3600,
        ge=1,
        description="A console session ends this long after sign-in however busy it is (12 hours).",
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins for one username within the window that lock it for a while.",
    )
    login_failure_window_seconds: int = Field(
        default=900, ge=1, description="The window in which failed sign-ins are counted (15 minutes)."
    )
    login_lockout_seconds: int = Field(
        default=900,
        ge=1,
        description="How long a locked username refuses every sign-in, even the right password (15 minutes).",
    )

    def public_url(self, path: str) -> str:
        """An absolute link for mails and letters: the public base URL joined with ``path``."""
        base = self.public_base_url.strip() or f"http://{self.host}:{self.port}"
        return f"{base.rstrip('/')}/{path.lstrip('/')}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()
