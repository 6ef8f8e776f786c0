//go:build race

package connect_test

// raceEnabled says the test binary, and so the client under test, is built
// with the race detector.
const raceEnabled = true
