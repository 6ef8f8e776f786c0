//go:build race

package transport_test

// raceEnabled reports whether the test binary runs under the race detector.
const raceEnabled = true
