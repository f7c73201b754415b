"""Our four packages are the ones imported, and importing them stays cheap."""

import subprocess
import sys

from tests.conftest import REPO


def test_packages_are_ours_not_pypi_namesakes() -> None:
    import graph
    import ingest
    import ontology
    import search_api

    for module in (graph, ingest, ontology, search_api):
        assert module.__file__ is not None
        assert module.__file__.startswith(str(REPO)), module.__file__


def test_importing_packages_loads_no_torch_or_spacy() -> None:
    code = (
        "import sys, ontology, graph, ingest, search_api, wissensnetz_cli\n"
        "heavy = [m for m in ('torch', 'spacy', 'sentence_transformers') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "", f"heavy modules imported at package import: {out.stdout}"
