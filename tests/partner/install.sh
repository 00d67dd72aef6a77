#!/usr/bin/env bash
# Makes the virtual environment that tests/partner/validate.py runs in: libhxl (HXL CSV) and
# geojson-validator (GeoJSON, RFC 7946), from PyPI, all wheels. Usage: install.sh VENV_DIR.
# Does nothing when VENV_DIR already imports both at the pinned versions.
set -euo pipefail
venv="${1:?usage: install.sh VENV_DIR}"

# The whole dependency closure is pinned: python-dateutil 4 no longer brings six, which
# libhxl imports without declaring it, so an unpinned closure can break without notice.
packages=(
    libhxl==5.2.2 six==1.17.0 python-dateutil==4.0.0 jsonpath-ng==1.16.0 ply==3.11
    python-io-wrapper==0.3.1 structlog==26.1.0 Unidecode==1.4.0 xlrd3==1.1.0 tzdata==2026.6
    wheel==0.48.0 packaging==26.4
    geojson-validator==0.7.0 shapely==2.2.0 numpy==2.4.6 loguru==0.7.3
    requests==2.34.2 urllib3==2.8.0 idna==3.20 charset-normalizer==3.5.3 certifi==2026.10.19.post1
)
check='
import hxl, geojson_validator
from importlib.metadata import version
assert version("libhxl") == "5.2.2" and version("geojson-validator") == "0.7.0"
'
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "$check" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}"
    "$venv/bin/python" -c "$check"
fi
