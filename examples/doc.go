// Package examples holds the tutorial, step by step, as small programs a
// learner reads next to it (one folder per step, built by `make examples`),
// and the workshop's reference solutions. examples_test.go runs them all.
package examples
