package runplan

import (
	"slices"
	"strings"
	"testing"
)

func TestNetworkOrderFields(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string
	}{
		{"read into a variable, then the event", `
			__u16 sport = 0, dport;
			BPF_CORE_READ_INTO(&sport, sk, __sk_common.skc_num); /* host order */
			BPF_CORE_READ_INTO(&dport, sk, __sk_common.skc_dport);
			if (filter_port(dport)) return 0;
			event.sport = sport;
			event.dport = dport;`, []string{"dport"}},
		{"straight into the event", `e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
			e->dport = BPF_CORE_READ(sk, __sk_common.skc_dport);`, []string{"dport"}},
		{"converted in the program (BCC's tcpconnect)", `
			u16 dport = skp->__sk_common.skc_dport;
			data4.dport = ntohs(dport);`, nil},
		{"converted where it is read", `e.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));`, nil},
		{"inet_sport", `BPF_CORE_READ_INTO(&t->sport, inet, inet_sport);`, []string{"sport"}},
		{"a tracepoint's ports are host order", `__u16 sport = ctx->sport; event.sport = sport;`, nil},
		{"only in a comment", `// e.dport = skc_dport;
			e.dport = ctx->dport;`, nil},
		{"a comparison is not an assignment", `if (dport == skc_dport) return 0;
			if (targ_sport && targ_sport != BPF_CORE_READ(inet, inet_sport)) return 0;`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NetworkOrderFields([]byte(tc.src)); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzNetworkOrderFields: any source text gives names that end in "port",
// without a panic.
func FuzzNetworkOrderFields(f *testing.F) {
	f.Add([]byte("BPF_CORE_READ_INTO(&dport, sk, __sk_common.skc_dport); e.dport = dport;"))
	f.Add([]byte("x = ((((skc_dport, a = b = inet_sport; &&&&port /* */ // \n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, name := range NetworkOrderFields(src) {
			if !strings.HasSuffix(name, "port") {
				t.Fatalf("%q is not a port's name", name)
			}
		}
	})
}
