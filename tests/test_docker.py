"""The image as README's "Docker" section and docs/operations.md describe it: it builds, runs
as a user that is not root, keeps the database in the volume across containers, and its health
check is `spip-bot doctor --local`.

Building takes a minute or more and pip needs the package index, so it runs only when asked:
`SPIP_DOCKER_TEST=1` and a container engine that answers `docker info`; otherwise it is
skipped, saying why, without calling anything. `SPIP_DOCKER_PYTHON_IMAGE` builds on another
Python base image than python:3.11-slim (one made from Debian's packages where Docker Hub
cannot be reached), and `SPIP_DOCKER_NETWORK` is the build's network (e.g. `host` for a daemon
without a bridge). The containers themselves run with no network at all."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import migrate

ROOT = Path(__file__).resolve().parents[1]
DATA = "/home/spip/data"
# every container runs on the training clock, like the end-to-end tests: nothing reads today
CLOCK = "2026-11-02T07:00:00+07:00"


def _why_not() -> str | None:
    if os.environ.get("SPIP_DOCKER_TEST") != "1":
        return (
            "builds the image (a minute or more, needs the package index): set SPIP_DOCKER_TEST=1"
        )
    if shutil.which("docker") is None:
        return "no docker command on this machine"
    try:
        info = subprocess.run(
            ["docker", "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        return "docker info did not answer within 20 s"
    if info.returncode != 0:
        lines = (info.stderr or info.stdout).strip().splitlines()
        return f"no container engine answers docker info: {lines[-1] if lines else info.returncode}"
    return None


WHY_NOT = _why_not()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")


def docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    tag = f"spip-bot-test:{uuid.uuid4().hex[:8]}"
    build = ["build", "--tag", tag]
    if base := os.environ.get("SPIP_DOCKER_PYTHON_IMAGE"):
        build += ["--build-arg", f"PYTHON_IMAGE={base}"]
    if network := os.environ.get("SPIP_DOCKER_NETWORK"):
        build += ["--network", network]
    built = docker(*build, str(ROOT), timeout=1500)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    yield tag
    docker("image", "rm", "--force", tag)


@pytest.fixture
def volume() -> Iterator[str]:
    name = f"spip-test-{uuid.uuid4().hex[:8]}"
    assert docker("volume", "create", name).returncode == 0
    yield name
    docker("volume", "rm", "--force", name)


def in_container(image: str, volume: str, *command: str) -> subprocess.CompletedProcess[str]:
    """One container, removed afterwards, with the volume as its data folder."""
    return docker(
        "run",
        "--rm",
        "--network",
        "none",
        "--volume",
        f"{volume}:{DATA}",
        "--env",
        f"SPIP_CLOCK_START={CLOCK}",
        "--env",
        "TELEGRAM_BOT_USERNAME=spip_jambi_bot",
        image,
        *command,
    )


def test_the_image_runs_as_a_user_keeps_its_data_and_checks_its_health(
    image: str, volume: str
) -> None:
    config = docker("image", "inspect", "--format", "{{json .Config}}", image)
    assert config.returncode == 0
    assert '"User":"spip"' in config.stdout
    assert f'"Volumes":{{"{DATA}":{{}}}}' in config.stdout
    assert '"Healthcheck":{"Test":["CMD","spip-bot","doctor","--local"]' in config.stdout

    who = in_container(image, volume, "sh", "-c", "id -u; id -un; echo $SPIP_DATA_DIR")
    assert who.returncode == 0, who.stderr
    uid, user, data_dir = who.stdout.split()
    assert (uid != "0", user, data_dir) == (True, "spip", DATA)

    first = in_container(image, volume, "spip-bot", "init")
    assert first.returncode == 0, first.stderr
    head = migrate.head_revision()
    assert first.stdout.splitlines()[0] == f"Basis data baru dibuat (versi {head})."
    assert "Unit: 15 baru" in first.stdout
    opened = in_container(image, volume, "spip-bot", "period", "open", "2026-10", "--ya")
    assert opened.returncode == 0, opened.stderr
    healthy = in_container(image, volume, "spip-bot", "doctor", "--local")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr

    # a new container on the same volume: the database and the open month are still there,
    # written by the bot's own user
    again = in_container(image, volume, "spip-bot", "init")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == f"Basis data sudah versi terbaru ({head})."
    assert "Unit: 0 baru, 0 diperbarui, 0 dinonaktifkan." in again.stdout
    listed = in_container(image, volume, "spip-bot", "period", "list")
    assert (listed.returncode, listed.stdout.split()[:1]) == (0, ["2026-10"])
    owner = in_container(image, volume, "stat", "-c", "%u %U", f"{DATA}/spip.db")
    assert owner.stdout.split() == [uid, "spip"]


def test_the_engine_reads_the_health_check_as_healthy(image: str, volume: str) -> None:
    """The image's own HEALTHCHECK, run by the engine in a running container (every second
    here instead of every 5 minutes), on an initialised volume."""
    assert in_container(image, volume, "spip-bot", "init").returncode == 0
    name = f"spip-health-{uuid.uuid4().hex[:8]}"
    started = docker(
        "run",
        "--detach",
        "--name",
        name,
        "--network",
        "none",
        "--volume",
        f"{volume}:{DATA}",
        "--health-interval",
        "1s",
        "--health-start-period",
        "0s",
        image,
        "sleep",
        "120",
    )
    assert started.returncode == 0, started.stderr
    try:
        deadline = time.monotonic() + 60
        status = ""
        while time.monotonic() < deadline and status not in ("healthy", "unhealthy"):
            time.sleep(1)
            status = docker("inspect", "--format", "{{.State.Health.Status}}", name).stdout.strip()
        log = docker("inspect", "--format", "{{json .State.Health.Log}}", name).stdout
        assert status == "healthy", log
        assert "Sehat: semua pemeriksaan baik." in log
    finally:
        docker("rm", "--force", name)
