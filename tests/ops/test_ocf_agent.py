#!/usr/bin/python3
# Tests the Pacemaker OCF resource agent ocf:gst-colo:gst-colo-compare
# (data/ocf/gst-colo-compare) with this build's gst-colo-compare:
#
# - ocf-tester (Debian's resource-agents) passes: meta-data against
#   ra-api-1.dtd, validate-all, probes, start/stop/monitor cycles; as root,
#   with the program run as user nobody;
# - without notify_dev a checkpoint request is a JSON line in the log file
#   and "checkpoint-done" written to the control FIFO answers it; stop
#   (SIGTERM) releases what is held to outdev;
# - monitor looks at the program itself: a stopped (SIGSTOP) program, an
#   endpoint that no longer listens, a client left waiting in an accept
#   queue are failures; a client waiting behind a connected one is not;
#   a pid file whose process is gone is a failure, not running for a probe;
# - start reports why the program would not start (a port in use);
#   validate-all refuses bad parameters.
#
# Usage: test_ocf_agent.py AGENT PROGRAM FRAMES_DIR
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "common"))
from ports import free_port  # noqa: E402
from sockets import Failure, recv_exact  # noqa: E402

OCF_ROOT = "/usr/lib/ocf"
TIMEOUT = 60
OCF_SUCCESS, OCF_ERR_GENERIC, OCF_ERR_INSTALLED, OCF_ERR_CONFIGURED, \
    OCF_NOT_RUNNING = 0, 1, 5, 6, 7

frames = None
tmp = None
agent = None
program = None


def check(cond, what):
    if not cond:
        raise Failure(what)




def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def expect_frame(sock, frame, what):
    got = recv_exact(sock, 4 + len(frame), what)
    check(got == frames.record(frame), "%s: got %r" % (what, got))


def wait_for(cond, what):
    deadline = time.monotonic() + TIMEOUT
    while not cond():
        if time.monotonic() > deadline:
            raise Failure("timed out waiting for %s" % what)
        time.sleep(0.05)


class Resource:
    """One resource of the agent: its parameters and actions."""

    def __init__(self, name, **params):
        self.name = name
        self.rundir = os.path.join(tmp, name + ".run")
        self.logfile = os.path.join(tmp, name + ".log")
        self.params = dict(binary=program, rundir=self.rundir,
                           logfile=self.logfile)
        self.params.update(params)

    @staticmethod
    def listen_endpoints(notify=False):
        eps = {k: "tcp-listen:127.0.0.1:%d" % free_port()
               for k in ("primary_in", "secondary_in", "outdev")}
        if notify:
            eps["notify_dev"] = "tcp-listen:127.0.0.1:%d" % free_port()
        return eps

    def port(self, param):
        return int(self.params[param].rsplit(":", 1)[1])

    def run(self, action, interval=10000, timeout_ms=20000, expect=None):
        env = dict(os.environ, OCF_ROOT=OCF_ROOT,
                   OCF_RESOURCE_INSTANCE=self.name,
                   OCF_RA_VERSION_MAJOR="1", OCF_RA_VERSION_MINOR="0",
                   OCF_RESKEY_CRM_meta_interval=str(interval),
                   OCF_RESKEY_CRM_meta_timeout=str(timeout_ms))
        for k, v in self.params.items():
            env["OCF_RESKEY_" + k] = v
        r = subprocess.run([agent, action], env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=TIMEOUT)
        if expect is not None:
            check(r.returncode == expect,
                  "%s %s: exit %d, expected %d; output:\n%s\nlog:\n%s"
                  % (self.name, action, r.returncode, expect, r.stdout,
                     self.log()))
        return r.returncode, r.stdout

    def log(self):
        try:
            with open(self.logfile) as f:
                return f.read()
        except OSError:
            return ""

    def pid(self):
        with open(os.path.join(self.rundir, "pid")) as f:
            return int(f.read())


# ---- cases ---------------------------------------------------------------

def case_ocf_tester():
    params = Resource.listen_endpoints(notify=True)
    res = Resource("tester", **params)
    if os.getuid() == 0:
        res.params["user"] = "nobody"
    cmd = ["ocf-tester", "-n", res.name]
    for k, v in res.params.items():
        cmd += ["-o", "%s=%s" % (k, v)]
    cmd.append(agent)
    r = subprocess.run(cmd, env=dict(os.environ, OCF_ROOT=OCF_ROOT),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=300)
    check(r.returncode == 0 and "passed all tests" in r.stdout,
          "ocf-tester failed (exit %d):\n%s\nlog:\n%s"
          % (r.returncode, r.stdout, res.log()))
    print("ocf-tester: passed%s" % (" (program run as nobody)"
                                    if "user" in res.params else ""))


