package crm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"crmsheets/crm"
)

// A query whose cursor the org released (a user keeps at most 10 open)
// ends with an error a person can act on, typed by its code; the records
// read so far were handed out, and running it again reads everything.
func TestReleasedCursorSaysWhatHappened(t *testing.T) {
	o := newOrg(t, 450, crm.WithQueryBatchSize(200))
	ctx := context.Background()
	read, opened := 0, false
	var last error
	for _, err := range o.client.Query(ctx, "SELECT Id, Name FROM Account") {
		if err != nil {
			last = err
			break
		}
		read++
		if read == 1 && !opened {
			// Ten other queries of the same user release this cursor.
			opened = true
			for range 10 {
				for range o.client.Query(ctx, "SELECT Id FROM Account") {
					break // the first page is enough to keep a cursor open
				}
			}
		}
	}
	var ce *crm.Error
	if !errors.As(last, &ce) || ce.Code != crm.CodeInvalidQueryLocator || !strings.Contains(last.Error(), "at most 10 queries open") {
		t.Fatalf("after the cursor was released: read %d, err %v", read, last)
	}
	if read != 200 {
		t.Errorf("read %d records before the released page, want the first page's 200", read)
	}
	n := 0
	for _, err := range o.client.Query(ctx, "SELECT Id, Name FROM Account") {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n < 450 {
		t.Errorf("a second run read %d records, want all %d", n, 450)
	}
}
