package tracepipe

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestLostWarningsAreRateLimited: the kernel wrote 102 LOST markers in 2
// minutes and printk printed 102 warnings; now the first is said at once,
// then at most one per LostWarnEvery, and no loss goes unmentioned.
func TestLostWarningsAreRateLimited(t *testing.T) {
	var w LossWarner
	start := time.Unix(1000, 0)
	warnings, said := 0, uint64(0)
	var total uint64
	for i := 0; i < 102; i++ {
		now := start.Add(time.Duration(i) * 1176 * time.Millisecond)
		total += uint64(i%5 + 1)
		if msg, n, ok := w.Add(uint64(i%5+1), now); ok {
			warnings++
			said += n
			if !strings.Contains(msg, strconv.FormatUint(n, 10)) {
				t.Errorf("warning %q does not say %d", msg, n)
			}
		}
		if i == 0 && warnings != 1 {
			t.Fatal("the first loss was not reported at once")
		}
	}
	if limit := int(2*time.Minute/LostWarnEvery) + 1; warnings > limit {
		t.Errorf("%d warnings in 2 minutes, want at most %d", warnings, limit)
	}
	if msg, n, ok := w.Flush(); ok {
		said += n
		_ = msg
	}
	if said != total {
		t.Errorf("warnings mention %d lost lines, the kernel reported %d", said, total)
	}
}
