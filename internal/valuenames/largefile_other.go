//go:build !amd64 && !arm64

package valuenames

// kernelLargefile is not named on architectures this project does not
// build for.
const kernelLargefile = 0
