package kernel

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Version is a kernel release such as 6.1.0.
type Version struct{ Major, Minor, Patch int }

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// AtLeast reports whether v is major.minor or newer.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

// ParseRelease reads the leading x.y[.z] of a release string like "6.1.0-50-cloud-amd64".
func ParseRelease(release string) (Version, error) {
	var nums [3]int
	parts := strings.SplitN(release, ".", 3)
	for i := 0; i < len(parts) && i < 3; i++ {
		digits := parts[i]
		if end := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }); end >= 0 {
			digits = digits[:end]
		}
		n, err := strconv.Atoi(digits)
		if err != nil {
			if i < 2 {
				return Version{}, fmt.Errorf("cannot parse kernel release %q", release)
			}
			break
		}
		nums[i] = n
	}
	if len(parts) < 2 {
		return Version{}, fmt.Errorf("cannot parse kernel release %q", release)
	}
	return Version{nums[0], nums[1], nums[2]}, nil
}

// Release returns the running kernel's release string and parsed version.
func Release() (string, Version, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "", Version{}, fmt.Errorf("uname: %w", err)
	}
	release := unix.ByteSliceToString(u.Release[:])
	v, err := ParseRelease(release)
	return release, v, err
}
