package coldstart_test

import (
	"os"
	"testing"
	"time"

	"github.com/authwire/authwire/bench/coldstart"
)

// TestColdStartRoundTrips prints the round trips to the first authenticated
// call; it asserts only that each client gets there (speed is reported, not
// gated). Run with -v to see the table.
func TestColdStartRoundTrips(t *testing.T) {
	if testing.Short() {
		t.Skip("measures with real latency")
	}
	os.Setenv("FLYTE_AUTH_METADATA_CACHE_DISABLED", "1") // the cached case names its own directory
	const latency = 25 * time.Millisecond
	rows := map[coldstart.Case]float64{}
	for _, c := range coldstart.Cases() {
		rt, err := coldstart.Measure(t.Context(), c, latency, t.TempDir())
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		rows[c] = rt
	}
	t.Logf("round trips to the first authenticated call (TLS 1.3, %v per direction):\n%s", latency, coldstart.Table(rows))
}
