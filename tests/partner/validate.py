"""Validate the partner exports: a CSV with an HXL hashtag row, and a GeoJSON FeatureCollection.

Usage: validate.py hxl FILE | validate.py geojson FILE

Runs in the virtual environment that tests/partner/install.sh makes (libhxl and
geojson-validator from PyPI). Prints "valid" and exits 0 if the file is valid; otherwise
prints the reasons on standard error, one a line, and exits 1 (2 for a usage error).

hxl: libhxl must find a hashtag row; every column must carry a hashtag, and every cell of
that row must be a well-formed hashtag spec (libhxl itself only logs and drops a malformed
one such as "#1bad"); all rows must be readable, with no value outside the tagged columns;
and libhxl's built-in schema must report no error (e.g. a #date that is not a date, an
#affected that is not a number). Its warnings and hints do not fail the file.

geojson: RFC 7946. The root is a FeatureCollection without a "crs" member anywhere; each
feature has "type": "Feature", a "geometry" (an object or null) and "properties" (an object
or null); positions are [longitude, latitude] (an optional third value for altitude) of
finite numbers, longitude in [-180, 180] and latitude in [-90, 90]; a LineString has at least
two positions and a Polygon's rings at least four, closed. On top, geojson-validator's
structure lint and its geometry criteria that the specification calls invalid: unclosed
rings, rings of fewer than three distinct nodes, and rings against the right-hand rule
(exterior counterclockwise, holes clockwise: RFC 7946 3.1.6, which only asks readers to be
lenient, not writers).
"""

import json
import logging
import math
import os
import sys

# libhxl logs a malformed hashtag and drops its column; that is reported here instead.
os.environ.setdefault("LOGGING_LEVEL", "CRITICAL")
logging.disable(logging.CRITICAL)


# ---------------------------------------------------------------------------------------
# HXL


def validate_hxl(path):
    import hxl
    import hxl.input
    from hxl.model import Column

    options = hxl.InputOptions(allow_local=True)
    errors = []

    # The hashtag row, found the way libhxl finds it (the first of the first 25 rows of
    # which at least half the non-empty cells parse as hashtags), to check each of its cells.
    tag_row = None
    with hxl.input.make_input(path, options) as raw:
        previous = []
        for number, row in enumerate(raw):
            if number >= 25:
                break
            if Column.parse_list(row, previous) is not None:
                tag_row = (number, row)
                break
            previous = row
    if tag_row is None:
        return ["no HXL hashtag row in the first 25 rows"]
    tag_row_number, cells = tag_row
    for index, cell in enumerate(cells):
        if cell is not None and str(cell).strip() and not Column.parse(str(cell).strip()):
            errors.append(f"row {tag_row_number + 1}, column {index + 1}: malformed hashtag {cell!r}")

    try:
        source = hxl.data(path, options)
        columns = source.columns
    except hxl.HXLException as error:
        return errors + [f"libhxl: {error}"]
    for column in columns:
        if not column.tag:
            errors.append(f"column {column.column_number + 1} ({column.header!r}) has no hashtag")

    rows = 0
    try:
        for row in source:
            rows += 1
            extra = [v for v in row.values[len(columns):] if v is not None and str(v).strip()]
            if extra:
                errors.append(f"row {row.source_row_number + 1}: values outside the tagged columns: {extra!r}")
    except Exception as error:  # a CSV that breaks off midway
        return errors + [f"rows unreadable after {rows} data rows: {error}"]

    issues = []
    hxl.schema(None, callback=issues.append).validate(hxl.data(path, options))
    for issue in issues:
        if issue.rule is None or issue.rule.severity == "error":
            where = f"row {issue.row.source_row_number + 1}" if issue.row is not None else "dataset"
            column = f", {issue.column.display_tag}" if issue.column is not None else ""
            errors.append(f"{where}{column}: schema: {issue.message} ({issue.value!r})")
    return errors


# ---------------------------------------------------------------------------------------
# GeoJSON

DEPTHS = {"Point": 0, "LineString": 1, "MultiPoint": 1, "Polygon": 2, "MultiLineString": 2, "MultiPolygon": 3}


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_position(position, path, errors):
    if not isinstance(position, list) or len(position) not in (2, 3) or not all(map(is_number, position)):
        errors.append(f"{path}: a position is [longitude, latitude] or with altitude, of finite numbers: {position!r}")
        return
    lon, lat = position[0], position[1]
    if not -180 <= lon <= 180:
        errors.append(f"{path}: longitude {lon} outside [-180, 180]")
    if not -90 <= lat <= 90:
        errors.append(f"{path}: latitude {lat} outside [-90, 90]")


def check_positions(coordinates, depth, path, errors):
    """depth 0 is one position, 1 an array of them, and so on."""
    if depth == 0:
        check_position(coordinates, path, errors)
        return
    if not isinstance(coordinates, list):
        errors.append(f"{path}: expected an array, found {coordinates!r}")
        return
    for index, item in enumerate(coordinates):
        check_positions(item, depth - 1, f"{path}/{index}", errors)


