"""Print the X-Hub-Signature-256 Meta would send for a file, with the local app secret.

.venv/bin/python -m infra.local.sign infra/local/samples/meta_comment.json
"""

from __future__ import annotations

import sys
from pathlib import Path

from chalicelib.platforms.meta.verification import sign
from infra.local.app_server import stage_environment


def main(path: str) -> None:
    print(sign(Path(path).read_bytes(), stage_environment()["META_APP_SECRET"]))


if __name__ == "__main__":
    main(sys.argv[1])
