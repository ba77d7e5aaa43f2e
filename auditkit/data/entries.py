"""What an entry of a dataset folder is, when it is no regular file auditkit may read: a table's
file, columns.yaml, a converted dataset's manifest. One rule for all of them: a link is followed
(big exports are linked into the folder) only to a regular file named as the entry's format, so
a link to /etc/passwd is refused unread and no message ever quotes a line of it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from auditkit.data.problems import shown_path


def not_a_regular_file(entry: Path, suffixes: tuple[str, ...], format_said: str) -> str | None:
    """What `entry` is found to be when it is no regular file to read (a broken link, a
    directory, a device, a named pipe, a socket, a link to a file whose name does not end in one
    of `suffixes`, lower case), None when it is one. `format_said` names the format in the
    refusal of such a link ("its table's format", "YAML")."""
    if entry.is_symlink():
        try:
            target = entry.resolve(strict=True)
        except FileNotFoundError:
            return f"a broken link (to {shown_path(os.readlink(entry))!r}, which does not exist)"
        except (OSError, RuntimeError):  # a loop of links, a folder it may not enter
            return "a link that cannot be followed to a file (a loop of links?)"
        kind = _kind_of(target)
        if kind is not None:
            return f"a link to {kind}"
        if target.suffix.lower() not in suffixes:
            return (
                f"a link to {shown_path(target.name)!r}, whose name does not end in "
                f"{' or '.join(suffixes)} (not read: a link is followed only to a file named as "
                f"{format_said})"
            )
        return None
    return _kind_of(entry)


def _kind_of(path: Path) -> str | None:
    """What `path` is when it is no regular file: a directory, a device, ...; None for one."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return f"an entry that cannot be examined ({error.strerror or error})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "no regular file"