def check_line(line, path, errors, minimum, closed):
    if not isinstance(line, list):
        return  # reported by check_positions
    if len(line) < minimum:
        errors.append(f"{path}: {len(line)} positions, at least {minimum} required")
    elif closed and line[0] != line[-1]:
        errors.append(f"{path}: linear ring is not closed (first position differs from the last)")


def check_geometry(geometry, path, errors):
    if not isinstance(geometry, dict):
        errors.append(f"{path}: a geometry must be an object or null")
        return
    if "crs" in geometry:
        errors.append(f"{path}/crs: no \"crs\" member in RFC 7946")
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        members = geometry.get("geometries")
        if not isinstance(members, list):
            errors.append(f"{path}: a GeometryCollection needs a \"geometries\" array")
            return
        for index, member in enumerate(members):
            check_geometry(member, f"{path}/geometries/{index}", errors)
        return
    if kind not in DEPTHS:
        errors.append(f"{path}/type: not a geometry type: {kind!r}")
        return
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list):
        errors.append(f"{path}: a {kind} needs a \"coordinates\" array")
        return
    check_positions(coordinates, DEPTHS[kind], f"{path}/coordinates", errors)
    if kind == "LineString":
        check_line(coordinates, f"{path}/coordinates", errors, 2, False)
    elif kind == "MultiLineString":
        for index, line in enumerate(coordinates):
            check_line(line, f"{path}/coordinates/{index}", errors, 2, False)
    elif kind in ("Polygon", "MultiPolygon"):
        polygons = [coordinates] if kind == "Polygon" else coordinates
        for p, polygon in enumerate(polygons):
            prefix = f"{path}/coordinates" if kind == "Polygon" else f"{path}/coordinates/{p}"
            if not isinstance(polygon, list) or not polygon:
                errors.append(f"{prefix}: a polygon needs at least its exterior ring")
                continue
            for r, ring in enumerate(polygon):
                check_line(ring, f"{prefix}/{r}", errors, 4, True)


def check_feature_collection(document):
    errors = []
    if not isinstance(document, dict):
        return ["the root must be an object"]
    if document.get("type") != "FeatureCollection":
        errors.append(f"/type: the root must be a FeatureCollection, is {document.get('type')!r}")
    if "crs" in document:
        errors.append("/crs: no \"crs\" member in RFC 7946")
    features = document.get("features")
    if not isinstance(features, list):
        return errors + ["/features: a FeatureCollection needs a \"features\" array"]
    for index, feature in enumerate(features):
        path = f"/features/{index}"
        if not isinstance(feature, dict):
            errors.append(f"{path}: a feature must be an object")
            continue
        if feature.get("type") != "Feature":
            errors.append(f"{path}/type: must be \"Feature\", is {feature.get('type')!r}")
        if "crs" in feature:
            errors.append(f"{path}/crs: no \"crs\" member in RFC 7946")
        for member in ("geometry", "properties"):
            if member not in feature:
                errors.append(f"{path}: the \"{member}\" member is required (an object or null)")
            elif feature[member] is not None and not isinstance(feature[member], dict):
                errors.append(f"{path}/{member}: must be an object or null")
        if isinstance(feature.get("geometry"), dict):
            check_geometry(feature["geometry"], f"{path}/geometry", errors)
    return errors


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def validate_geojson(path):
    import geojson_validator
    from geojson_validator.geometry_validation import INVALID_CRITERIA

    geojson_validator.configure_logging(enabled=False)
    try:
        with open(path, encoding="utf-8") as file:
            document = json.load(file, parse_constant=reject_constant)
    except (ValueError, UnicodeDecodeError) as error:
        return [f"not JSON: {error}"]

    errors = check_feature_collection(document)
    if not isinstance(document, dict) or "type" not in document:
        return errors  # geojson-validator needs a typed object to start from

    for message, where in geojson_validator.validate_structure(document, check_crs=True).items():
        errors.append(f"{', '.join(where['path']) or '/'}: geojson-validator: {message}")
    try:
        results = geojson_validator.validate_geometries(
            document, criteria_invalid=INVALID_CRITERIA, criteria_problematic=[]
        )
    except Exception as error:
        return errors + [f"geojson-validator could not check the geometries: {error!r}"]
    for criterium, features in results["invalid"].items():
        errors.append(f"geojson-validator: invalid geometry ({criterium}) in features {features}")
    return errors


def main(args):
    validators = {"hxl": validate_hxl, "geojson": validate_geojson}
    if len(args) != 2 or args[0] not in validators:
        print("usage: validate.py hxl|geojson FILE", file=sys.stderr)
        return 2
    kind, path = args
    try:
        errors = validators[kind](path)
    except OSError as error:
        errors = [f"cannot read: {error}"]
    if errors:
        for error in errors:
            print(f"{path}: {error}", file=sys.stderr)
        return 1
    print("valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
