// Package locale makes a C or POSIX locale read as English before Fyne looks
// at it. Fyne's translations are set up in a package init and log
// "Error parsing user locale C" when LANG or LC_ALL is "C", "C.UTF-8" or
// "POSIX" — the locale of cron, containers and CI — so every headless command
// printed that line on stderr. main imports this package for its side
// effect; Go initializes it before fyne.io/... because its import path sorts
// first and it depends only on os. The process's locale means nothing else to
// Go, so only Fyne's choice of language is affected (English, its fallback).
package locale

import "os"

func init() {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v, set := os.LookupEnv(name)
		if !set || v == "" {
			continue
		}
		if plain(v) {
			_ = os.Setenv(name, "en_US.UTF-8")
		}
	}
}

// plain reports whether v names the C/POSIX locale, which has no language.
func plain(v string) bool {
	switch v {
	case "C", "POSIX", "C.UTF-8", "C.utf8", "C.UTF8":
		return true
	}
	return false
}
