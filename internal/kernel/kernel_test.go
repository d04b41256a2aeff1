package kernel

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseRelease(t *testing.T) {
	tests := []struct {
		release string
		want    Version
	}{
		{"6.1.0-50-cloud-amd64", Version{6, 1, 0}},
		{"5.10.0-32-cloud-amd64", Version{5, 10, 0}},
		{"6.18.44-fc-v657", Version{6, 18, 44}},
		{"5.4", Version{5, 4, 0}},
		{"6.12.9+bpo-amd64", Version{6, 12, 9}},
	}
	for _, tt := range tests {
		got, err := ParseRelease(tt.release)
		if err != nil || got != tt.want {
			t.Errorf("ParseRelease(%q) = %v, %v; want %v", tt.release, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "linux", "x.y"} {
		if _, err := ParseRelease(bad); err == nil {
			t.Errorf("ParseRelease(%q) succeeded, want an error", bad)
		}
	}
}

func TestAtLeast(t *testing.T) {
	v := Version{5, 10, 0}
	if !v.AtLeast(5, 8) || !v.AtLeast(5, 10) || v.AtLeast(5, 11) || v.AtLeast(6, 0) || !v.AtLeast(4, 19) {
		t.Errorf("AtLeast is wrong for %v", v)
	}
}

func TestFindFunc(t *testing.T) {
	tests := []struct {
		name     string
		kallsyms string
		want     Symbol
		err      string
	}{
		{"the exact name wins",
			"ffffffff81000000 T _stext\nffffffff816b52b0 t do_sys_openat2.isra.0\nffffffff816b5300 t do_sys_openat2\n",
			Symbol{Name: "do_sys_openat2"}, ""},
		{"a compiler-renamed variant is used when the name is missing",
			"ffffffff816b52b0 t do_sys_openat2.constprop.0\n",
			Symbol{Name: "do_sys_openat2.constprop.0", Note: "do_sys_openat2 was renamed do_sys_openat2.constprop.0 by the compiler"}, ""},
		{"a longer name with the same prefix is not a match",
			"ffffffff816b52b0 t do_sys_openat2_helper\n",
			Symbol{}, "inlined or renamed"},
		{"data symbols are ignored",
			"ffffffff826b52b0 d do_sys_openat2\n",
			Symbol{}, "inlined or renamed"},
		{"module symbols are read",
			"ffffffffc0000000 t do_sys_openat2\t[fake]\n",
			Symbol{Name: "do_sys_openat2"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindFunc(strings.NewReader(tt.kallsyms), OpenFunc)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestResolveOpenFuncOnThisKernel(t *testing.T) {
	_, v, err := Release()
	if err != nil {
		t.Fatal(err)
	}
	sym, err := ResolveOpenFunc(v)
	if err != nil {
		t.Skipf("this kernel has no probe-able open function: %v", err)
	}
	want := OpenFunc
	if !v.AtLeast(5, 6) {
		want = OpenFuncOld
	}
	if sym.Name != want && !strings.HasPrefix(sym.Name, want+".") {
		t.Errorf("resolved %q on %v, want %s or a suffixed variant", sym.Name, v, want)
	}
}

func TestMissingCaps(t *testing.T) {
	all := uint64(1)<<CapBPF | 1<<CapPerfmon | 1<<CapDacReadSearch
	if got := MissingCaps(all); len(got) != 0 {
		t.Errorf("MissingCaps(all) = %v", got)
	}
	if got, want := MissingCaps(1<<CapBPF|1<<CapPerfmon), []string{"CAP_DAC_READ_SEARCH"}; !reflect.DeepEqual(got, want) {
		t.Errorf("MissingCaps(CAP_BPF|CAP_PERFMON) = %v, want %v", got, want)
	}
	if got := MissingCaps(1<<CapSysAdmin | 1<<CapDacReadSearch); len(got) != 0 {
		t.Errorf("MissingCaps(CAP_SYS_ADMIN|CAP_DAC_READ_SEARCH) = %v: CAP_SYS_ADMIN covers CAP_BPF and CAP_PERFMON", got)
	}
	if got, want := MissingCaps(1<<CapBPF), []string{"CAP_PERFMON", "CAP_DAC_READ_SEARCH"}; !reflect.DeepEqual(got, want) {
		t.Errorf("MissingCaps(CAP_BPF) = %v, want %v", got, want)
	}
}
