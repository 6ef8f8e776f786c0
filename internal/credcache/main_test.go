package credcache

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind: an
// abandoned flight must end with its bounded context.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
