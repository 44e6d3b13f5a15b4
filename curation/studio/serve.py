"""Launcher that makes a Label Studio process the holder of its data folder's lock.

``python -m curation.studio.serve LOCKFILE COMMAND...`` takes an exclusive POSIX record lock on
LOCKFILE, then *execs* COMMAND: the pid stays the same and the lock stays with the process
(POSIX locks survive ``exec``) until it exits, however it exits (kill -9 included). Anyone can
then ask the kernel which pid holds the lock (``F_GETLK``): an identity that no clock step,
pid reuse or stale record can fake. Exits with :data:`IN_USE` if another process holds it.
"""

from __future__ import annotations

import fcntl
import os
import sys

IN_USE = 75  # EX_TEMPFAIL


def main(argv: list[str]) -> int:
    lock_path, command = argv[0], argv[1:]
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print(f"{lock_path} is locked: another Label Studio runs on this data folder", file=sys.stderr)
        return IN_USE
    os.set_inheritable(fd, True)  # kept open across exec, so the lock is the server's
    os.execv(command[0], command)
    return 1  # pragma: no cover - execv does not return


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
