package locale

import "testing"

func TestPlain(t *testing.T) {
	for v, want := range map[string]bool{"C": true, "POSIX": true, "C.UTF-8": true, "C.utf8": true, "en_US.UTF-8": false, "de_DE": false, "": false} {
		if got := plain(v); got != want {
			t.Errorf("plain(%q) = %v, want %v", v, got, want)
		}
	}
}
