package doctor

import (
	"errors"
	"testing"
)

// TestNoTrampolineInChinese: fentry refused with ENOTSUPP (arm64 kernels
// before 6.4, such as Debian 12's 6.1) is explained in Chinese too.
func TestNoTrampolineInChinese(t *testing.T) {
	en := "attach open_fexit to fexit do_sys_openat2: this kernel cannot attach fentry/fexit to kernel functions (ENOTSUPP): arm64 kernels can from 6.4 (ftrace direct calls)"
	want := "attach open_fexit to fexit do_sys_openat2: 这个内核不能把 fentry/fexit 挂接到内核函数上 (ENOTSUPP)：arm64 内核从 6.4 起才可以（ftrace direct calls）"
	if got := attachReason("zh", errors.New(en)); got != want {
		t.Errorf("attachReason(zh) = %q, want %q", got, want)
	}
	if got := attachReason("en", errors.New(en)); got != en {
		t.Errorf("attachReason(en) = %q, want it unchanged", got)
	}
}
