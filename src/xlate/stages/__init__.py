"""The stages of one run, one module each, in the order `pipeline.run` calls them:

    models   the glossary and the identity of the installed routes (re-translate on change)
    scan     stat input/ -> the files to read, the gone ones, whether one is still settling
    retract  gone files -> retract (or keep) what they published
    ingest   read, hash, parse, detect, judge -> articles, reviews, quarantine, warnings
    translate  pending articles -> segment, protect, translate, assemble language versions
    record   each article's versions -> renditions, in one transaction per article
    publish  what to render -> feeds, pages, index, OPML -> page keys

Each takes what it needs and returns what it produced; the rules they follow are pure
functions in `xlate.decide`.
"""