def case_control_fifo_and_stop():
    res = Resource("control", **Resource.listen_endpoints())
    res.run("start", expect=OCF_SUCCESS)
    pri = connect(res.port("primary_in"))
    sec = connect(res.port("secondary_in"))
    a = frames.udp(6000, 53, b"primary says hello")
    pri.sendall(frames.record(a))
    sec.sendall(frames.record(frames.udp(6000, 53, b"second says hello!")))
    wait_for(lambda: '"event": "checkpoint-request"' in res.log(),
             "the checkpoint request in the log file")
    out = connect(res.port("outdev"))
    with open(os.path.join(res.rundir, "control"), "w") as ctl:
        ctl.write("checkpoint-done\n")
    expect_frame(out, a, "the frame released by checkpoint-done")
    # a second primary client waits behind the first: not a failure
    waiting = connect(res.port("primary_in"))
    res.run("monitor", expect=OCF_SUCCESS)
    # held (the secondary never sends it), released by stop
    b = frames.udp(7000, 53, b"held until the stop")
    pri.sendall(frames.record(b))
    res.run("stop", expect=OCF_SUCCESS)
    expect_frame(out, b, "the frame released at stop")
    check('"event": "stats"' in res.log(), "no stats line in the log")
    res.run("monitor", expect=OCF_NOT_RUNNING)
    check(not os.path.exists(os.path.join(res.rundir, "pid")),
          "pid file left after stop")
    for s in (pri, sec, out, waiting):
        s.close()
    print("control FIFO answers the JSON request; stop releases the held frame")


def case_sigstop():
    res = Resource("sigstop", **Resource.listen_endpoints())
    res.run("start", expect=OCF_SUCCESS)
    pid = res.pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        rc, out = res.run("monitor")
        check(rc == OCF_ERR_GENERIC and "stopped" in out,
              "monitor of a stopped program: exit %d:\n%s" % (rc, out))
        # stop continues it, so that it handles SIGTERM: its stats line,
        # and no SIGKILL
        rc, out = res.run("stop")
        check(rc == OCF_SUCCESS and "SIGKILL" not in out
              and '"event": "stats"' in res.log(),
              "stop of a stopped program: exit %d:\n%s\nlog:\n%s"
              % (rc, out, res.log()))
    finally:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
    res.run("monitor", expect=OCF_NOT_RUNNING)
    print("monitor: a stopped program fails; stop continues it for SIGTERM")


FAKE = r'''#!/usr/bin/python3
# Stands in for gst-colo-compare: listens on its tcp-listen endpoints,
# accepts nothing; SIGUSR1 closes the primary-in listener.
import signal, socket, sys, threading
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
socks = {}
for opt in ("--primary-in", "--secondary-in", "--outdev", "--notify-dev"):
    ep = args.get(opt, "")
    if ep.startswith("tcp-listen:"):
        host, port = ep[len("tcp-listen:"):].rsplit(":", 1)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, int(port)))
        s.listen(1)
        socks[opt] = s
signal.signal(signal.SIGUSR1, lambda *a: socks.pop("--primary-in").close())
while True:
    signal.pause()
'''


def case_fake_program():
    fake = os.path.join(tmp, "fake-gst-colo-compare")
    with open(fake, "w") as f:
        f.write(FAKE)
    os.chmod(fake, 0o755)
    res = Resource("fake", binary=fake, **Resource.listen_endpoints())
    res.run("start", expect=OCF_SUCCESS)
    res.run("monitor", expect=OCF_SUCCESS)
    client = connect(res.port("secondary_in"))
    rc, out = res.run("monitor")
    check(rc == OCF_ERR_GENERIC and "does not accept" in out
          and "secondary-in" in out,
          "monitor of a program that does not accept: exit %d:\n%s"
          % (rc, out))
    client.close()
    os.kill(res.pid(), signal.SIGUSR1)
    wait_for(lambda: res.run("monitor")[0] != OCF_SUCCESS,
             "monitor to notice the closed listener")
    rc, out = res.run("monitor")
    check(rc == OCF_ERR_GENERIC and "primary-in" in out
          and "not listening" in out,
          "monitor of a program that stopped listening: exit %d:\n%s"
          % (rc, out))
    res.run("stop", expect=OCF_SUCCESS)
    print("monitor: a client left waiting, a listener gone are failures")


