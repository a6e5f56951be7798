"""Issue 9: bounded work for inputs within the limits (the limits themselves are in tests/cases/).

No timing here (bench/bench_limits.py measures time and memory): these check
the mechanisms that keep the work linear and the checks that refuse the rest.
"""

from __future__ import annotations

import re
import struct
import zlib

from hypothesis import given, settings, strategies as st

from layouts.common import CHUNK_CHARS, text_chunks


def test_long_paragraph_is_cut_between_sentences_into_bounded_pieces():
    sentence = "Gentle movement helps your back heal. "
    text = (sentence * 3000).strip()  # about 114 KB
    pieces = text_chunks(text)
    assert len(pieces) > 50 and all(len(p) <= CHUNK_CHARS for p in pieces)
    assert all(p.endswith("heal.") for p in pieces)  # every cut after a full stop
    assert " ".join(pieces) == text


def test_short_paragraph_is_untouched():
    assert text_chunks("One short paragraph.") == ["One short paragraph."]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["word", "**bold", "words**", "end.", "x" * 40, "?", "Hi!"]), min_size=1,
                max_size=900))
def test_pieces_keep_every_word_and_balanced_bold(words):
    text = " ".join(words)
    if text.count("**") % 2:
        text += "**"
    pieces = text_chunks(text, limit=200)
    assert all(p.count("**") % 2 == 0 for p in pieces)
    assert all(len(p) <= 200 + 4 for p in pieces)  # "**" may be added at each end
    rebuilt = re.sub(r"\*\*", "", " ".join(pieces)).split()
    assert "".join(rebuilt) == "".join(re.sub(r"\*\*", "", text).split())


def _ztxt_bomb() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 15), "white").save(buffer, "PNG")
    png = buffer.getvalue()
    data = b"Comment\x00\x00" + zlib.compress(b"\0" * 5_000_000, 9)
    chunk = struct.pack(">I", len(data)) + b"zTXt" + data + struct.pack(">I", zlib.crc32(b"zTXt" + data))
    return png[:33] + chunk + png[33:]


def test_ztxt_bomb_refused_even_when_another_library_relaxed_pillow(tmp_path):
    """WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES on import; the image check must not depend on it."""
    from PIL import ImageFile

    from handoutkit.content.assets import check_image

    path = tmp_path / "bomb.png"
    path.write_bytes(_ztxt_bomb())
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = True
    try:
        problem = check_image(path)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
    assert problem and "cannot be read" in problem


def test_yaml_nesting_is_refused_with_its_line(tmp_path):
    import pytest

    from handoutkit.content.yamlsource import MAX_DEPTH, compose_text
    from handoutkit.errors import ContentError

    assert compose_text("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "f.yaml") is not None  # the mapping is a level
    with pytest.raises(ContentError) as caught:
        compose_text("title: x\nblocks: " + "[" * 10_000 + "]" * 10_000, "f.yaml")
    assert str(caught.value.where).startswith("f.yaml:2:") and "nested" in caught.value.message
