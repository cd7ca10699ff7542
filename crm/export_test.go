package crm

// SetBulkUploadLimit lowers the size at which BulkIngest splits an upload
// into several jobs, for tests; it returns a function restoring it.
func SetBulkUploadLimit(n int) (restore func()) {
	old := bulkUploadLimit
	bulkUploadLimit = n
	return func() { bulkUploadLimit = old }
}

// SetBulkSpillBytes sets the CSV size past which an upload goes to a work
// file for a test; the returned func restores it.
func SetBulkSpillBytes(n int) func() {
	old := bulkSpillBytes
	bulkSpillBytes = n
	return func() { bulkSpillBytes = old }
}
