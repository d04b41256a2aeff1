package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebpf-hello/ebpf-hello/internal/testenv"
)

// sendUDP is the test binary's child mode EBPF_HELLO_UDP_SENDER
// "ADDR:PORT,COUNT": COUNT one-byte datagrams to ADDR:PORT.
func sendUDP(spec string) int {
	addr, count, _ := strings.Cut(spec, ",")
	n, _ := strconv.Atoi(count)
	to, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Unconnected: nobody listens there, and the ICMP errors that come
	// back must not fail the next send.
	conn, err := net.ListenPacket("udp4", ":0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer conn.Close()
	for i := 0; i < n; i++ {
		if _, err := conn.WriteTo([]byte{'x'}, to); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// vethPair makes a veth pair whose far end is in a network namespace of
// its own, held by a sleeping process (no /run/netns mount: it works in a
// chroot too); addresses 10.211.X.1 here and .2 there. It returns this
// end's name, a command prefix that runs in the namespace, and this end's
// address. Killing the holder at the end removes the namespace and the pair.
func vethPair(t *testing.T) (iface string, inNetns []string, addr string) {
	t.Helper()
	testenv.RequireRoot(t)
	for _, tool := range []string{"ip", "unshare", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Skip(t, "no "+tool+" (iproute2, util-linux) to make a veth pair")
		}
	}
	holder := exec.Command("unshare", "--net", "sleep", "infinity")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Process.Kill(); _ = holder.Wait() })
	ns := fmt.Sprintf("/proc/%d/ns/net", holder.Process.Pid)
	// unshare creates the namespace, then execs sleep: wait for that.
	for deadline := time.Now().Add(testenv.Patience); ; time.Sleep(10 * time.Millisecond) {
		mine, _ := os.Readlink("/proc/self/ns/net")
		theirs, err := os.Readlink(ns)
		if err == nil && theirs != mine {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unshare --net made no namespace within %v", testenv.Patience)
		}
	}
	inNetns = []string{"nsenter", "--net=" + ns, "--"}
	id := os.Getpid() % 200
	iface, addr = fmt.Sprintf("eht%d", os.Getpid()), fmt.Sprintf("10.211.%d.1", id)
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v %s", args, err, out)
		}
	}
	run("ip", "link", "add", iface, "type", "veth", "peer", "name", "peer0", "netns", strconv.Itoa(holder.Process.Pid))
	run("ip", "addr", "add", addr+"/24", "dev", iface)
	run("ip", "link", "set", iface, "up")
	run(append(inNetns, "ip", "addr", "add", fmt.Sprintf("10.211.%d.2/24", id), "dev", "peer0")...)
	run(append(inNetns, "ip", "link", "set", "peer0", "up")...)
	return iface, inNetns, addr
}

// TestRunNetworkingHelloWorlds: an XDP program, a tc classifier and a
// socket filter, each attached by run to --iface (this end of a veth pair),
// count the UDP datagrams a sender in the other namespace sends there, and
// are detached at exit (no XDP program, no clsact qdisc left behind).
func TestRunNetworkingHelloWorlds(t *testing.T) {
	needRun(t)
	iface, inNetns, addr := vethPair(t)
	const port, sent = "40404", 7
	for _, prog := range []string{"xdp_udp.bpf.c", "tc_udp.bpf.c", "socket_udp.bpf.c"} {
		t.Run(prog, func(t *testing.T) {
			tr := startTracer(t, "running", "run", runProgram(prog), "--iface", iface, "--interval", "200ms")
			send := exec.Command(inNetns[0], append(inNetns[1:], os.Args[0])...)
			send.Env = append(os.Environ(), fmt.Sprintf("EBPF_HELLO_UDP_SENDER=%s:%s,%d", addr, port, sent))
			if out, err := send.CombinedOutput(); err != nil {
				t.Fatalf("sender: %v %s", err, out)
			}
			// Maps are printed every interval: wait for the count, not for time.
			got := tr.collect(t, 1, testenv.Patience, func(l string) bool {
				f := strings.Fields(l)
				return len(f) == 2 && f[0] == port && f[1] == strconv.Itoa(sent)
			})
			code, stderr := tr.stop(t)
			if code != 0 || len(got) != 1 {
				t.Fatalf("exit %d, no row %q; stderr:\n%s", code, port+" "+strconv.Itoa(sent), stderr)
			}
			out, _ := exec.Command("ip", "link", "show", iface).CombinedOutput()
			qdisc, _ := exec.Command("tc", "qdisc", "show", "dev", iface).CombinedOutput()
			if strings.Contains(string(out), "xdp") || strings.Contains(string(qdisc), "clsact") {
				t.Errorf("left attached after exit:\n%s%s", out, qdisc)
			}
		})
	}
	// Without --iface: one line saying so.
	if r := runCommand(t, binary(t), "run", runProgram("xdp_udp.bpf.c"), "-d", "1s"); r.code == 0 || !strings.Contains(r.stderr, "--iface NAME") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("without --iface: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if r := runCommand(t, binary(t), "run", runProgram("xdp_udp.bpf.c"), "--iface", "no-such-if0", "-d", "1s"); r.code == 0 || !strings.Contains(r.stderr, `"no-such-if0"`) || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("a missing interface: exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
