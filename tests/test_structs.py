"""The compiled-side struct types are generated from the real containers; the file must be current."""

from pathlib import Path

from azalai.model import structs


def test_generated_structs_are_current():
    current = Path(structs.GEN_FILE).read_text(encoding="utf-8")
    assert structs.generate() == current, "run: python -m azalai.model.structs"
