package ui

import (
	"maps"
	"slices"
)

// sortedKeys returns a map's keys in order, for stable display.
func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
