"""Every setting the program reads, in one place.

Each setting comes from a command-line flag when one is given, else from its environment variable
(`LIFELINE_` and the field's name in capitals, e.g. `LIFELINE_DATABASE_URL`), else from its default.
The command line builds one `Settings` and hands it to `create_app(settings)`; `serve --workers N` sends it
to the worker processes pickled. Nothing writes the environment. `lifeline settings` prints them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lifeline.store.engine import DEFAULT_URL, database_url

Role = Literal["110", "12345", "both", "hub"]
ENV_PREFIX = "LIFELINE_"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,  # LIFELINE_PEERS= (empty) means "none", as it always did
        frozen=True,
        extra="forbid",
    )

    database_url: str = Field(
        DEFAULT_URL,
        description="数据库地址 database URL: sqlite:///path.db（默认 ./lifeline.db）或 postgresql://user@host/db",
    )
    role: Role = Field(
        "both",
        description="本进程的角色 the role this process serves: 110 | 12345 | both | hub（省级枢纽 a province's hub）",
    )
    peers: Path | None = Field(
        None,
        description="对端平台配置 peers YAML: 本平台名称、对端地址与共享密钥 our name, each peer's URL and keys",
    )
    routing: Path | None = Field(
        None,
        description="工单路由表 work-order routing YAML: 类别 + 区 → 承办单位，各类时限 category + district → "
        "organisation, deadlines",
    )
    taxonomy: Path | None = Field(
        None,
        description="分类体系文件，启动时校验（研判仍用随包的 default.yaml，模型按它训练）/ taxonomy YAML, checked "
        "at start (triage keeps the packaged default.yaml its model was trained on)",
    )
    nuisance_criteria: Path | None = Field(
        None,
        description="骚扰来电认定标准 nuisance-caller criteria YAML: 时间窗与次数、计入的类别与处置结果、标记退出天数 "
        "windows and counts, the categories and outcomes that count, a flag's exit days (default ≥5 in 30 days or "
        "≥12 in 90)",
    )
    city_layers: Path | None = Field(
        None,
        description="城市自有图层 the city's own map layers (GeoJSON: districts, jurisdictions)",
    )
    tile_url: str = Field(
        "",
        description="瓦片服务地址 a tile server, {z}/{x}/{y}; 空则地图只画城市图层 / empty: maps draw the city "
        "layers only",
    )
    secure_cookies: bool = Field(
        False,
        description="登录 Cookie 仅经 HTTPS 发送（部署在 TLS 或 TLS 反向代理之后时开启）/ send the login cookie over "
        "HTTPS only (turn on behind TLS or a TLS proxy; off for the local demo on http)",
    )
    host: str = Field("127.0.0.1", description="监听地址 address to listen on")
    port: int = Field(8110, ge=1, le=65535, description="监听端口 port to listen on")
    workers: int = Field(1, ge=1, le=64, description="服务进程数 server processes")
    token: SecretStr | None = Field(
        None,
        description="接警员令牌，供 simulate 使用 a call-taker's bearer token for `lifeline simulate`",
    )

    metrics_token: SecretStr | None = Field(
        None,
        description="GET /metrics 的令牌；不设则只对本机开放 the bearer token a metrics scraper brings; without it, "
        "/metrics answers loopback clients only",
    )

    outbox_dir: Path = Field(
        Path("lifeline-outbox"),
        description="外发短信与 APP 消息的文件网关目录（未配置 HTTP 网关时）the file gateway's folder for outbound SMS "
        "and app messages, used when no HTTP gateway is set",
    )
    sms_gateway_url: str = Field(
        "",
        description="短信网关地址：外发短信以签名 JSON POST 至此 the SMS gateway's URL: outbound messages are POSTed "
        "there as signed JSON; empty: the file gateway",
    )
    app_gateway_url: str = Field(
        "",
        description="APP/小程序推送地址：对报警人的文字回复 POST 至此 where text replies to app and mini-program "
        "callers are POSTed; empty: the file gateway",
    )
    sip_listen: str = Field(
        "",
        description="SIP 适配器监听地址（UDP）；空则不启用 the SIP adapter's UDP address host:port; empty: off",
    )
    sip_sender: str = Field(
        "sip",
        description="SIP 适配器对应的已注册电话渠道名 the registered phone sender the SIP adapter speaks as",
    )
    sip_conference: str = Field(
        "",
        description="三方通话的会议桥 SIP 地址（如 Asterisk ConfBridge）；空则不能经线路三方通话 the conference "
        "bridge's SIP URI for three-party calls; empty: none",
    )
    speech_model: Path | None = Field(
        None,
        description="离线语音识别模型目录（中心自备，不下载）the offline speech model folder the centre supplies "
        "(nothing is downloaded); empty: speech to text is off",
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        return database_url(value)  # SQLite or PostgreSQL; postgresql:// means psycopg 3

    @classmethod
    def env_name(cls, field: str) -> str:
        return f"{ENV_PREFIX}{field.upper()}"

    @classmethod
    def describe(cls, field: str) -> str:
        """The one description of a setting, with its environment variable: the help of its CLI flag."""
        return f"{cls.model_fields[field].description} [{cls.env_name(field)}]"


FLAGS = {"database_url": "--db"}  # where a flag's name is not the field's
QUIET = {"database_url", "token", "metrics_token"}  # may hold a password: their own messages say what is wrong


def problems(error: ValidationError) -> str:
    """A readable account of bad settings, naming the environment variable and flag to fix."""
    lines = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        flag = FLAGS.get(field, f"--{field.replace('_', '-')}")
        message = item["msg"].removeprefix("Value error, ")
        given = "" if field in QUIET else f" (got {item.get('input')!r})"
        lines.append(f"{Settings.env_name(field)} / {flag}: {message}{given}")
    return "设置有误 bad settings: " + "; ".join(lines)
