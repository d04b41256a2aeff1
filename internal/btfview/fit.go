package btfview

// Fit is how a sample's length fits the struct its events are decoded by.
type Fit int

// The fits of a sample's length.
const (
	// Fits: the struct's size, or longer only by perf's padding (the kernel
	// pads a perf sample to 8 bytes with its 4-byte length) or by the
	// elements of a flexible array member that ends the struct.
	Fits Fit = iota
	// Prefix: shorter, but it holds every field before the array that
	// ends the struct: the program sent the used part of that array
	// (offsetof(name) + len). Decode it with the rest as zeros.
	Prefix
	// Short: shorter than the fields before the struct's last array (or
	// than the struct, which ends in no array): not the struct sent.
	Short
	// Long: longer than the struct by more than padding: not the struct
	// sent either (its first bytes decode as if it were).
	Long
)

// FitSample says how a sample of n bytes fits l; perf: it came through a
// perf event array (padded), not a ring buffer (exact).
func (l *Layout) FitSample(n int, perf bool) Fit {
	tail, flexible := l.tail()
	switch {
	case n == l.Size:
		return Fits
	case n < l.Size && n >= tail:
		return Prefix
	case n < l.Size:
		return Short
	case flexible:
		return Fits
	case perf && n <= (l.Size+4+7)&^7-4:
		return Fits
	}
	return Long
}

// tail is the offset of the array that ends the struct, and whether it is
// a flexible array member; the struct's size when it ends in no array.
func (l *Layout) tail() (offset int, flexible bool) {
	last := -1
	end := func(f Field) int {
		if f.BitSize > 0 {
			return (f.BitOff + f.BitSize + 7) / 8
		}
		if f.Kind == KindText || f.Kind == KindList {
			return f.Offset + f.Size*f.Len
		}
		return f.Offset + f.Size
	}
	for i, f := range l.Fields {
		if last < 0 || end(f) >= end(l.Fields[last]) {
			last = i
		}
	}
	if last < 0 {
		return l.Size, false
	}
	a := l.Fields[last]
	if a.BitSize > 0 || (a.Kind != KindText && a.Kind != KindList) {
		return l.Size, false
	}
	for i, f := range l.Fields {
		if i != last && end(f) > a.Offset {
			return l.Size, false // a union over the array, or another field in it
		}
	}
	return a.Offset, a.Len == 0
}

// JoinTailStrings: in a used prefix of a struct that ends in a char array
// (execsnoop's `char args[]`, filled up to args_size), the array holds
// several NUL-terminated strings, one after the other, as a program copies
// argv. It makes them one text of words, the way such tools print them:
// each NUL between two strings becomes a space. sample is changed in place;
// bytes past the strings stay zero.
func (l *Layout) JoinTailStrings(sample []byte) {
	offset, _ := l.tail()
	if offset >= len(sample) || len(l.Fields) == 0 {
		return
	}
	last := l.Fields[len(l.Fields)-1]
	if last.Kind != KindText || last.Offset != offset {
		return
	}
	used := sample[offset:]
	end := len(used)
	for end > 0 && used[end-1] == 0 {
		end--
	}
	for i := 0; i < end; i++ {
		if used[i] == 0 {
			used[i] = ' '
		}
	}
}
