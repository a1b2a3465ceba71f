#!/usr/bin/env python3
"""Other programs that touch a Claude project dir, as the tests need them.

  peers.py golock LOCKFILE HOLD_SECONDS
      Locks the way gt's Go library (gofrs/flock) does: open O_CREAT 0600, then
      flock(LOCK_EX|LOCK_NB) every 100 ms for up to 5 s. Prints "locked" and holds the lock for
      HOLD_SECONDS, or prints "timeout" and exits 4.
  peers.py gt-writer INDEX COUNT
      Adds COUNT entries (gt-0, gt-1, ...) one at a time the way gt does: take the lock, read,
      rewrite the file in place (truncate, write). Prints how many it added.
  peers.py claude-writer INDEX COUNT
      Adds COUNT entries (claude-0, ...) the way Claude Code up to 2.1.30 did: no lock, write
      sessions-index.json.tmp, rename it over the index. Prints how many it added.
"""
import fcntl
import json
import os
import sys
import time


def golock(path, hold):
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    deadline = time.monotonic() + 5
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                print("timeout", flush=True)
                sys.exit(4)
            time.sleep(0.1)
    print("locked", flush=True)
    time.sleep(hold)


def add(index, name):
    index.setdefault("entries", []).append({"sessionId": name, "fullPath": "/nowhere/" + name})


def gt_writer(path, count):
    for i in range(count):
        fd = os.open(path + ".lock", os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        with open(path, "r+") as f:
            index = json.load(f)
            add(index, "gt-%d" % i)
            f.seek(0)
            f.truncate()
            json.dump(index, f, indent=2)
        os.close(fd)
        time.sleep(0.005)
    print(count)


def claude_writer(path, count):
    for i in range(count):
        with open(path) as f:
            index = json.load(f)
        add(index, "claude-%d" % i)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(index, f)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
        time.sleep(0.005)
    print(count)


if __name__ == "__main__":
    mode, path, arg = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "golock":
        golock(path, float(arg))
    elif mode == "gt-writer":
        gt_writer(path, int(arg))
    elif mode == "claude-writer":
        claude_writer(path, int(arg))
    else:
        sys.exit("unknown mode " + mode)
