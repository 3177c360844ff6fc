"""First pages rendered ahead (``Previews.ahead``): each content once, in the order given, a
damaged file recorded as unreadable without stopping the lane, a full lane leaving the rest
to the desk; the desk's own rendering then finds them ready."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from chatbot.export import preview
from chatbot.export.preview import Previews
from tests.support.pdf import real_pdf


def _stored(folder: Path, data: bytes) -> tuple[str, Path]:
    sha256 = hashlib.sha256(data).hexdigest()
    path = folder / f"{sha256}.pdf"
    path.write_bytes(data)
    return sha256, path


def test_rendered_ahead_once_each_and_a_damaged_one_does_not_stop_the_lane(
    tmp_path: Path,
) -> None:
    previews = Previews(tmp_path / "previews")
    damaged = _stored(tmp_path, real_pdf(3, "rusak")[:300])
    good = [_stored(tmp_path, real_pdf(n, f"bukti {n}")) for n in (1, 2)]
    assert previews.ahead([damaged, *good, good[0]]) == 3  # the same content once
    previews.settle()
    broken = previews.cached(damaged[0])
    assert broken is not None and broken.pages == 0 and broken.picture is None
    for n, (sha256, _) in enumerate(good, start=1):
        ready = previews.cached(sha256)
        assert ready is not None and ready.pages == n and ready.picture is not None
        assert ready.picture.stat().st_size > 1000
    assert previews.ahead(good) == 0  # rendered already: nothing queued again
    # the desk's own call finds it ready, not rendered again
    rendered = previews.cached(good[1][0])
    assert rendered is not None and rendered.picture is not None
    before = rendered.picture.stat().st_mtime_ns
    again = asyncio.run(previews.get(*good[1]))
    assert again.picture == rendered.picture and again.picture.stat().st_mtime_ns == before


def test_a_full_lane_leaves_the_rest_to_the_desk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preview, "AHEAD", 2)
    previews = Previews(tmp_path / "previews")
    files = [_stored(tmp_path, real_pdf(1, f"bukti {n}")) for n in range(4)]
    assert previews.ahead(files) == 2  # the lane starts once they are queued: two fit
    previews.settle()
    assert [previews.cached(sha256) is not None for sha256, _ in files] == [
        True,
        True,
        False,
        False,
    ]
    for sha256, path in files[2:]:  # opened at the desk: rendered then
        made = asyncio.run(previews.get(sha256, path))
        assert made.pages == 1 and made.picture is not None
    assert previews.ahead(files) == 0
