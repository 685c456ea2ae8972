"""One exception hierarchy. Each subclass carries the exit code the CLI maps it to.

Messages say what went wrong *and* how to fix it: they are read by librarians
running cron, not by the people who wrote this code.
"""

from __future__ import annotations

# An exception xlate did not expect (a bug): EX_SOFTWARE from sysexits.h. Not an XlateError on
# purpose: the CLI's last-resort handler maps anything else to it, with a one-line report.
UNEXPECTED_EXIT = 70


class XlateError(Exception):
    """Base of every error xlate raises on purpose."""

    exit_code = 1


class ConfigError(XlateError):
    """config.yaml is missing, malformed, or has a bad value (names the key)."""

    exit_code = 2


class UsageError(XlateError):
    """The command line asks for something that cannot be done."""

    exit_code = 2


class ModelMissing(XlateError):
    """A translation model needed by the configured targets is not installed."""

    exit_code = 3


class PackageError(XlateError):
    """An .argosmodel package is broken, hostile, or incompatible."""

    exit_code = 3


class InputError(XlateError):
    """One input file cannot be turned into an article. Never fatal for a run:
    the pipeline quarantines the file with this message as the reason."""

    exit_code = 1


class LanguageError(InputError):
    """The article is not in the source language."""


class StateError(XlateError):
    """The state database is corrupt, locked by another tool, or too new."""

    exit_code = 5


class NotWritable(XlateError):
    """The state, feeds or quarantine folder cannot be written (permissions, full disk)."""

    exit_code = 4


class ClusterError(XlateError):
    """The Ray cluster could not do the work: no worker starts, or workers keep dying.
    Translations committed before it stay; the next run continues."""

    exit_code = 6


class Interrupted(XlateError):
    """SIGTERM/SIGINT arrived; the run stopped at a safe point."""

    exit_code = 130
