package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/ebpf-hello/ebpf-hello/internal/tracefs"
)

// capsOnly runs the binary as nobody with CAP_BPF and CAP_PERFMON only: what
// loading BPF needs, without CAP_DAC_READ_SEARCH, which reading tracefs
// (root-only on current kernels) needs.
func capsOnly(t *testing.T, args ...string) result {
	t.Helper()
	return withCaps(t, "bpf,+perfmon", args...)
}

// withCaps runs the binary as nobody with the capabilities caps ("bpf,+perfmon").
func withCaps(t *testing.T, caps string, args ...string) result {
	t.Helper()
	requireRootAndSetpriv(t)
	argv := append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
		"--inh-caps=-all,+" + caps, "--ambient-caps=+" + caps, binary(t)}, args...)
	return runCommand(t, argv...)
}

// TestCapabilitiesTheHintNamesSuffice: what the errors above advise (adding
// CAP_DAC_READ_SEARCH) is enough to run both commands without root.
func TestCapabilitiesTheHintNamesSuffice(t *testing.T) {
	keepOpening(t)
	const caps = "bpf,+perfmon,+dac_read_search"
	if r := withCaps(t, caps, "open", "--attach", "tracepoint", "-n", "1", "-d", "20s"); r.code != 0 || strings.Count(r.stdout, "\n") != 2 {
		t.Errorf("open with %s: exit %d, stdout %q (want a header and one event); stderr:\n%s", caps, r.code, r.stdout, r.stderr)
	}
	if r := withCaps(t, caps, "printk", "-n", "1", "-d", "20s", "--format", "raw"); r.code != 0 || !strings.HasSuffix(r.stdout, "Hello, World!\n") {
		t.Errorf("printk with %s: exit %d, stdout %q; stderr:\n%s", caps, r.code, r.stdout, r.stderr)
	}
}

// TestCapabilityOnlyRunNamesTheMissingCapability: EACCES on tracefs was
// reported as "none of the tracepoints exist (kernel without
// CONFIG_FTRACE_SYSCALLS?)"; it is a permission error, naming the capability.
func TestCapabilityOnlyRunNamesTheMissingCapability(t *testing.T) {
	requireRootOnlyTracefs(t)
	for _, args := range [][]string{
		{"open", "--attach", "tracepoint", "-n", "1", "-d", "5s"},
		{"printk", "-n", "1", "-d", "5s"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := capsOnly(t, args...)
			assertOneLineError(t, r)
			if !strings.Contains(r.stderr, "CAP_DAC_READ_SEARCH") || !strings.Contains(r.stderr, "permission denied") {
				t.Errorf("the error should say permission denied and name CAP_DAC_READ_SEARCH: %s", r.stderr)
			}
			if strings.Contains(r.stderr, "CONFIG_FTRACE_SYSCALLS") || strings.Contains(r.stderr, "exist") {
				t.Errorf("a permission error blamed the kernel: %s", r.stderr)
			}
		})
	}
}

// TestDoctorWithCapabilitiesOnly: the privilege check names the capability
// that is really missing, and no hint suggests rebuilding the kernel.
func TestDoctorWithCapabilitiesOnly(t *testing.T) {
	requireRootOnlyTracefs(t)
	r := capsOnly(t, "doctor", "--json", "--selftest=false")
	var rep doctorReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json printed invalid JSON: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	for _, c := range rep.Checks {
		if c.Name == "privileges" && (c.Status == "ok" || !strings.Contains(c.Detail, "CAP_DAC_READ_SEARCH") || strings.Contains(c.Detail, "CAP_SYS_ADMIN")) {
			t.Errorf("privileges: %s %q, want a warning naming CAP_DAC_READ_SEARCH", c.Status, c.Detail)
		}
		if strings.Contains(c.Hint, "CONFIG_FTRACE_SYSCALLS") || strings.Contains(c.Detail, "CONFIG_FTRACE_SYSCALLS") {
			t.Errorf("%s blames the kernel for a missing capability: %s / %s", c.Name, c.Detail, c.Hint)
		}
	}
}

// requireRootOnlyTracefs: the tests above need a tracefs others cannot
// enter (mode 0700, as current kernels mount it).
func requireRootOnlyTracefs(t *testing.T) {
	t.Helper()
	st, err := os.Stat(tracefs.Path)
	if err != nil {
		t.Skipf("no %s: %v", tracefs.Path, err)
	}
	if st.Mode().Perm()&0o001 != 0 {
		t.Skipf("%s is open to every user here (%v): no capability is missing", tracefs.Path, st.Mode().Perm())
	}
}

// TestRootWithoutCapabilitiesSaysStartPrivileged: root with no capabilities,
// as in a container started without --privileged, was taken as able to
// trace and failed later on whatever the kernel refused first. Every
// command says in one line what the container needs.
func TestRootWithoutCapabilitiesSaysStartPrivileged(t *testing.T) {
	requireRootAndSetpriv(t)
	for _, args := range [][]string{
		{"open", "-d", "1s"},
		{"exec", "-d", "1s"},
		{"printk", "-d", "1s"},
		{"run", "testdata/run/ring_tracepoint.bpf.c", "-d", "1s"},
	} {
		r := runCommand(t, append([]string{"setpriv", "--bounding-set=-all", binary(t)}, args...)...)
		if r.code == 0 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "--privileged") {
			t.Errorf("%v as root without capabilities: exit %d, stderr:\n%s(want one line that says --privileged)", args, r.code, r.stderr)
		}
	}
	if r := runCommand(t, "setpriv", "--bounding-set=-all", binary(t), "doctor"); r.code == 0 || !strings.Contains(r.stdout, "--privileged") {
		t.Errorf("doctor as root without capabilities: exit %d, stdout:\n%s", r.code, r.stdout)
	}
}
