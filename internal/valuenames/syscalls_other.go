//go:build !amd64 && !arm64

package valuenames

// syscallNames is empty where no table is generated.
var syscallNames [0]string
