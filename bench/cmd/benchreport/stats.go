package main

import (
	"fmt"
	"math"
	"slices"
)

// series is one measurement over the rounds.
type series []float64

func (s series) median() float64 {
	if len(s) == 0 {
		return 0
	}
	c := slices.Clone(s)
	slices.Sort(c)
	if n := len(c); n%2 == 1 {
		return c[n/2]
	} else {
		return (c[n/2-1] + c[n/2]) / 2
	}
}

// ci returns a distribution-free 95 % confidence interval of the median:
// the order statistics of ranks k and n+1−k, k = ⌊n/2 − 0.98·√n⌋+1 (the
// normal approximation of the binomial); with fewer than 6 values, the
// whole range.
func (s series) ci() (lo, hi float64) {
	c := slices.Clone(s)
	slices.Sort(c)
	n := len(c)
	if n < 6 {
		return c[0], c[n-1]
	}
	half := 0.98 * math.Sqrt(float64(n))
	i := max(int(math.Floor(float64(n)/2-half)), 0)
	return c[i], c[n-1-i]
}

func (s series) min() float64 { return slices.Min(s) }
func (s series) max() float64 { return slices.Max(s) }

// ratio formats the median and range of a ratio: "0.98 (0.95–1.01)".
func (s series) ratio() string {
	if len(s) == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f (%.2f–%.2f)", s.median(), s.min(), s.max())
}

// ratioCI formats the median of a ratio and the 95 % confidence interval of
// that median: "0.98 (0.95–1.01)".
func (s series) ratioCI() string {
	if len(s) == 0 {
		return "—"
	}
	lo, hi := s.ci()
	return fmt.Sprintf("%.2f (%.2f–%.2f)", s.median(), lo, hi)
}

// rate formats the median and range of a rate, rounded to three figures.
func (s series) rate() string {
	if len(s) == 0 {
		return "—"
	}
	return fmt.Sprintf("%s (%s–%s)", sig(s.median()), sig(s.min()), sig(s.max()))
}

// sig rounds to three significant figures, with k/M suffixes.
func sig(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.3g", v)
}

// signed formats a difference, rounded, with its sign.
func signed(v float64, unit string) string {
	v = math.Round(v)
	if v >= 0 {
		return fmt.Sprintf("+%.0f%s", math.Abs(v), unit)
	}
	return fmt.Sprintf("%.0f%s", v, unit)
}

// pairRatios is a/b round by round.
func pairRatios(a, b series) series {
	var r series
	for i := range min(len(a), len(b)) {
		if b[i] != 0 {
			r = append(r, a[i]/b[i])
		}
	}
	return r
}
