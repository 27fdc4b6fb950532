"""Running the site with uvicorn."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from ..app import inputs
from ..catalog import load_catalog
from .app import create_app
from .clinic import Clinic
from .rendering import usable_cores


def serve(host: str, port: int, data_dir: Path, clinic: Clinic | None = None) -> None:
    """Serve the site until interrupted; print its address first."""
    import uvicorn

    catalog = load_catalog(clinic.data_dir if clinic else None)
    app = create_app(
        catalog,
        data_dir,
        booklet=clinic.booklet if clinic else None,
        default_tz=inputs.system_tz(),
        workers=usable_cores(),  # plans made at the same time render side by side
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    shown = f"[{host}]" if ":" in host else host
    print(f"rehabplan: serving on http://{shown}:{port}/ (plans kept in {data_dir}); press Ctrl-C to stop.", flush=True)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", server_header=False)
