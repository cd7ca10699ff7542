package crm

// SetBulkUploadLimit lowers the size at which BulkIngest splits an upload
// into several jobs, for tests; it returns a function restoring it.
func SetBulkUploadLimit(n int) (restore func()) {
	old := bulkUploadLimit
	bulkUploadLimit = n
	return func() { bulkUploadLimit = old }
}
