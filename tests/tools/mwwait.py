"""mwwait.py - wait for a sensor reading a FIFO to have processed everything fed to it.

Tests that feed minewatch through a FIFO used to sleep "long enough" for it to catch up;
on a loaded machine no fixed time is long enough. The observable condition instead: the
pipe is empty (FIONREAD on our end counts the bytes still in it) and the sensor's thread
that reads the FIFO is blocked in read(2) on it. With one worker (the default) that thread
also processes the packets, and libpcap only reads again once its buffer holds no whole
record: every packet fed so far has been decoded and its events handed to the output.
Lines may still sit in the output buffer; that is for the caller to wait on (file content).

Everything is polled with a generous deadline; a deadline that passes is a failure with a
message, never a silent pass.
"""
import fcntl
import os
import platform
import struct
import termios
import time

DEADLINE_S = 120.0

# read(2) by architecture, as /proc/PID/task/TID/syscall reports it.
_READ_NR = {"x86_64": 0, "aarch64": 63, "riscv64": 63, "ppc64le": 3, "s390x": 3, "i686": 3}.get(
    platform.machine())


def pipe_bytes(fd):
    """Bytes written to the pipe behind fd and not yet read by the other end."""
    buf = fcntl.ioctl(fd, termios.FIONREAD, struct.pack("i", 0))
    return struct.unpack("i", buf)[0]


def _fifo_fds(pid, fifo):
    """The sensor's descriptors open on the FIFO (as strings)."""
    real = os.path.realpath(fifo)
    out = set()
    base = "/proc/%d/fd" % pid
    for fd in os.listdir(base):
        try:
            if os.readlink(os.path.join(base, fd)) == real:
                out.add(fd)
        except OSError:
            pass
    return out


def blocked_on_fifo(pid, fifo):
    """True when a thread of pid sleeps in read(2) on its descriptor of fifo."""
    try:
        fds = _fifo_fds(pid, fifo)
        for tid in os.listdir("/proc/%d/task" % pid):
            t = "/proc/%d/task/%s/" % (pid, tid)
            with open(t + "stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state != "S":
                continue
            with open(t + "syscall") as f:
                sc = f.read().split()
            if _READ_NR is not None and len(sc) > 1 and sc[0] == str(_READ_NR):
                if str(int(sc[1], 16)) in fds:
                    return True
            elif _READ_NR is None:
                with open(t + "wchan") as f:
                    if "pipe" in f.read():
                        return True
    except (OSError, ValueError, IndexError):
        return False
    return False


def wait_consumed(proc, feed_fd, fifo, what, deadline_s=DEADLINE_S):
    """Poll until the sensor `proc` has read and processed all that was written to the
    FIFO (feed_fd is our write end). Raises RuntimeError naming `what` on the deadline
    or when the sensor exits."""
    end = time.monotonic() + deadline_s
    delay = 0.002
    while True:
        if proc.poll() is not None:
            raise RuntimeError("minewatch exited (%d) while waiting for %s" % (proc.returncode, what))
        if pipe_bytes(feed_fd) == 0 and blocked_on_fifo(proc.pid, fifo):
            # Checked twice a few ms apart: the /proc files are read one after another,
            # not atomically with the pipe's fill level.
            time.sleep(0.005)
            if pipe_bytes(feed_fd) == 0 and blocked_on_fifo(proc.pid, fifo):
                return
        if time.monotonic() > end:
            raise RuntimeError("minewatch did not consume its input within %.0f s (%s)"
                               % (deadline_s, what))
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def wait_for(cond, what, deadline_s=DEADLINE_S, proc=None):
    """Poll cond() until true; RuntimeError naming `what` on the deadline or if proc exits."""
    end = time.monotonic() + deadline_s
    delay = 0.002
    while not cond():
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("minewatch exited (%d) while waiting for %s" % (proc.returncode, what))
        if time.monotonic() > end:
            raise RuntimeError("%s: not seen within %.0f s" % (what, deadline_s))
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