def case_start_fails():
    res = Resource("portinuse", **Resource.listen_endpoints())
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", res.port("primary_in")))
    blocker.listen(1)
    try:
        rc, out = res.run("start")
    finally:
        blocker.close()
    check(rc == OCF_ERR_GENERIC and "gst-colo-compare:" in out
          and "primary-in" in out,
          "start with primary-in's port in use: exit %d, expected %d with "
          "the program's message:\n%s" % (rc, OCF_ERR_GENERIC, out))
    res.run("monitor", expect=OCF_NOT_RUNNING)
    res.run("stop", expect=OCF_SUCCESS)
    print("start: a port in use fails with the program's message")


def case_validate():
    eps = Resource.listen_endpoints()
    Resource("valid", **eps).run("validate-all", expect=OCF_SUCCESS)
    bad = [
        (dict(eps, primary_in="udp:127.0.0.1:1"), OCF_ERR_CONFIGURED),
        (dict(eps, outdev="tcp-listen:127.0.0.1:70000"), OCF_ERR_CONFIGURED),
        (dict(eps, outdev=""), OCF_ERR_CONFIGURED),
        (dict(eps, compare_timeout="0"), OCF_ERR_CONFIGURED),
        (dict(eps, max_queue_size="ten"), OCF_ERR_CONFIGURED),
        (dict(eps, user="no-such-user-gst-colo"), OCF_ERR_CONFIGURED),
        (dict(eps, rundir="relative/dir"), OCF_ERR_CONFIGURED),
        (dict(eps, binary="/nonexistent/gst-colo-compare"), OCF_ERR_INSTALLED),
    ]
    for params, rc in bad:
        Resource("invalid", **params).run("validate-all", expect=rc)
    # a probe where the program is not installed: not running
    Resource("invalid", **dict(eps, binary="/nonexistent/gst-colo-compare")) \
        .run("monitor", interval=0, expect=OCF_NOT_RUNNING)
    print("validate-all: refuses %d bad configurations" % len(bad))


def case_stale_pidfile():
    res = Resource("stale", **Resource.listen_endpoints())
    gone = subprocess.Popen(["true"])
    gone.wait()
    os.makedirs(res.rundir)
    with open(os.path.join(res.rundir, "pid"), "w") as f:
        f.write("%d\n" % gone.pid)
    res.run("monitor", expect=OCF_ERR_GENERIC)
    res.run("monitor", interval=0, expect=OCF_NOT_RUNNING)
    res.run("stop", expect=OCF_SUCCESS)
    res.run("monitor", expect=OCF_NOT_RUNNING)
    print("monitor: a pid file without its process is a failure "
          "(not running for a probe)")


CASES = [case_validate, case_ocf_tester, case_control_fifo_and_stop,
         case_sigstop, case_fake_program, case_start_fails,
         case_stale_pidfile]


def main():
    global frames, tmp, agent, program
    if len(sys.argv) != 4:
        sys.exit("usage: test_ocf_agent.py AGENT PROGRAM FRAMES_DIR")
    sys.dont_write_bytecode = True
    sys.path.insert(0, sys.argv[3])
    import frames as frames_module
    frames = frames_module
    missing = [p for p in ("ocf-tester", "ss", "setsid", "setpriv")
               if shutil.which(p) is None]
    if not os.path.exists(os.path.join(OCF_ROOT, "lib/heartbeat/ocf-shellfuncs")):
        missing.append(OCF_ROOT + "/lib/heartbeat/ocf-shellfuncs")
    if missing:
        print("FAIL: %s not found: install Debian's resource-agents, "
              "iproute2 and util-linux packages (scripts/install-deps.sh)"
              % ", ".join(missing))
        return 1
    if os.getuid() != 0:
        print("note: not root: ocf-tester cannot check the agent's "
              "permissions, and the program is not run as another user")
    # A directory everyone may enter: ocf-tester runs the agent's meta-data
    # as nobody, and the program may run as nobody
    tmp = tempfile.mkdtemp(prefix="gst-colo-ocf-")
    os.chmod(tmp, 0o755)
    mode = stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH
    agent = os.path.join(tmp, "gst-colo-compare-agent")
    shutil.copy(sys.argv[1], agent)
    os.chmod(agent, mode)
    program = os.path.join(tmp, "gst-colo-compare")
    shutil.copy(sys.argv[2], program)
    os.chmod(program, mode)
    failed = 0
    try:
        for case in CASES:
            try:
                case()
            except Failure as e:
                failed += 1
                print("FAIL %s: %s" % (case.__name__, e))
    finally:
        # kill whatever a failed case left running
        for name in os.listdir(tmp):
            try:
                with open(os.path.join(tmp, name, "pid")) as f:
                    os.kill(int(f.read()), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (len(CASES) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
